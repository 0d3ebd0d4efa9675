// The z-map as a [0, 1] anomaly map; see z_map_view.hpp.

#include "anomaly/z_map_view.hpp"

#include <opencv2/imgproc.hpp>

namespace medanon::anomaly {

cv::Mat z_map_view(const cv::Mat& z, double smoothing) {
  CV_Assert(z.type() == CV_32F);
  cv::Mat smoothed;
  if (smoothing > 0) {
    cv::GaussianBlur(z, smoothed, cv::Size(), smoothing);
  } else {
    smoothed = z.clone();
  }
  cv::Mat magnitude = cv::abs(smoothed) + 10.0;
  cv::Mat view;
  cv::divide(smoothed, magnitude, view);
  return view * 0.5 + 0.5;
}

}  // namespace medanon::anomaly
