#pragma once
// The foreign-object decision threshold as a file (JSON {"threshold": x, ...}): written by
// `evaluate fo --calibrate`, read by infer and the anonymize MAE stage. Torch-free, so the
// evaluation commands need no LibTorch.

#include <string>
#include <vector>

namespace medanon::mae {

// The decision threshold of a threshold file written by calibrate_threshold (JSON {"threshold": x}).
double read_threshold_file(const std::string& path);
// The thesis' calibration: the given percentile (85) of mask_score over negative images,
// written as JSON; returns the threshold.
double calibrate_threshold(const std::vector<double>& negative_mask_scores, double percentile, const std::string& path);


}  // namespace medanon::mae
