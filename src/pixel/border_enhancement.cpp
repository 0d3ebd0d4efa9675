#include "pixel/border_enhancement.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

namespace medanon::pixel {
namespace {

// A region gets a display window of its own below this share of the view's window (see
// display_region).
constexpr double kOwnWindowBelow = 0.25;

// The 0.2th and 99.8th percentiles of the stored values (every `step`-th row and column): robust
// ends of a window, so one hot pixel or a black collimator edge does not squeeze the anatomy
// and the text into a few grey levels.
std::pair<int, int> robust_range(const cv::Mat& grey, int step) {
  const int levels = grey.depth() == CV_16U ? 65536 : 256;
  std::vector<int> histogram(static_cast<size_t>(levels), 0);
  for (int y = 0; y < grey.rows; y += step) {
    for (int x = 0; x < grey.cols; x += step) {
      const int v = grey.depth() == CV_16U ? grey.at<std::uint16_t>(y, x) : grey.at<std::uint8_t>(y, x);
      ++histogram[static_cast<size_t>(v)];
    }
  }
  long long total = 0;
  for (int count : histogram) total += count;
  auto percentile = [&](double p) {
    long long seen = 0;
    for (int v = 0; v < levels; ++v) {
      seen += histogram[static_cast<size_t>(v)];
      if (seen >= p * static_cast<double>(total)) return v;
    }
    return levels - 1;
  };
  const int low = percentile(0.002);
  return {low, std::max(low + 1, percentile(0.998))};
}

cv::Mat to_display_8bit(const cv::Mat& grey, bool monochrome1, double& display_low, double& display_high) {
  const auto [low, high] = robust_range(grey, 2);
  display_low = low, display_high = high;
  cv::Mat out;
  const double gain = 255.0 / (high - low);
  grey.convertTo(out, CV_8U, gain, -low * gain);
  if (monochrome1) cv::bitwise_not(out, out);
  return out;
}

}  // namespace

bool BorderGeometry::in_border(const cv::Rect& box) const {
  return box.br().y <= top || box.y >= image.height - bottom || box.br().x <= left || box.x >= image.width - right;
}

std::vector<cv::Rect> BorderGeometry::bands() const {
  const int middle = std::max(0, image.height - top - bottom);
  return {cv::Rect(0, 0, image.width, top), cv::Rect(0, image.height - bottom, image.width, bottom),
          cv::Rect(0, top, left, middle), cv::Rect(image.width - right, top, right, middle)};
}

BorderGeometry border_geometry(cv::Size image, double fraction, int min_margin_px) {
  BorderGeometry border;
  border.image = image;
  const double shorter = std::min(image.width, image.height);
  if (shorter < 1024) min_margin_px = cvRound(min_margin_px * shorter / 1024.0);
  const int horizontal = std::min(image.width / 2, std::max(min_margin_px, cvRound(fraction * image.width)));
  const int vertical = std::min(image.height / 2, std::max(min_margin_px, cvRound(fraction * image.height)));
  border.left = border.right = horizontal;
  border.top = border.bottom = vertical;
  return border;
}

cv::Rect DetectionView::to_image(const cv::Rect& view_box, cv::Size image_size) const {
  const int x0 = static_cast<int>(std::floor(view_box.x / scale)), y0 = static_cast<int>(std::floor(view_box.y / scale));
  const int x1 = static_cast<int>(std::ceil(view_box.br().x / scale)), y1 = static_cast<int>(std::ceil(view_box.br().y / scale));
  return cv::Rect(cv::Point(x0, y0), cv::Point(x1, y1)) & cv::Rect(cv::Point(0, 0), image_size);
}

cv::Rect DetectionView::to_view(const cv::Rect& image_box) const {
  const int x0 = static_cast<int>(std::floor(image_box.x * scale)), y0 = static_cast<int>(std::floor(image_box.y * scale));
  const int x1 = static_cast<int>(std::ceil(image_box.br().x * scale)), y1 = static_cast<int>(std::ceil(image_box.br().y * scale));
  return cv::Rect(cv::Point(x0, y0), cv::Point(x1, y1)) & cv::Rect(0, 0, grey.cols, grey.rows);
}

cv::Mat display_region(const PixelImage& image, const DetectionView& view, const cv::Rect& region, double scale,
                       const EnhanceOptions& options) {
  cv::Mat grey = image.pixels(region);
  if (image.is_colour()) cv::cvtColor(grey, grey, cv::COLOR_BGR2GRAY);
  cv::Mat scaled = grey;
  if (scale != 1.0) cv::resize(grey, scaled, cv::Size(), scale, scale, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  // The view's window, with a knee at each end the region goes past: text burned in brighter
  // than the anatomy's 99.8th percentile (grey letters on a white plate or a bright shutter) or
  // darker than its 0.2th would be one flat grey there. Past the window, values keep 16 levels,
  // which the CLAHE below stretches again.
  double lowest = 0, highest = 0;
  cv::minMaxLoc(scaled, &lowest, &highest);
  // A region whose own range is under a quarter of the view's (a dark corner of an image whose
  // window spans a bright collimator) would keep only a few tens of grey levels, and text a few
  // levels above its background there is invisible to the network: such a region gets a window
  // of its own. Regions of wider range keep the view's, so the network sees what it saw before
  // (a window stretched over a narrow but ordinary range turns anatomy into "text" as well).
  double low = view.display_low, high = std::max(view.display_low + 1, view.display_high);
  if (const auto [region_low, region_high] = robust_range(scaled, 1); region_high - region_low < kOwnWindowBelow * (high - low))
    low = region_low, high = region_high;
  const bool knee_low = lowest < low, knee_high = highest > high;
  const double floor_level = knee_low ? 16 : 0, ceiling_level = knee_high ? 239 : 255;
  cv::Mat values;
  scaled.convertTo(values, CV_32F);
  cv::Mat out(values.size(), CV_8U);
  for (int y = 0; y < values.rows; ++y) {
    const float* in = values.ptr<float>(y);
    std::uint8_t* row = out.ptr<std::uint8_t>(y);
    for (int x = 0; x < values.cols; ++x) {
      const double v = in[x];
      double level = floor_level + (v - low) * (ceiling_level - floor_level) / (high - low);
      if (v > high && knee_high) level = ceiling_level + (v - high) * (255 - ceiling_level) / std::max(1.0, highest - high);
      if (v < low && knee_low) level = (v - lowest) * floor_level / std::max(1.0, low - lowest);
      row[x] = cv::saturate_cast<std::uint8_t>(level);
    }
  }
  if (image.monochrome1) cv::bitwise_not(out, out);
  // The tile keeps its size in image pixels, as in the view's CLAHE.
  const double tile = options.clahe_tile_px * scale / std::max(1e-6, view.scale);
  const cv::Ptr<cv::CLAHE> clahe = cv::createCLAHE(options.clahe_clip_limit);
  clahe->setTilesGridSize(cv::Size(std::max(1, cvRound(out.cols / tile)), std::max(1, cvRound(out.rows / tile))));
  clahe->apply(out, out);
  return out;
}

DetectionView make_detection_view(const PixelImage& image, const EnhanceOptions& options) {
  DetectionView view;
  cv::Mat grey = image.pixels;
  if (image.is_colour()) cv::cvtColor(image.pixels, grey, cv::COLOR_BGR2GRAY);
  view.scale = std::min(1.0, static_cast<double>(options.working_height) / grey.rows);
  cv::Mat reduced = grey;
  if (view.scale < 1.0) cv::resize(grey, reduced, cv::Size(), view.scale, view.scale, cv::INTER_AREA);
  // always a new buffer: the input is never touched
  view.grey = to_display_8bit(reduced, image.monochrome1, view.display_low, view.display_high);
  view.border = border_geometry(view.grey.size(), options.border_fraction, 0);

  const cv::Ptr<cv::CLAHE> clahe = cv::createCLAHE(options.clahe_clip_limit);
  for (const cv::Rect& band : view.border.bands()) {
    if (band.empty()) continue;
    clahe->setTilesGridSize(cv::Size(std::max(1, band.width / options.clahe_tile_px),
                                     std::max(1, band.height / options.clahe_tile_px)));
    cv::Mat enhanced;
    clahe->apply(view.grey(band), enhanced);
    enhanced.copyTo(view.grey(band));
  }
  return view;
}

}  // namespace medanon::pixel
