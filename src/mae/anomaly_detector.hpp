#pragma once
// The MAE foreign-object detector behind an opaque API: no torch types, so the runner and the
// commands include this without paying for LibTorch's headers.
//
//   mae::AnomalyDetector detector(options);               // loads the checkpoint once
//   auto results = detector.detect({image_a, image_b});   // any size, CV_8U or CV_16U, 1 channel
//   results[0].full_mask                                   // 255 = foreign object, input resolution
//
// Deterministic: every image is reconstructed with the same seeded trial masks, whatever the
// batch it is in or the rank that runs it.

#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mae/foreign_object_mask.hpp"

namespace medanon::mae {

struct DetectorOptions {
  std::string checkpoint;         // brats_pretrained-style or medanon training checkpoint (required)
  std::string model;              // architecture name; empty: the checkpoint's own
  std::string device = "auto";    // cpu | cuda | auto (cuda when available)
  int threads = 1;                // at::set_num_threads
  int batch_size = 8;
  int trials = 4;                 // grid-masking trials averaged (thesis: 4)
  std::uint64_t seed = 0;         // the trials' masks
  std::string intensity = "min-max";  // min-max (thesis) | percentile
  double threshold = -1.0;        // mask_score above it => foreign object; < 0: no decision
  MaskOptions mask;
};

struct ForeignObjectResult {
  cv::Mat anomaly_map;     // CV_32F, model resolution (224 x 224): |x - clip(reconstruction)|
  cv::Mat reconstruction;  // CV_32F, model resolution, the averaged pasted reconstruction
  cv::Mat mask;            // CV_8U, model resolution, 255 = foreign object
  cv::Mat full_mask;       // CV_8U, the input's resolution
  double mask_score = 0;     // fraction of masked pixels (the thesis' image score)
  double anomaly_score = 0;  // mean |x - r| (the thesis' "anomaly" error)
  double ssim_score = 0;     // -SSIM(x, r) (the thesis' "ssim" error; higher = more anomalous)
  double peak_score = 0;     // mean of the top 0.5 % of the anomaly map (medanon's addition)
  bool foreign_object = false;  // mask_score > threshold (false when no threshold is set)
};

class AnomalyDetector {
 public:
  explicit AnomalyDetector(const DetectorOptions& options);  // throws std::runtime_error
  ~AnomalyDetector();
  AnomalyDetector(AnomalyDetector&&) noexcept;
  AnomalyDetector& operator=(AnomalyDetector&&) noexcept;

  // One result per image, in order; images are processed options.batch_size at a time.
  std::vector<ForeignObjectResult> detect(const std::vector<cv::Mat>& images);

  int input_size() const;            // the model's square input side (224)
  std::string description() const;  // architecture, device, threads, checkpoint load report

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medanon::mae
