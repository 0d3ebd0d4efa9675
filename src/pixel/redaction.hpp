#pragma once
// Stage 6, redaction: the stored pixels of each PHI box (plus padding) are replaced, in the
// image's own sample type, so 16-bit data stays 16-bit and the text is gone from the data, not
// hidden under an overlay. Only the caller decides which boxes qualify (border PHI only).

#include <opencv2/core.hpp>

#include <vector>

#include "pixel/pixel_image.hpp"

namespace medanon::pixel {

enum class FillMethod { solid, telea };
const char* to_string(FillMethod method);

struct RedactionOptions {
  FillMethod method = FillMethod::solid;
  int padding_px = 5;             // around each box, in image pixels
  double padding_fraction = 0.0;  // or this share of the box height, whichever is larger
  double telea_radius = 3;        // the seed's inpainting radius
};

// The box a redaction of `box` covers: padded, clipped to `image`.
cv::Rect padded_box(const cv::Rect& box, cv::Size image, const RedactionOptions& options);

// Replaces the pixels of `boxes` (already padded) in `image.pixels` and marks them 255 in
// `mask` (CV_8UC1, image size). Solid fill uses display black (0, or the maximum for
// MONOCHROME1) nudged to the nearest value that occurs nowhere in the box: the text is gone, and
// every redacted pixel still differs from what was there, so the redaction is verifiable.
void redact(PixelImage& image, const std::vector<cv::Rect>& boxes, const RedactionOptions& options, cv::Mat& mask);

}  // namespace medanon::pixel
