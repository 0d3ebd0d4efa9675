#pragma once
// Chest radiographs stored with their grey levels inverted: bone and metal dark, lungs bright.
// PadChest holds some (MONOCHROME1 pixel data written to PNG without the inversion a DICOM
// viewer applies), and so do exports of other archives. The MAE, its calibration and the object
// prior all learned bright bone and metal; on an inverted image the lungs between the ribs
// become the brightest "anomaly" and a wire turns dark. The foreign-object detector and its
// training therefore look at every radiograph in display polarity, turned back when it reads as
// inverted. Only the detector's view changes: anonymized images keep their stored values.
//
// The test is anatomical, on a 64 x 64 overview windowed to its 2-98th percentiles: on a frontal
// chest film the mediastinum and spine (the central column) are denser, so brighter, than the
// lung fields beside them. Inverted, the order flips. Measured on the independent generator's
// images (tests/fo_render, 1520 images of 5 seeds, 131 inverted): normal contrast >= 0.029,
// inverted <= -0.059; synth's radiographs >= 0.26. On an image that is no frontal chest film the
// test means nothing and may turn it: only the detector's view of it changes.

#include <opencv2/core.hpp>

namespace medanon::mae {

// Median of the central column minus the median of the two lung fields, in the overview's
// 2-98 % window: > 0 normal display, < 0 inverted; 0 for a flat image.
double mediastinum_contrast(const cv::Mat& image);

// Below this contrast an image is taken as inverted (a little under 0, so that a flat or
// non-chest image is left as stored).
constexpr double kInvertedBelow = -0.02;

bool looks_inverted(const cv::Mat& image);

// `image` (CV_8U or CV_16U, single channel) mirrored within its own value range
// (min + max - value) when it looks inverted; otherwise `image` itself (no copy).
cv::Mat display_polarity(const cv::Mat& image);

}  // namespace medanon::mae
