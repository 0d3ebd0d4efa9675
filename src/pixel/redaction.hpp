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
  // Around each box, in image pixels: the detector's boxes lie within a pixel or two of the
  // painted ink, whose anti-aliased and blurred fringe grows with the letters, hence a share of
  // the box height for large text. 5 px for every size cost about 0.6 % of the non-text pixels
  // for no border PHI word more; 2 px + 8 % removes the same words (evaluate text, seeds 99, 7,
  // 2024), 1 px loses some.
  int padding_px = 2;
  double padding_fraction = 0.08;  // or this share of the box height, whichever is larger
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
