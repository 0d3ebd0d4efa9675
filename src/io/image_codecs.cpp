#include "io/image_codecs.hpp"

#include <dlfcn.h>

#include <filesystem>

#include "core/errors.hpp"
#include "core/shared_library.hpp"
#include "io/image_codecs_module.hpp"

namespace medanon::io {
namespace {

namespace fs = std::filesystem;

// Beside libmedanon.so (the build puts both in one folder), wherever the process was started.
fs::path module_path() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&image_decode), &info) == 0 || info.dli_fname == nullptr) {
    throw InternalError("cannot locate libmedanon.so to find " + std::string(kImageCodecsModuleFile));
  }
  return fs::path(info.dli_fname).parent_path() / kImageCodecsModuleFile;
}

const ImageCodecEntryPoints& codecs() {
  // Function-local statics: loaded once by the first caller of any thread, kept until exit.
  static const core::SharedLibrary library = [] {
    const fs::path path = module_path();
    if (!fs::exists(path)) {
      throw InternalError("the image codecs module " + path.string() +
                          " is missing; PNG, JPEG and TIFF files need it (build it with `make medanon_imgcodecs` "
                          "and keep it beside libmedanon.so)");
    }
    return core::SharedLibrary(path.string());
  }();
  static const ImageCodecEntryPoints points = [] {
    using Entry = const ImageCodecEntryPoints* (*)();
    const auto entry = reinterpret_cast<Entry>(library.symbol(kImageCodecsEntrySymbol));
    const ImageCodecEntryPoints* found = entry != nullptr ? entry() : nullptr;
    if (found == nullptr || found->interface_version != kImageCodecsInterfaceVersion) {
      throw InternalError(library.path() + " is from another medanon build: rebuild medanon");
    }
    return *found;
  }();
  return points;
}

}  // namespace

cv::Mat image_decode(const std::vector<std::uint8_t>& bytes, int flags) { return codecs().decode(bytes, flags); }

bool image_encode(const std::string& extension, const cv::Mat& image, std::vector<std::uint8_t>& bytes,
                  const std::vector<int>& params) {
  return codecs().encode(extension, image, bytes, params);
}

cv::Mat image_read(const std::string& path, int flags) { return codecs().read(path, flags); }

bool image_write(const std::string& path, const cv::Mat& image, const std::vector<int>& params) {
  return codecs().write(path, image, params);
}

}  // namespace medanon::io
