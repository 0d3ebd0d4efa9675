#pragma once
// Stage 3, border preprocessing. Text detection works on its own 8-bit copy of the image,
// reduced to a working resolution (overlay text is sized for ~1000-row displays, so nothing is
// lost) and with CLAHE applied to the border bands only, where overlays live: faint text on
// collimator edges and plates becomes visible while the diagnostic pixels are never touched.

#include <opencv2/core.hpp>

#include <vector>

#include "pixel/pixel_image.hpp"

namespace medanon::pixel {

// Which part of an image counts as its border. Overlays sit in the outer `fraction` of each
// side (15 %, as in the seed); the redaction zone is at least `min_margin_px` deep so small
// images keep a usable margin, that margin shrinking in proportion below a shorter side of
// 1024 px (with 100 px a 256 px image would be all border; it keeps 25 px, its 15 % is 38).
struct BorderGeometry {
  cv::Size image;
  int top = 0, bottom = 0, left = 0, right = 0;  // band depths in pixels

  // True when `box` lies wholly within the band of one side: only there may pixels be altered.
  bool in_border(const cv::Rect& box) const;
  // The four bands (top and bottom full width, left and right between them).
  std::vector<cv::Rect> bands() const;
};
BorderGeometry border_geometry(cv::Size image, double fraction, int min_margin_px);

struct EnhanceOptions {
  double border_fraction = 0.15;
  double clahe_clip_limit = 2.0;
  int clahe_tile_px = 64;    // CLAHE tile side at working resolution
  int working_height = 1024; // larger images are reduced to about this many rows for detection
};

// The detection copy: 8-bit, MONOCHROME2 sense (bright = dense), at working resolution.
struct DetectionView {
  cv::Mat grey;        // CV_8UC1
  double scale = 1.0;  // view pixels per image pixel (<= 1)
  BorderGeometry border;  // in view pixels
  double display_low = 0, display_high = 255;  // stored values shown as 0 and 255

  cv::Rect to_image(const cv::Rect& view_box, cv::Size image_size) const;
  cv::Rect to_view(const cv::Rect& image_box) const;
};

DetectionView make_detection_view(const PixelImage& image, const EnhanceOptions& options);

// `region` of the image (image pixels) at `scale`, shown as in `view` (same window, MONOCHROME1
// inverted) with the band's CLAHE: the learned detector's input, at a resolution of its own. A
// region whose values span under a quarter of the view's window gets a window of its own.
cv::Mat display_region(const PixelImage& image, const DetectionView& view, const cv::Rect& region, double scale,
                       const EnhanceOptions& options);

}  // namespace medanon::pixel
