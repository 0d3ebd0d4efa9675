#pragma once
// The interface between libmedanon and medanon_imgcodecs.so (io/image_codecs.hpp says why the
// codecs are a module): one exported function returns this table. Both sides are built together;
// the version catches a module left over from another build.

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace medanon::io {

constexpr int kImageCodecsInterfaceVersion = 1;
constexpr const char* kImageCodecsEntrySymbol = "medanon_image_codecs";
constexpr const char* kImageCodecsModuleFile = "medanon_imgcodecs.so";

struct ImageCodecEntryPoints {
  int interface_version;
  cv::Mat (*decode)(const std::vector<std::uint8_t>& bytes, int flags);
  bool (*encode)(const std::string& extension, const cv::Mat& image, std::vector<std::uint8_t>& bytes,
                 const std::vector<int>& params);
  cv::Mat (*read)(const std::string& path, int flags);
  bool (*write)(const std::string& path, const cv::Mat& image, const std::vector<int>& params);
};

}  // namespace medanon::io
