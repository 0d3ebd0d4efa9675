// Hysteresis on the calibrated z-map; see zmap_mask.hpp.

#include "anomaly/zmap_mask.hpp"

#include <opencv2/imgproc.hpp>

#include <vector>

namespace medanon::anomaly {

cv::Mat zmap_mask(const cv::Mat& z, const cv::Mat& exclude, const ZMapMaskOptions& options) {
  CV_Assert(z.type() == CV_32F);
  CV_Assert(exclude.empty() || (exclude.type() == CV_8U && exclude.size() == z.size()));
  // A new matrix for the blur: `smoothed = z` would share z's pixels and blur the caller's z-map
  // in place (infer publishes it with --write-zmaps).
  cv::Mat smoothed;
  if (options.smoothing > 0) {
    cv::GaussianBlur(z, smoothed, cv::Size(), options.smoothing);
  } else {
    smoothed = z;
  }

  cv::Mat candidate = smoothed >= options.low;  // CV_8U 0/255
  if (!exclude.empty()) candidate.setTo(0, exclude);
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(candidate, labels, stats, centroids, /*connectivity=*/8, CV_32S);

  // A component is kept when one of its pixels reaches `high` and it is large enough.
  std::vector<unsigned char> seeded(static_cast<std::size_t>(count), 0);
  for (int y = 0; y < z.rows; ++y) {
    const float* value = smoothed.ptr<float>(y);
    const int* label = labels.ptr<int>(y);
    for (int x = 0; x < z.cols; ++x) {
      if (label[x] > 0 && value[x] >= options.high) seeded[static_cast<std::size_t>(label[x])] = 1;
    }
  }
  std::vector<unsigned char> keep(static_cast<std::size_t>(count), 0);
  for (int i = 1; i < count; ++i) {
    keep[static_cast<std::size_t>(i)] = seeded[static_cast<std::size_t>(i)] != 0 &&
                                                stats.at<int>(i, cv::CC_STAT_AREA) >= options.min_area
                                            ? 255
                                            : 0;
  }
  cv::Mat mask(z.size(), CV_8U);
  for (int y = 0; y < z.rows; ++y) {
    const int* label = labels.ptr<int>(y);
    unsigned char* out = mask.ptr<unsigned char>(y);
    for (int x = 0; x < z.cols; ++x) out[x] = keep[static_cast<std::size_t>(label[x])];
  }
  return mask;
}

}  // namespace medanon::anomaly
