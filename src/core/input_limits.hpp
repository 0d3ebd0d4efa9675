#pragma once
// Process-wide limits on what one input may make a rank allocate (issue #16, decompression
// bombs). Set once by main() from --max-image-pixels, before any input is decoded; read by the
// pre-decode checks (input/dicom_preflight.hpp, OpenCV's OPENCV_IO_MAX_IMAGE_PIXELS) and the
// post-decode size check (pixel::ImageLimits).

namespace medanon::core {

inline constexpr long long kDefaultMaxImagePixels = 100LL * 1000 * 1000;

long long max_image_pixels();
void set_max_image_pixels(long long pixels);

}  // namespace medanon::core
