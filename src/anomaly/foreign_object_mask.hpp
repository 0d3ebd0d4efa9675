#pragma once
// From an anomaly map to a foreign-object mask, the thesis' post-processing
// (jr-chapman/foreign-object-anomaly-detection postprocessing/generate_masks.py): normalise the
// difference to 0-255, CLAHE, non-local-means denoising, threshold at a percentile, keep 8-connected
// components larger than a minimum area, morphological closing. Plus the image scores.
// OpenCV only; no torch types.

#include <opencv2/core.hpp>

namespace medanon::anomaly {

struct MaskOptions {
  double clahe_clip_limit = 2.0;
  int clahe_tile_grid = 8;           // 8 x 8 tiles
  float denoise_h = 5.0f;            // cv::fastNlMeansDenoising(h, template 7, search 21)
  int denoise_template_window = 7;
  int denoise_search_window = 21;
  double threshold_percentile = 95;  // pixels strictly above this percentile are flagged
  int min_component_area = 10;       // 8-connected components with area > this are kept
  int close_kernel = 2;              // elliptic kernel size of the closing
};

struct MaskResult {
  cv::Mat processed;  // CV_8U, the enhanced and denoised difference
  cv::Mat mask;       // CV_8U, 255 = foreign object
  double mask_score = 0.0;  // fraction of flagged pixels (the thesis' image score)
};

// (d - min) / (max - min) * 255, truncated to 8 bits like the thesis' astype(np.uint8).
cv::Mat normalise_to_8bit(const cv::Mat& anomaly_map);

// numpy.percentile's default (linear interpolation between order statistics) of an 8-bit image.
double percentile_of(const cv::Mat& image8, double percentile);

// The whole chain on a CV_32F anomaly map.
MaskResult foreign_object_mask(const cv::Mat& anomaly_map, const MaskOptions& options);

// skimage.metrics.structural_similarity with its defaults (7 x 7 uniform window, sample
// covariance, K1 0.01, K2 0.03), data_range = max - min of `reference` (1 when flat).
double structural_similarity(const cv::Mat& reference, const cv::Mat& other);

}  // namespace medanon::anomaly
