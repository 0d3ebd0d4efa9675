#pragma once
// Image sizes read from a file's header, before any decoder allocates (issue #16: a 48 KB PNG of
// 20000 x 20000 made OpenCV allocate 400 MB before any size check). OpenCV reads its own limit
// (OPENCV_IO_MAX_IMAGE_PIXELS, 1 G pixels by default) once when the library loads, too early for
// an option to change it, so medanon checks the header itself for the formats it takes in.

#include <cstdint>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

namespace medanon::io {

struct ImageDimensions {
  long long width = 0, height = 0;
};

// Width and height from a PNG (IHDR), JPEG (the first SOFn), BMP or TIFF (IFD 0) header;
// nothing when the bytes are none of these or the header is cut.
std::optional<ImageDimensions> image_dimensions(const std::vector<std::uint8_t>& bytes);

// cv::imdecode after the header check: throws InputError when the header promises more than
// core::max_image_pixels() pixels (--max-image-pixels). Returns OpenCV's result (empty when it
// cannot decode).
cv::Mat decode_image_bytes(const std::vector<std::uint8_t>& bytes, int flags);

}  // namespace medanon::io
