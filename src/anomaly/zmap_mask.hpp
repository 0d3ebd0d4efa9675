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

// Defaults chosen on the independent corpus' tuning seeds (tests/fo_render, eval 2601 / site
// 2602, after `adapt`; docs/foreign-objects.md): unsmoothed hysteresis 6 / 1.5 with regions of 2
// px gave Dice 0.382 and 14 / 18 kinds found, against 0.324 and 4 / 18 for the values first set on
// `synth` (sigma 1, 6 / 2, 6 px): a blur spreads a 1-px wire's z below `low` before it can grow.
struct ZMapMaskOptions {
  double smoothing = 0.0;  // Gaussian sigma (model pixels) applied to the z-map first; 0: none
  double high = 6.0;       // a region starts at a pixel with z >= high
  double low = 1.5;        // ... and grows over 8-connected pixels with z >= low
  int min_area = 2;        // components with fewer model pixels are dropped
};

// `z` CV_32F; `exclude` CV_8U of the same size (non-zero: never flagged, e.g. burned-in text) or
// empty. Returns CV_8U, 255 = foreign object.
cv::Mat zmap_mask(const cv::Mat& z, const cv::Mat& exclude, const ZMapMaskOptions& options);

}  // namespace medanon::anomaly
