#include "evaluation/review_overlay.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace medanon::evaluation {
namespace {

const cv::Scalar kRed(0, 0, 255), kGreen(0, 200, 0), kYellow(0, 230, 255), kCyan(255, 255, 0);

cv::Scalar colour_for(pixel::TextAction action) {
  switch (action) {
    case pixel::TextAction::redacted: return kRed;
    case pixel::TextAction::kept: return kGreen;
    case pixel::TextAction::review: return kYellow;
  }
  return kYellow;
}

}  // namespace

cv::Mat render_review_overlay(const pixel::PixelImage& image, const std::vector<pixel::TextDetection>& detections,
                              const cv::Mat& foreign_object_mask, int max_rows) {
  cv::Mat grey = image.pixels;
  if (image.is_colour()) cv::cvtColor(image.pixels, grey, cv::COLOR_BGR2GRAY);
  const double scale = std::min(1.0, static_cast<double>(max_rows) / grey.rows);
  cv::Mat small;
  cv::resize(grey, small, cv::Size(), scale, scale, cv::INTER_AREA);
  double low = 0, high = 0;
  cv::minMaxLoc(small, &low, &high);
  cv::Mat display;
  small.convertTo(display, CV_8U, high > low ? 255.0 / (high - low) : 1.0, high > low ? -low * 255.0 / (high - low) : 0);
  if (image.monochrome1) cv::bitwise_not(display, display);
  cv::Mat overlay;
  cv::cvtColor(display, overlay, cv::COLOR_GRAY2BGR);

  if (!foreign_object_mask.empty()) {
    cv::Mat mask;
    cv::resize(foreign_object_mask, mask, overlay.size(), 0, 0, cv::INTER_NEAREST);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    cv::drawContours(overlay, contours, -1, kCyan, 1, cv::LINE_AA);
  }
  const int thickness = std::max(1, overlay.rows / 500);
  for (const pixel::TextDetection& d : detections) {
    const cv::Rect box(cvFloor(d.box.x * scale), cvFloor(d.box.y * scale), std::max(1, cvCeil(d.box.width * scale)),
                       std::max(1, cvCeil(d.box.height * scale)));
    cv::rectangle(overlay, box, colour_for(d.action), thickness);
  }
  // The legend, so an overlay read on its own still says what the colours mean.
  int y = overlay.rows - 8;
  for (const auto& [label, colour] : std::vector<std::pair<const char*, cv::Scalar>>{
           {"review", kYellow}, {"kept", kGreen}, {"redacted PHI", kRed}}) {
    cv::putText(overlay, label, cv::Point(overlay.cols - 150, y), cv::FONT_HERSHEY_SIMPLEX, 0.45, colour, 1, cv::LINE_AA);
    y -= 16;
  }
  return overlay;
}

}  // namespace medanon::evaluation
