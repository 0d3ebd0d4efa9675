#pragma once
// A foreign-object mask from the calibrated z-map (issue #15), instead of the thesis' rule that
// flags the top 5 % of every image whatever it holds (so its Dice is capped by the object's share
// of the image, and a normal image is 5 % "foreign").
//
// The z-map is read against the negatives' own spread (anomaly_calibration.hpp), so one pair of
// thresholds means the same thing at every pixel: hysteresis (Canny's rule, applied to regions)
// keeps the pixels above `low` that are connected to a pixel above `high`, so a wire is followed
// along its whole faint length from its brightest point while isolated speckle never starts a
// region. Components smaller than `min_area` model pixels are dropped (a single noisy patch is not
// an object). No torch types.

#include <opencv2/core.hpp>

namespace medanon::anomaly {

struct ZMapMaskOptions {
  double smoothing = 1.0;  // Gaussian sigma (model pixels) applied to the z-map first; 0: none
  double high = 6.0;       // a region starts at a pixel with z >= high
  double low = 2.0;        // ... and grows over 8-connected pixels with z >= low
  int min_area = 6;        // components with fewer model pixels are dropped
};

// `z` CV_32F; `exclude` CV_8U of the same size (non-zero: never flagged, e.g. burned-in text) or
// empty. Returns CV_8U, 255 = foreign object.
cv::Mat zmap_mask(const cv::Mat& z, const cv::Mat& exclude, const ZMapMaskOptions& options);

}  // namespace medanon::anomaly
