#pragma once
// Review overlays: what the pixel stages decided, drawn so a person can check it at a glance.
// Boxes: PHI redacted red, technical text kept green, central text flagged for review yellow;
// the foreign-object mask, when given, outlined in cyan.

#include <opencv2/core.hpp>

#include <vector>

#include "pixel/pixel_pipeline.hpp"

namespace medanon::evaluation {

// An 8-bit BGR picture of `image` (display sense, stretched) at most `max_rows` tall, with the
// detections' boxes and the optional foreign-object mask (CV_8UC1, image size, 255 = object).
cv::Mat render_review_overlay(const pixel::PixelImage& image, const std::vector<pixel::TextDetection>& detections,
                              const cv::Mat& foreign_object_mask = {}, int max_rows = 1024);

}  // namespace medanon::evaluation
