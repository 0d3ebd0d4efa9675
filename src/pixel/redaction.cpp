#include "pixel/redaction.hpp"

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace medanon::pixel {
namespace {

template <class T>
int unused_value_near_black(const cv::Mat& region, int black, int max_value) {
  std::vector<char> present(static_cast<size_t>(max_value) + 1, 0);
  for (int y = 0; y < region.rows; ++y) {
    const T* row = region.ptr<T>(y);
    for (int x = 0; x < region.cols; ++x) present[std::min<size_t>(row[x], present.size() - 1)] = 1;
  }
  const int step = black == 0 ? 1 : -1;
  for (int value = black; value >= 0 && value <= max_value; value += step) {
    if (!present[static_cast<size_t>(value)]) return value;
  }
  return black;
}

int solid_fill_value(const PixelImage& image, const cv::Mat& region) {
  const int max_value = image.pixels.depth() == CV_16U ? std::max(image.max_value(), 1) : 255;
  const int black = image.monochrome1 ? max_value : 0;
  return image.pixels.depth() == CV_16U ? unused_value_near_black<std::uint16_t>(region, black, max_value)
                                        : unused_value_near_black<std::uint8_t>(region, black, max_value);
}

}  // namespace

const char* to_string(FillMethod method) { return method == FillMethod::solid ? "solid" : "telea"; }

cv::Rect padded_box(const cv::Rect& box, cv::Size image, const RedactionOptions& options) {
  const int pad = std::max(options.padding_px, static_cast<int>(std::ceil(options.padding_fraction * box.height)));
  const cv::Rect padded(box.x - pad, box.y - pad, box.width + 2 * pad, box.height + 2 * pad);
  return padded & cv::Rect(cv::Point(0, 0), image);
}

void redact(PixelImage& image, const std::vector<cv::Rect>& boxes, const RedactionOptions& options, cv::Mat& mask) {
  if (mask.size() != image.pixels.size() || mask.type() != CV_8UC1) mask = cv::Mat::zeros(image.pixels.size(), CV_8UC1);
  const cv::Rect whole(cv::Point(0, 0), image.pixels.size());
  for (const cv::Rect& raw : boxes) {
    const cv::Rect box = raw & whole;
    if (box.empty()) continue;
    mask(box).setTo(255);
    if (options.method == FillMethod::solid) {
      const int value = solid_fill_value(image, image.pixels(box));
      image.pixels(box).setTo(cv::Scalar::all(value));
      continue;
    }
    // TELEA fills from the surrounding ring; a window of a few radii around the box suffices and
    // keeps the cost proportional to the box, not the image.
    const int reach = static_cast<int>(std::ceil(4 * options.telea_radius)) + 2;
    const cv::Rect window = cv::Rect(box.x - reach, box.y - reach, box.width + 2 * reach, box.height + 2 * reach) & whole;
    cv::Mat local_mask = cv::Mat::zeros(window.size(), CV_8UC1);
    local_mask(box - window.tl()).setTo(255);
    cv::Mat filled;
    cv::inpaint(image.pixels(window), local_mask, filled, options.telea_radius, cv::INPAINT_TELEA);
    filled.copyTo(image.pixels(window), local_mask);
  }
}

}  // namespace medanon::pixel
