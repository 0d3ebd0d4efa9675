// The z-map as a [0, 1] anomaly map; see z_map_view.hpp.

#include "anomaly/z_map_view.hpp"

#include <opencv2/imgproc.hpp>

namespace medanon::anomaly {

namespace {

cv::Mat smoothed_copy(const cv::Mat& z, double smoothing) {
  CV_Assert(z.type() == CV_32F);
  cv::Mat smoothed;
  if (smoothing > 0) {
    cv::GaussianBlur(z, smoothed, cv::Size(), smoothing);
  } else {
    smoothed = z.clone();
  }
  return smoothed;
}

cv::Mat view_of(const cv::Mat& value) {
  cv::Mat magnitude = cv::abs(value) + 10.0;
  cv::Mat view;
  cv::divide(value, magnitude, view);
  return view * 0.5 + 0.5;
}

}  // namespace

cv::Mat z_map_view(const cv::Mat& z, double smoothing) { return view_of(smoothed_copy(z, smoothing)); }

cv::Mat z_detail_view(const cv::Mat& z, double smoothing, const cv::Mat& detail, double weight) {
  CV_Assert(detail.type() == CV_32F);
  cv::Mat full, clipped;
  cv::resize(smoothed_copy(z, smoothing), full, detail.size(), 0, 0, cv::INTER_LINEAR);
  clipped = cv::min(cv::max(detail, 0.0), 20.0);
  return view_of(full + weight * clipped);
}

}  // namespace medanon::anomaly
