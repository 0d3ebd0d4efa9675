#pragma once
// OpenCV's image codecs (PNG, JPEG, TIFF, BMP, ... files), loaded on first use. Debian's
// libopencv_imgcodecs links GDAL and GDCM, and loading those ~120 libraries cost every medanon
// process 0.10-0.13 s before main(): a fifth of `deid`'s wall time on 2000 small DICOM files,
// which never touch these codecs. So libmedanon does not link them: the first call below loads
// medanon_imgcodecs.so (src/imgcodecs/), from the folder libmedanon.so was loaded from.
// Same contracts as cv::imdecode, cv::imencode, cv::imread and cv::imwrite; the flag constants
// are OpenCV's own (cv::IMREAD_*, cv::IMWRITE_*). A missing module throws InternalError.

#include <opencv2/core/mat.hpp>
#include <opencv2/imgcodecs.hpp>  // the flag constants only: its functions are not linked

#include <cstdint>
#include <string>
#include <vector>

namespace medanon::io {

cv::Mat image_decode(const std::vector<std::uint8_t>& bytes, int flags);
bool image_encode(const std::string& extension, const cv::Mat& image, std::vector<std::uint8_t>& bytes,
                  const std::vector<int>& params = {});
cv::Mat image_read(const std::string& path, int flags);
bool image_write(const std::string& path, const cv::Mat& image, const std::vector<int>& params = {});

}  // namespace medanon::io
