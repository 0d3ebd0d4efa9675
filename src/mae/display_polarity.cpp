#include "mae/display_polarity.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

namespace medanon::mae {
namespace {

constexpr int kOverview = 64;

double median_of(std::vector<float> values) {
  if (values.empty()) return 0;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

void append(const cv::Mat& overview, const cv::Rect& region, std::vector<float>& out) {
  for (int y = region.y; y < region.br().y; ++y)
    for (int x = region.x; x < region.br().x; ++x) out.push_back(overview.at<float>(y, x));
}

}  // namespace

double mediastinum_contrast(const cv::Mat& image) {
  if (image.empty() || image.channels() != 1) return 0;
  cv::Mat values, overview;
  image.convertTo(values, CV_32F);
  cv::resize(values, overview, cv::Size(kOverview, kOverview), 0, 0, cv::INTER_AREA);
  std::vector<float> sorted(overview.begin<float>(), overview.end<float>());
  std::sort(sorted.begin(), sorted.end());
  const double low = sorted[static_cast<std::size_t>(0.02 * (sorted.size() - 1))];
  const double high = sorted[static_cast<std::size_t>(0.98 * (sorted.size() - 1))];
  if (high - low <= 0) return 0;
  // Rows a quarter to three quarters down: below the apices and clavicles, above the diaphragm.
  // The column is the middle sixth; each lung field a sixth of the width, a sixth in from the edge.
  std::vector<float> column, lungs;
  append(overview, cv::Rect(27, 16, 10, 32), column);
  append(overview, cv::Rect(11, 16, 11, 22), lungs);
  append(overview, cv::Rect(42, 16, 11, 22), lungs);
  return (median_of(column) - median_of(lungs)) / (high - low);
}

bool looks_inverted(const cv::Mat& image) { return mediastinum_contrast(image) < kInvertedBelow; }

cv::Mat display_polarity(const cv::Mat& image) {
  if (!looks_inverted(image)) return image;
  double low = 0, high = 0;
  cv::minMaxLoc(image, &low, &high);
  cv::Mat mirrored;
  image.convertTo(mirrored, image.depth(), -1.0, low + high);
  return mirrored;
}

}  // namespace medanon::mae
