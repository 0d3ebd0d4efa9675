// medanon_imgcodecs.so: OpenCV's image codecs behind io/image_codecs_module.hpp. The only code
// that links libopencv_imgcodecs (and through it GDAL and GDCM); see io/image_codecs.hpp.

#include <opencv2/imgcodecs.hpp>

#include "io/image_codecs_module.hpp"

namespace {

using medanon::io::ImageCodecEntryPoints;

cv::Mat decode(const std::vector<std::uint8_t>& bytes, int flags) { return cv::imdecode(bytes, flags); }

bool encode(const std::string& extension, const cv::Mat& image, std::vector<std::uint8_t>& bytes,
            const std::vector<int>& params) {
  return cv::imencode(extension, image, bytes, params);
}

cv::Mat read(const std::string& path, int flags) { return cv::imread(path, flags); }

bool write(const std::string& path, const cv::Mat& image, const std::vector<int>& params) {
  return cv::imwrite(path, image, params);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const ImageCodecEntryPoints* medanon_image_codecs() {
  static const ImageCodecEntryPoints points{medanon::io::kImageCodecsInterfaceVersion, decode, encode, read, write};
  return &points;
}
