// The z-map mask at the image's own resolution, trimmed to bright detail; see mask_refinement.hpp.

#include "anomaly/mask_refinement.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace medanon::anomaly {

namespace {

// Median of every k-th value, k chosen so at most ~256 k values are read: the spread of a
// radiograph's top-hat is the same in a sample, at a fraction of the cost at 2048 px.
double sampled_median(const cv::Mat& values, std::vector<float>& sample) {
  const std::size_t total = values.total();
  const std::size_t step = std::max<std::size_t>(1, total / (256 * 1024));
  sample.clear();
  const auto* data = values.ptr<float>();
  for (std::size_t i = 0; i < total; i += step) sample.push_back(data[i]);
  auto middle = sample.begin() + static_cast<std::ptrdiff_t>(sample.size() / 2);
  std::nth_element(sample.begin(), middle, sample.end());
  return *middle;
}

// A running minimum or maximum over a centred window of 2 r + 1 along every row, borders
// replicated: van Herk / Gil-Werman, three comparisons per pixel whatever r. OpenCV's rectangular
// morphology costs O(r) per pixel, and at 2048 px the wide square (r = 80) made the refinement
// most of `infer`'s time.
template <class Pick>
cv::Mat running_extreme_rows(const cv::Mat& in, int r, Pick pick) {
  CV_Assert(in.type() == CV_32F && r >= 0);
  cv::Mat out(in.size(), CV_32F);
  const int n = in.cols, k = 2 * r + 1;
  const int padded = n + 2 * r, blocks = (padded + k - 1) / k, length = blocks * k;
  std::vector<float> a(static_cast<std::size_t>(length)), g(a.size()), h(a.size());
  for (int y = 0; y < in.rows; ++y) {
    const float* row = in.ptr<float>(y);
    for (int i = 0; i < length; ++i) a[i] = row[std::clamp(i - r, 0, n - 1)];  // beyond the pad: the edge again
    for (int b = 0; b < length; b += k) {
      g[b] = a[b];
      for (int i = b + 1; i < b + k; ++i) g[i] = pick(g[i - 1], a[i]);
      h[b + k - 1] = a[b + k - 1];
      for (int i = b + k - 2; i >= b; --i) h[i] = pick(h[i + 1], a[i]);
    }
    float* o = out.ptr<float>(y);
    for (int x = 0; x < n; ++x) o[x] = pick(h[x], g[x + k - 1]);  // window a[x .. x + k - 1]
  }
  return out;
}

template <class Pick>
cv::Mat running_extreme(const cv::Mat& in, cv::Size radius, Pick pick) {
  cv::Mat across = running_extreme_rows(in, radius.width, pick), turned, down;
  cv::transpose(across, turned);
  cv::transpose(running_extreme_rows(turned, radius.height, pick), down);
  return down;
}

int scaled(double model_px, int image_side, int map_side) {
  return static_cast<int>(std::lround(model_px * image_side / map_side));
}

}  // namespace

MaskRefinementOptions in_map_pixels(MaskRefinementOptions options, double map_scale) {
  options.detail_radius *= map_scale;
  options.wide_detail_radius *= map_scale;
  options.grow *= map_scale;
  return options;
}

cv::Size detail_radius(const MaskRefinementOptions& options, cv::Size image, cv::Size map) {
  return {std::max(1, scaled(options.detail_radius, image.width, map.width)),
          std::max(1, scaled(options.detail_radius, image.height, map.height))};
}

cv::Mat square_opening(const cv::Mat& x, cv::Size radius) {
  const auto lower = [](float a, float b) { return std::min(a, b); };
  const auto upper = [](float a, float b) { return std::max(a, b); };
  return running_extreme(running_extreme(x, radius, lower), radius, upper);
}

cv::Mat bright_detail(const cv::Mat& image, cv::Size radius) {
  CV_Assert(image.channels() == 1 && (image.depth() == CV_8U || image.depth() == CV_16U));
  cv::Mat x;
  image.convertTo(x, CV_32F);
  cv::Mat detail = x - square_opening(x, radius);  // >= 0
  std::vector<float> sample;
  const double median = sampled_median(detail.isContinuous() ? detail : detail.clone(), sample);
  cv::Mat deviation = cv::abs(detail - median);
  // Stored values are integers: a MAD of 0 (most of a flat or 8-bit image) would make every
  // nonzero step "infinitely" bright, so the spread is at least one stored value.
  const double spread = std::max(1.4826 * sampled_median(deviation, sample), 1.0);
  return (detail - median) / spread;
}

cv::Mat refine_mask(const cv::Mat& map_mask, const cv::Mat& image, const MaskRefinementOptions& options,
                    cv::Mat* fine_detail) {
  CV_Assert(map_mask.type() == CV_8U && !image.empty());
  cv::Mat full;
  cv::resize(map_mask, full, image.size(), 0, 0, cv::INTER_NEAREST);
  if (!options.enabled || cv::countNonZero(full) == 0) return full;
  const int grow_x = scaled(options.grow, image.cols, map_mask.cols), grow_y = scaled(options.grow, image.rows, map_mask.rows);
  if (grow_x > 0 || grow_y > 0) {
    cv::dilate(full, full, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(2 * grow_x + 1, 2 * grow_y + 1)));
  }
  const cv::Mat detail = bright_detail(image, detail_radius(options, image.size(), map_mask.size()));
  if (fine_detail != nullptr) *fine_detail = detail;
  cv::Mat bright = detail > options.threshold;
  if (options.wide_detail_radius > 0) {
    MaskRefinementOptions wide = options;
    wide.detail_radius = options.wide_detail_radius;
    bright |= bright_detail(image, detail_radius(wide, image.size(), map_mask.size())) > options.threshold;
  }
  return full & bright;
}

}  // namespace medanon::anomaly
