// The thesis' post-processing chain and the SSIM score.

#include "anomaly/foreign_object_mask.hpp"

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace medanon::anomaly {

cv::Mat normalise_to_8bit(const cv::Mat& anomaly_map) {
  double low = 0.0, high = 0.0;
  cv::minMaxLoc(anomaly_map, &low, &high);
  cv::Mat scaled;
  const double range = high - low;
  anomaly_map.convertTo(scaled, CV_32F, range > 0 ? 1.0 / range : 0.0, range > 0 ? -low / range : 0.0);
  cv::Mat out(anomaly_map.size(), CV_8U);
  // Truncation, not rounding: numpy's astype(np.uint8) on values in [0, 255].
  for (int y = 0; y < scaled.rows; ++y) {
    const float* in = scaled.ptr<float>(y);
    unsigned char* o = out.ptr<unsigned char>(y);
    for (int x = 0; x < scaled.cols; ++x) o[x] = static_cast<unsigned char>(std::clamp(in[x] * 255.0f, 0.0f, 255.0f));
  }
  return out;
}

double percentile_of(const cv::Mat& image8, double percentile) {
  std::vector<unsigned char> values(image8.begin<unsigned char>(), image8.end<unsigned char>());
  std::sort(values.begin(), values.end());
  const double rank = percentile / 100.0 * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const auto above = std::min(below + 1, values.size() - 1);
  return values[below] + (rank - static_cast<double>(below)) * (values[above] - values[below]);
}

MaskResult foreign_object_mask(const cv::Mat& anomaly_map, const MaskOptions& options) {
  MaskResult result;
  const cv::Mat difference = normalise_to_8bit(anomaly_map);
  cv::Mat contrast;
  cv::createCLAHE(options.clahe_clip_limit, cv::Size(options.clahe_tile_grid, options.clahe_tile_grid))
      ->apply(difference, contrast);
  cv::fastNlMeansDenoising(contrast, result.processed, options.denoise_h, options.denoise_template_window,
                           options.denoise_search_window);

  cv::Mat flagged;
  cv::threshold(result.processed, flagged, percentile_of(result.processed, options.threshold_percentile), 255,
                cv::THRESH_BINARY);
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(flagged, labels, stats, centroids, /*connectivity=*/8, CV_32S);
  std::vector<unsigned char> keep(static_cast<std::size_t>(count), 0);
  for (int i = 1; i < count; ++i) keep[i] = stats.at<int>(i, cv::CC_STAT_AREA) > options.min_component_area ? 255 : 0;
  cv::Mat components(flagged.size(), CV_8U);
  for (int y = 0; y < labels.rows; ++y) {
    const int* l = labels.ptr<int>(y);
    unsigned char* o = components.ptr<unsigned char>(y);
    for (int x = 0; x < labels.cols; ++x) o[x] = keep[static_cast<std::size_t>(l[x])];
  }
  const cv::Mat kernel =
      cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(options.close_kernel, options.close_kernel));
  cv::morphologyEx(components, result.mask, cv::MORPH_CLOSE, kernel, cv::Point(-1, -1), /*iterations=*/1);
  result.mask_score = static_cast<double>(cv::countNonZero(result.mask)) / static_cast<double>(result.mask.total());
  return result;
}

double structural_similarity(const cv::Mat& reference, const cv::Mat& other) {
  cv::Mat x, y;
  reference.convertTo(x, CV_64F);
  other.convertTo(y, CV_64F);
  double low = 0.0, high = 0.0;
  cv::minMaxLoc(x, &low, &high);
  const double data_range = high - low > 0 ? high - low : 1.0;
  constexpr int window = 7;
  constexpr double points = window * window;
  const double covariance_norm = points / (points - 1.0);  // sample covariance, as skimage
  const double c1 = std::pow(0.01 * data_range, 2), c2 = std::pow(0.03 * data_range, 2);
  auto mean = [](const cv::Mat& m) {
    cv::Mat out;
    cv::blur(m, out, cv::Size(window, window), cv::Point(-1, -1), cv::BORDER_REFLECT);
    return out;
  };
  const cv::Mat ux = mean(x), uy = mean(y);
  const cv::Mat vx = covariance_norm * (mean(x.mul(x)) - ux.mul(ux));
  const cv::Mat vy = covariance_norm * (mean(y.mul(y)) - uy.mul(uy));
  const cv::Mat vxy = covariance_norm * (mean(x.mul(y)) - ux.mul(uy));
  cv::Mat numerator = (2 * ux.mul(uy) + c1).mul(2 * vxy + c2);
  cv::Mat denominator = (ux.mul(ux) + uy.mul(uy) + c1).mul(vx + vy + c2);
  cv::Mat s;
  cv::divide(numerator, denominator, s);
  constexpr int pad = (window - 1) / 2;  // skimage averages away from the border
  return cv::mean(s(cv::Rect(pad, pad, s.cols - 2 * pad, s.rows - 2 * pad)))[0];
}

}  // namespace medanon::anomaly
