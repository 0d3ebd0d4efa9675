#pragma once
// The calibrated z-map as the published anomaly map (`infer --map-values z`, issue #15).
//
// Why: the residual map ranks pixels by raw reconstruction error, so every rib edge and lung
// border the MAE always reconstructs badly outranks a faint wire; the z-map reads each pixel
// against the negatives' own spread there (anomaly_calibration.hpp), which is what the masks and
// z_peak already use. Pixel AUROC is a ranking, so the map only has to be monotone in z: the view
// 0.5 + 0.5 z / (|z| + 10) maps every z into (0, 1) (the 16-bit PNG maps/ keeps values in
// [0, 1]) and keeps z = +-10 apart from z = +-40. No torch types.

#include <opencv2/core.hpp>

namespace medanon::anomaly {

// `z` CV_32F; `smoothing` a Gaussian sigma in the z-map's pixels applied first (0: none).
// Returns CV_32F in (0, 1), 0.5 where z = 0, strictly increasing in the (smoothed) z.
cv::Mat z_map_view(const cv::Mat& z, double smoothing);

// `infer --map-values z-detail`: the (smoothed) z-map brought to the image's own pixels
// (bilinear) plus `weight` x the image's bright detail (mask_refinement.hpp: the top-hat in
// robust standard deviations, clipped to [0, 20]), through the same view. The map-resolution
// z-map smears a 2-px wire over blocks of 2-9 px; the detail gives it back its own pixels. On the
// independent corpus' tuning seeds pixel AUROC 0.866 -> 0.913 at weight 0.5 (0.907 at 1).
// `detail` CV_32F at the image's size; returns CV_32F in (0, 1) at that size.
cv::Mat z_detail_view(const cv::Mat& z, double smoothing, const cv::Mat& detail, double weight);

// The weight infer and the fused map give the detail (of 0.5 and 1 on the independent corpus'
// tuning seeds, 0.5 ranked pixels better: 0.913 against 0.907).
constexpr double kZDetailWeight = 0.5;

}  // namespace medanon::anomaly
