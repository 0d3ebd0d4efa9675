#pragma once
// Calibration of the MAE's anomaly scores on known-normal images (negatives).
//
// A small MAE reconstructs some places worse than others in every image: lung borders, rib edges,
// the heart's outline. Raw reconstruction error therefore ranks a sharp rib above a thin wire. The
// calibration keeps, per pixel at model resolution, the mean and the standard deviation of the
// residual over negatives; an image's residual is then read as a z-map, (d - mean) / (sd + floor),
// and its image score `z_peak` is the mean of the z-map's highest 0.1 % (outside excluded pixels,
// e.g. redacted text). The decision threshold is a percentile of z_peak on other negatives than
// those that gave the statistics (the thesis' recipe: the 85th percentile of negatives).
//
// Files: the threshold file stays JSON ({"threshold": x, "score": ...}; a bare {"threshold": x}
// from earlier versions still reads, as a mask_score threshold); the per-pixel statistics go next
// to it as an OpenCV FileStorage file named in its "statistics" entry. No torch types.

#include <opencv2/core.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace medanon::anomaly {

struct AnomalyCalibration {
  std::string score = "mask_score";  // the image score the threshold applies to (mask_score | z_peak | object_peak)
  double threshold = -1.0;           // score > threshold => foreign object; < 0: no decision
  cv::Mat mean, spread;              // CV_32F, model resolution; empty: no z-map (z_peak is NaN)
  double floor = 0.01;               // added to the spread, so flat regions do not explode
  std::string residual;              // the residual the statistics were taken of (must match the detector's)
  // The object prior (mae/object_prior.hpp) an object_peak threshold was calibrated with: in the
  // file relative to its own folder (like the statistics), here resolved; empty: none.
  std::string object_prior;
  double z_peak_threshold = -1.0;  // with an object_peak threshold: z_peak's at the same percentile, for runs without the prior

  bool has_statistics() const { return !mean.empty(); }
  // An object_peak calibration used without its prior: the MAE alone decides, on z_peak at the
  // same percentile. False (and unchanged) when the file recorded no z_peak threshold.
  bool fall_back_to_z_peak();
  // (residual - mean) / (spread + floor); the residual must have the statistics' size.
  cv::Mat standardise(const cv::Mat& map) const;
};

// The mean of the highest `fraction` of `map`'s values (at least one), leaving out pixels where
// `exclude` (CV_8U, same size, optional) is non-zero. NaN when every pixel is excluded.
double top_mean(const cv::Mat& map, const cv::Mat& exclude, double fraction);

// An exclusion mask at the image's size brought to model resolution: a model pixel is excluded
// when any part of it was. Empty in, empty out.
cv::Mat exclusion_at(const cv::Mat& exclusion, cv::Size model_size);

// Per-pixel mean and standard deviation of same-sized CV_32F maps, kept as sums in double so that
// ranks can add theirs together (allreduce of to_sums()).
class PixelStatistics {
 public:
  PixelStatistics(int rows, int cols);
  void add(const cv::Mat& map);
  double count() const { return count_; }
  cv::Mat mean() const;
  cv::Mat standard_deviation() const;  // population (ddof 0)

  std::vector<double> to_sums() const;            // count, then the sums, then the sums of squares
  void from_sums(const std::vector<double>& sums);  // the inverse (same size)

 private:
  double count_ = 0;
  cv::Mat sum_, sum_squares_;  // CV_64F
};

// numpy.percentile (linear interpolation) of `values`; throws std::invalid_argument when empty.
double percentile(std::vector<double> values, double percent);

// The thesis' calibration: the given percentile (85) of mask_score over negative images,
// written as a threshold file; returns the threshold.
double calibrate_threshold(const std::vector<double>& negative_mask_scores, double percentile, const std::string& path);

// Reads a threshold file (and its statistics file when it names one). Throws std::runtime_error.
AnomalyCalibration read_calibration(const std::string& path);

// Writes `calibration` to `path` (JSON) and, with statistics, `<path without .json>.stats.yml.gz`;
// `details` (a JSON object's text, may be empty) is merged into the JSON for the record.
void write_calibration(const AnomalyCalibration& calibration, const std::string& path, const std::string& details = "");

}  // namespace medanon::anomaly
