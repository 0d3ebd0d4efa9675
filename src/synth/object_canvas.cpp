#include "synth/object_canvas.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace medanon::synth {
namespace {

// OpenCV drawing takes fixed-point coordinates with this many fractional bits.
constexpr int kShift = 4;
constexpr float kOne = 1 << kShift;

// Below this a painted value is invisible under any exposure (the anatomy's own texture is
// ~100x stronger), so blur tails fainter than it are not part of the object.
constexpr float kInvisible = 0.004f;

std::vector<cv::Point> fixed_point(const Curve& curve, cv::Point2f offset) {
  std::vector<cv::Point> points;
  points.reserve(curve.size());
  for (const auto& p : curve) points.emplace_back(cvRound((p.x + offset.x) * kOne), cvRound((p.y + offset.y) * kOne));
  return points;
}

cv::Rect2f extent_of(const Curve& curve, float margin) {
  if (curve.empty()) return {};
  float x0 = curve[0].x, x1 = x0, y0 = curve[0].y, y1 = y0;
  for (const auto& p : curve) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  return {x0 - margin, y0 - margin, x1 - x0 + 2 * margin, y1 - y0 + 2 * margin};
}

}  // namespace

ObjectCanvas::ObjectCanvas(cv::Size size) : density_(cv::Mat::zeros(size, CV_32FC1)) {}

template <class Draw>
void ObjectCanvas::paint(cv::Rect2f extent, float value, Blend blend, Draw draw) {
  const cv::Rect whole(0, 0, density_.cols, density_.rows);
  const cv::Rect roi =
      cv::Rect(cvFloor(extent.x) - 2, cvFloor(extent.y) - 2, cvCeil(extent.width) + 5, cvCeil(extent.height) + 5) &
      whole;
  if (roi.empty()) return;
  cv::Mat coverage = cv::Mat::zeros(roi.size(), CV_8UC1);
  draw(coverage, cv::Point2f(static_cast<float>(-roi.x), static_cast<float>(-roi.y)));
  for (int y = 0; y < roi.height; ++y) {
    const std::uint8_t* cover = coverage.ptr<std::uint8_t>(y);
    float* target = density_.ptr<float>(roi.y + y) + roi.x;
    for (int x = 0; x < roi.width; ++x) {
      if (cover[x] == 0) continue;
      const float weight = static_cast<float>(cover[x]) / 255.f;
      target[x] += (blend == Blend::add ? value : value - target[x]) * weight;
    }
  }
}

void ObjectCanvas::stroke(const Curve& curve, float thickness_px, float value, Blend blend) {
  if (curve.size() < 2) return;
  const float width = std::max(1.f, thickness_px);
  const float faded = thickness_px < 1.f ? value * std::max(thickness_px, 0.f) : value;
  const int thickness = std::max(1, cvRound(width));
  paint(extent_of(curve, width), faded, blend, [&](cv::Mat& coverage, cv::Point2f offset) {
    cv::polylines(coverage, fixed_point(curve, offset), false, cv::Scalar(255), thickness, cv::LINE_AA, kShift);
  });
}

void ObjectCanvas::stroke_closed(const Curve& outline, float thickness_px, float value, Blend blend) {
  if (outline.size() < 2) return;
  Curve closed = outline;
  closed.push_back(outline.front());
  stroke(closed, thickness_px, value, blend);
}

void ObjectCanvas::fill_polygon(const Curve& outline, float value, Blend blend) {
  if (outline.size() < 3) return;
  paint(extent_of(outline, 1.f), value, blend, [&](cv::Mat& coverage, cv::Point2f offset) {
    const std::vector<std::vector<cv::Point>> polygons{fixed_point(outline, offset)};
    cv::fillPoly(coverage, polygons, cv::Scalar(255), cv::LINE_AA, kShift);
  });
}

void ObjectCanvas::fill_circle(cv::Point2f center, float radius_px, float value, Blend blend) {
  const float radius = std::max(radius_px, 0.5f);
  paint(cv::Rect2f(center.x - radius, center.y - radius, 2 * radius, 2 * radius), value, blend,
        [&](cv::Mat& coverage, cv::Point2f offset) {
          const cv::Point c(cvRound((center.x + offset.x) * kOne), cvRound((center.y + offset.y) * kOne));
          cv::circle(coverage, c, cvRound(radius * kOne), cv::Scalar(255), cv::FILLED, cv::LINE_AA, kShift);
        });
}

void ObjectCanvas::soften(double sigma_px) {
  cv::Mat painted = density_ > 0;
  const cv::Rect drawn = cv::boundingRect(painted);
  if (drawn.empty() || sigma_px <= 0) return;
  const int reach = static_cast<int>(std::ceil(3 * sigma_px));
  const cv::Rect roi = cv::Rect(drawn.x - reach, drawn.y - reach, drawn.width + 2 * reach, drawn.height + 2 * reach) &
                       cv::Rect(0, 0, density_.cols, density_.rows);
  cv::Mat region = density_(roi);
  cv::GaussianBlur(region, region, cv::Size(2 * reach + 1, 2 * reach + 1), sigma_px, sigma_px, cv::BORDER_REPLICATE);
  cv::threshold(region, region, kInvisible, 0, cv::THRESH_TOZERO);
}

}  // namespace medanon::synth
