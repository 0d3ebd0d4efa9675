#include "deid/deflated_writer.hpp"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <libdeflate.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "deid/dcmtk_check.hpp"

namespace medanon::deid {
namespace {

// Level 1: a de-identified copy gains a few per cent in size from higher levels at 1.5-3x the time.
constexpr int kDeflateLevel = 1;

struct CompressorFree {
  void operator()(libdeflate_compressor* compressor) const noexcept { libdeflate_free_compressor(compressor); }
};
struct FileClose {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};

// DCMTK encodes into a fixed buffer and asks to be called again (EC_StreamNotifyClient) each
// time it is full; the pieces are gathered here. `write(stream)` is one call of the object's write.
template <typename Object, typename Write>
std::vector<unsigned char> encode(Object& object, const Write& write, const char* what) {
  std::vector<unsigned char> bytes;
  bytes.reserve(object.getLength(EXS_LittleEndianExplicit, EET_ExplicitLength) + 1024);
  std::vector<unsigned char> chunk(1 << 20);
  DcmOutputBufferStream stream(chunk.data(), static_cast<offile_off_t>(chunk.size()));
  object.transferInit();
  OFCondition status = EC_StreamNotifyClient;
  while (status == EC_StreamNotifyClient) {
    status = write(stream);
    void* written = nullptr;
    offile_off_t length = 0;
    stream.flushBuffer(written, length);
    const auto* begin = static_cast<const unsigned char*>(written);
    bytes.insert(bytes.end(), begin, begin + length);
  }
  object.transferEnd();
  check(status, std::string("encode ") + what);
  return bytes;
}

std::vector<unsigned char> deflate(const std::vector<unsigned char>& raw) {
  static thread_local std::unique_ptr<libdeflate_compressor, CompressorFree> compressor(
      libdeflate_alloc_compressor(kDeflateLevel));
  if (!compressor) throw InternalError("de-identification: cannot allocate a deflate compressor");
  std::vector<unsigned char> out(libdeflate_deflate_compress_bound(compressor.get(), raw.size()) + 1);
  const std::size_t length = libdeflate_deflate_compress(compressor.get(), raw.data(), raw.size(), out.data(), out.size());
  if (length == 0) throw InternalError("de-identification: deflate failed");
  // As DCMTK does: one zero byte after the stream's end makes the file's length even; inflaters
  // stop at the end of the stream and never read it.
  out.resize(length + (length % 2));
  if (length % 2) out.back() = 0;
  return out;
}

}  // namespace

void save_deflated(DcmFileFormat& file, const std::string& path) {
  check(file.validateMetaInfo(EXS_DeflatedLittleEndianExplicit, EWM_updateMeta), "update the meta header");
  // The meta header is always explicit VR little endian (PS3.10 7.1); only the dataset is deflated.
  DcmMetaInfo& meta_info = *file.getMetaInfo();
  const std::vector<unsigned char> meta = encode(
      meta_info,
      [&](DcmOutputStream& stream) {
        return meta_info.write(stream, EXS_LittleEndianExplicit, EET_ExplicitLength, nullptr);
      },
      "the meta header");
  // As saveFile writes the other syntaxes: no group lengths, padding as it was.
  DcmDataset& dataset_object = *file.getDataset();
  const std::vector<unsigned char> dataset = deflate(encode(
      dataset_object,
      [&](DcmOutputStream& stream) {
        return dataset_object.write(stream, EXS_LittleEndianExplicit, EET_ExplicitLength, nullptr, EGL_withoutGL,
                                    EPD_noChange);
      },
      "the dataset"));
  std::unique_ptr<std::FILE, FileClose> out(std::fopen(path.c_str(), "wb"));
  if (!out) throw InternalError("de-identification: cannot create " + path);
  const bool written = std::fwrite(meta.data(), 1, meta.size(), out.get()) == meta.size() &&
                       std::fwrite(dataset.data(), 1, dataset.size(), out.get()) == dataset.size();
  if (!written || std::fclose(out.release()) != 0) throw InternalError("de-identification: cannot write " + path);
}

}  // namespace medanon::deid
