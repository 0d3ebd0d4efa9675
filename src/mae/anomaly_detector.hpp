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

#include "anomaly/anomaly_calibration.hpp"
#include "anomaly/foreign_object_mask.hpp"
#include "anomaly/lead_markers.hpp"
#include "anomaly/mask_refinement.hpp"
#include "anomaly/zmap_mask.hpp"

namespace medanon::mae {

struct DetectorOptions {
  std::string checkpoint;         // brats_pretrained-style or medanon training checkpoint (required)
  std::string model;              // architecture name; empty: the checkpoint's own
  std::string device = "auto";    // cpu | cuda | auto (cuda when available)
  int threads = 1;                // at::set_num_threads
  int batch_size = 8;             // images per forward pass on a GPU (on CPU always 1: see detect())
  int trials = 4;                 // grid-masking trials averaged (thesis: 4)
  std::uint64_t seed = 0;         // the trials' masks
  std::string intensity = "min-max";  // min-max (thesis) | percentile
  // Where the thesis and medanon differ, the thesis' choice is one option away:
  std::string trial_masks = "balanced";  // balanced | random (thesis); see reconstruction.hpp
  std::string residual = "positive";     // positive: max(x - r, 0), metal is brighter than tissue | abs (thesis)
  double smoothing = 1.5;                // Gaussian sigma (model pixels) of the published map; 0: none (thesis)
  anomaly::AnomalyCalibration calibration;        // threshold and per-pixel statistics (read_calibration)
  // zmap: hysteresis on the calibrated z-map (needs calibration statistics; without them the
  // thesis' chain runs); percentile: the thesis' chain (top 5 % of each image) always.
  std::string mask_method = "zmap";
  anomaly::MaskOptions mask;
  anomaly::ZMapMaskOptions zmap_mask;
  // zmap masks only: the full-resolution mask trimmed to bright detail (mask_refinement.hpp);
  // the thesis' chain is left as the thesis has it.
  anomaly::MaskRefinementOptions refinement;
  // Side of the anomaly map in px: 0 = the model's (224, the thesis); larger = the residual of the
  // image at that size against the upsampled reconstruction (fine_map.hpp). Smoothing and z-map
  // mask options stay in model pixels; calibration statistics must have this size.
  int map_size = 0;
  // The foreign-object prior (object_prior.hpp): its checkpoint; empty: the calibration's own
  // (the threshold file names the prior an object_peak threshold was made with); "none": no
  // prior, whatever the calibration names (effective_object_prior). With it every
  // result carries the prior's probability; with calibration statistics too, the fused map and
  // object_peak (object_fusion.hpp), and the zmap masks keep only pixels where the prior is at
  // least prior_mask_threshold (0, the default: the prior leaves the masks alone, because it
  // misses kinds synth never showed it, which the MAE finds; docs/foreign-objects.md).
  std::string object_prior;
  double prior_mask_threshold = 0;
  // Mask components in which the prior nowhere reaches this are dropped, the others kept whole
  // (object_fusion.hpp; 0: none).
  double prior_component_threshold = 0;
  // Then pixels where the prior reaches this join the mask (object_fusion.hpp; 0: none), and the
  // MAE's regions start at z >= mask_z_high_with_prior instead of zmap_mask.high: the prior takes
  // the thin lines for which the MAE's masks had to start low, so they can leave it the weak
  // anatomy there. Chosen on the independent corpus' tuning seeds (2601, docs/foreign-objects.md):
  // Dice 0.471 -> 0.578 with every kind still found (0.512 at z 6; 0.619 at z 10, clips at 5 / 8).
  double prior_add_threshold = 0.9;
  double mask_z_high_with_prior = 8.0;
  // zmap masks only: small mask components read as a lone L or R are lead markers, not objects
  // (anomaly/lead_markers.hpp); they leave the masks, z_peak and object_peak as excluded text does.
  anomaly::LeadMarkerOptions lead_markers;
};

struct ForeignObjectResult {
  cv::Mat anomaly_map;     // CV_32F, map_size() (the model's 224 x 224 by default): the residual, smoothed
  cv::Mat residual;        // CV_32F, map_size(): x - clip(reconstruction) as options.residual says
  cv::Mat reconstruction;  // CV_32F, model resolution, the averaged pasted reconstruction
  cv::Mat z_map;           // CV_32F, map_size(): the calibrated z-map (before the mask's smoothing); empty uncalibrated
  cv::Mat mask;            // CV_8U, map_size(), 255 = foreign object (mask_method's)
  cv::Mat full_mask;       // CV_8U, the input's resolution (zmap masks: refined there, mask_refinement.hpp)
  cv::Mat bright_detail;   // CV_32F, the input's resolution: the fine top-hat of the refinement or the fused map; empty when neither took it
  double mask_score = 0;     // fraction of the thesis' chain's masked pixels (its image score)
  double anomaly_score = 0;  // mean of the anomaly map (the thesis' "anomaly" error with its options)
  double ssim_score = 0;     // -SSIM(x, r) (the thesis' "ssim" error; higher = more anomalous)
  double peak_score = 0;     // mean of the top 0.5 % of the anomaly map (medanon's addition)
  double z_peak = 0;         // mean of the top 0.1 % of the calibrated z-map outside exclusions; NaN uncalibrated
  cv::Mat object_probability;  // CV_32F, the input's resolution: the prior's P(object); empty without a prior
  cv::Mat fused_map;           // CV_32F, the input's resolution: sqrt(z-detail view x prior); empty without both
  double object_peak = 0;      // mean of the top 0.1 % of fused_map outside exclusions; NaN without it
  bool foreign_object = false;  // the calibration's score > its threshold (false when no threshold is set)
  std::vector<anomaly::LeadMarker> lead_markers;  // mask components read as L / R, left out of everything above
};

// The prior the detector will load: options.object_prior, else the calibration's; "" for none.
// Throws InputError (all ranks) when the file is missing.
std::string effective_object_prior(const DetectorOptions& options);

class AnomalyDetector {
 public:
  explicit AnomalyDetector(const DetectorOptions& options);  // throws std::runtime_error
  ~AnomalyDetector();
  AnomalyDetector(AnomalyDetector&&) noexcept;
  AnomalyDetector& operator=(AnomalyDetector&&) noexcept;

  // One result per image, in order; on a GPU options.batch_size images per forward pass.
  // `images` in display polarity (display_polarity.hpp): the callers turn inverted films back,
  // since they also need the turned image themselves (infer's top-hats).
  // `exclusions` (empty, or one per image: CV_8U at the image's size, non-zero = leave out of
  // z_peak, e.g. redacted burned-in text, whose solid fill no radiograph resembles).
  std::vector<ForeignObjectResult> detect(const std::vector<cv::Mat>& images,
                                          const std::vector<cv::Mat>& exclusions = {});

  int input_size() const;            // the model's square input side (224)
  int map_size() const;              // the anomaly map's side (options.map_size, or input_size())
  std::string description() const;  // architecture, device, threads, checkpoint load report

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};


}  // namespace medanon::mae
