// The detector: checkpoint -> model on a device; images -> batched grid-masked reconstructions
// -> anomaly maps -> the thesis' masks and scores.

#include "mae/anomaly_detector.hpp"
#include "core/errors.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "mae/checkpoint.hpp"
#include "mae/device.hpp"
#include "anomaly/foreign_object_mask.hpp"
#include "anomaly/object_fusion.hpp"
#include "mae/fine_map.hpp"
#include "mae/object_prior.hpp"
#include "mae/radiograph_input.hpp"
#include "mae/reconstruction.hpp"

namespace medanon::mae {

namespace {

cv::Mat plane_of(const torch::Tensor& batch, std::int64_t index) {  // [N, 1, H, W] -> CV_32F
  const auto plane = batch[index][0].contiguous().to(torch::kCPU);
  return cv::Mat(static_cast<int>(plane.size(0)), static_cast<int>(plane.size(1)), CV_32F, plane.data_ptr<float>()).clone();
}

// The residual the options name: the thesis' |x - clip(r)|, or the part where the image is brighter
// than its reconstruction (metal, wires and tubes are radio-opaque; dark-side errors are anatomy).
cv::Mat residual_of(const cv::Mat& input, const cv::Mat& average, bool positive) {
  cv::Mat clipped = cv::min(cv::max(average, 0.0), 1.0), residual = input - clipped;
  if (positive) return cv::max(residual, 0.0);
  return cv::abs(residual);
}

// Where the z-map mask's regions start: higher when the prior adds its sure pixels (the
// options' comment says why). detect() masks with it and description() reports it.
double mask_z_high(const DetectorOptions& options, bool with_prior) {
  return with_prior && options.prior_add_threshold > 0 ? options.mask_z_high_with_prior : options.zmap_mask.high;
}

}  // namespace

std::string effective_object_prior(const DetectorOptions& options) {
  if (options.object_prior == "none") return "";
  const std::string prior = options.object_prior.empty() ? options.calibration.object_prior : options.object_prior;
  if (!prior.empty() && !std::filesystem::exists(prior)) {
    throw InputError("object prior " + prior + " does not exist (models/fo_prior_synth.pth is made by "
                     "scripts/train-fo-prior.sh; --object-prior none runs without one)", Scope::all_ranks);
  }
  return prior;
}

struct AnomalyDetector::Impl {
  DetectorOptions options;
  IntensityMapping intensity;
  bool positive_residual = true;
  torch::Device device{torch::kCPU};
  MaeConfig config;
  MaskedAutoencoderViT model{nullptr};
  std::unique_ptr<ObjectPrior> prior;  // null without options.object_prior
  std::unique_ptr<anomaly::LeadMarkerReader> lead_markers;  // zmap masks with calibration statistics only
  std::vector<torch::Tensor> noises;  // [1, L] per trial, shared by every image
  std::string report;
};

AnomalyDetector::AnomalyDetector(const DetectorOptions& options) : impl_(std::make_unique<Impl>()) {
  auto& d = *impl_;
  d.options = options;
  d.intensity = intensity_mapping_from(options.intensity);
  if (options.residual != "positive" && options.residual != "abs") {
    throw UsageError("unknown residual '" + options.residual + "' (positive, abs)", Scope::all_ranks);
  }
  d.positive_residual = options.residual == "positive";
  if (options.calibration.has_statistics() && !options.calibration.residual.empty() &&
      options.calibration.residual != options.residual) {
    throw UsageError("the calibration was made with the " + options.calibration.residual +
                                " residual, the detector uses " + options.residual, Scope::all_ranks);
  }
  if (options.smoothing < 0) throw UsageError("smoothing must not be negative", Scope::all_ranks);
  if (options.mask_method != "zmap" && options.mask_method != "percentile") {
    throw UsageError("unknown mask method '" + options.mask_method + "' (zmap, percentile)", Scope::all_ranks);
  }
  if (options.zmap_mask.low > options.zmap_mask.high) {
    throw UsageError("the z-map mask's low threshold must not exceed its high threshold", Scope::all_ranks);
  }
  if (options.refinement.detail_radius <= 0 || options.refinement.wide_detail_radius < 0 ||
      options.refinement.grow < 0 || options.refinement.threshold < 0) {
    throw UsageError("mask refinement: the detail radius must be positive; the wide radius, growth and threshold "
                     "not negative", Scope::all_ranks);
  }
  if (options.map_size < 0) throw UsageError("map size must not be negative", Scope::all_ranks);
  if (options.prior_component_threshold < 0 || options.prior_component_threshold > 1) {
    throw UsageError("prior component threshold must be in [0, 1]", Scope::all_ranks);
  }
  if (options.prior_add_threshold < 0 || options.prior_add_threshold > 1) {
    throw UsageError("the prior's add threshold must lie in [0, 1]", Scope::all_ranks);
  }
  if (options.mask_z_high_with_prior < options.zmap_mask.low) {
    throw UsageError("the z-map mask's high threshold with a prior must not be below its low threshold",
                     Scope::all_ranks);
  }
  if (options.prior_mask_threshold < 0 || options.prior_mask_threshold > 1) {
    throw UsageError("the prior's mask threshold must lie in [0, 1]", Scope::all_ranks);
  }
  d.options.object_prior = effective_object_prior(options);
  // without the prior (--object-prior none), the MAE alone decides
  if (options.calibration.score == "object_peak" && d.options.object_prior.empty() &&
      !d.options.calibration.fall_back_to_z_peak()) {
    throw UsageError("the calibration decides on object_peak, which needs the object prior it was made with "
                     "(--object-prior)", Scope::all_ranks);
  }
  if (options.trials < 1 || options.batch_size < 1 || options.threads < 1) {
    throw UsageError("trials, batch size and threads must be at least 1", Scope::all_ranks);
  }
  at::set_num_threads(options.threads);
  d.device = resolve_device(options.device);
  try {
    const PyRef saved = read_torch_save(options.checkpoint);
    d.config = config_from_checkpoint(saved, options.model);
    if (d.config.in_chans != 1) throw InputError("the detector feeds one-channel radiographs; model has in_chans " +
                                                         std::to_string(d.config.in_chans), Scope::all_ranks);
    d.model = MaskedAutoencoderViT(d.config);
    const auto loaded = load_state_dict(*d.model, model_state_in(saved), /*strict=*/false);
    if (!loaded.missing.empty() || !loaded.mismatched.empty()) {  // extra keys (e.g. a head) are harmless
      throw TorchSaveError("checkpoint does not fit " + d.config.name + ": " + loaded.summary());
    }
    d.report = loaded.summary();
  } catch (const TorchSaveError& e) {
    throw InputError(e.what(), Scope::all_ranks);  // every rank reads the same checkpoint
  }
  d.model->to(d.device);
  d.model->eval();
  if (!d.options.object_prior.empty()) {
    d.prior = std::make_unique<ObjectPrior>(ObjectPriorOptions{d.options.object_prior, options.device});
  }
  if (options.mask_method == "zmap" && options.calibration.has_statistics()) {
    d.lead_markers = std::make_unique<anomaly::LeadMarkerReader>(options.lead_markers);
  }
  d.noises = trial_noises(1, d.config.num_patches(), options.trials, options.seed, d.device,
                          trial_masks_from(options.trial_masks));
  if (options.calibration.has_statistics() && options.calibration.mean.rows != map_size()) {
    throw UsageError("the calibration statistics (" + std::to_string(options.calibration.mean.rows) +
                         " px) do not have the map size " + std::to_string(map_size()) +
                         " (calibrate with the same --map-size)",
                     Scope::all_ranks);
  }
}

AnomalyDetector::~AnomalyDetector() = default;
AnomalyDetector::AnomalyDetector(AnomalyDetector&&) noexcept = default;
AnomalyDetector& AnomalyDetector::operator=(AnomalyDetector&&) noexcept = default;

int AnomalyDetector::input_size() const { return static_cast<int>(impl_->config.img_size); }

int AnomalyDetector::map_size() const { return impl_->options.map_size > 0 ? impl_->options.map_size : input_size(); }

std::string AnomalyDetector::description() const {
  std::ostringstream s;
  s << impl_->config.name << " (" << impl_->config.img_size << " px, patch " << impl_->config.patch_size << ") on "
    << impl_->device << ", " << impl_->options.threads << " thread(s), " << impl_->options.trials
    << " " << impl_->options.trial_masks << " grid-masking trials, " << impl_->options.residual
    << " residual, smoothing " << impl_->options.smoothing << ", map " << map_size() << " px; decision "
    << (impl_->options.calibration.threshold >= 0
            ? impl_->options.calibration.score + " > " + std::to_string(impl_->options.calibration.threshold)
            : std::string("none"))
    << "; masks "
    << (impl_->options.mask_method == "zmap" && impl_->options.calibration.has_statistics()
            ? "z-map hysteresis " + std::to_string(mask_z_high(impl_->options, impl_->prior != nullptr)) + "/" +
                  std::to_string(impl_->options.zmap_mask.low) +
                  (impl_->options.refinement.enabled ? ", refined to bright detail at full resolution" : "")
            : std::string("thesis (95th percentile of each image)"))
    << "; checkpoint " << impl_->options.checkpoint << ": " << impl_->report << "; object prior "
    << (impl_->prior ? impl_->prior->description() + ", masks kept where it is >= " +
                           std::to_string(impl_->options.prior_mask_threshold) + " (components where it reaches " +
                           std::to_string(impl_->options.prior_component_threshold) + "), added where it is >= " +
                           std::to_string(impl_->options.prior_add_threshold)
                     : std::string("none"))
    << "; lead markers "
    << (impl_->lead_markers == nullptr ? std::string("not read (no z-map masks)")
        : impl_->lead_markers->available()
            ? "read (a component read L or R at confidence >= " + std::to_string(impl_->options.lead_markers.min_confidence) +
                  " is left out)"
            : impl_->lead_markers->reason() + (impl_->options.lead_markers.enabled ? " (markers stay in the masks)" : ""));
  return s.str();
}

std::vector<ForeignObjectResult> AnomalyDetector::detect(const std::vector<cv::Mat>& images,
                                                        const std::vector<cv::Mat>& exclusions) {
  auto& d = *impl_;
  if (!exclusions.empty() && exclusions.size() != images.size()) {
    throw InternalError("one exclusion mask per image, or none");
  }
  const anomaly::AnomalyCalibration& calibration = d.options.calibration;
  const int size = input_size();
  const double map_scale = static_cast<double>(map_size()) / size;  // 1 on the thesis' path
  anomaly::ZMapMaskOptions zmap_options = scaled_for_map(d.options.zmap_mask, map_scale);
  zmap_options.high = mask_z_high(d.options, d.prior != nullptr);
  const anomaly::MaskRefinementOptions refinement = anomaly::in_map_pixels(d.options.refinement, map_scale);
  // z_peak, the masks and object_peak of a calibrated result (r.z_map set), with `exclusion` (the
  // image's size; empty: none) left out of all three. Run again with more left out, it starts over
  // from the z-map; the fused map does not depend on the exclusion and is kept.
  auto score_and_mask = [&](ForeignObjectResult& r, const cv::Mat& image, const cv::Mat& exclusion) {
    const cv::Mat exclude = exclusion.empty() ? cv::Mat() : anomaly::exclusion_at(exclusion, r.residual.size());
    r.z_peak = anomaly::top_mean(r.z_map, exclude, 0.001);
    if (d.options.mask_method == "zmap") {
      r.mask = anomaly::zmap_mask(r.z_map, exclude, zmap_options);
      r.full_mask = anomaly::refine_mask(r.mask, image, refinement, &r.bright_detail);
      if (d.prior) {
        anomaly::keep_where_prior(r.full_mask, r.object_probability, d.options.prior_mask_threshold);
        anomaly::keep_components_the_prior_sees(r.full_mask, r.object_probability, d.options.prior_component_threshold);
        anomaly::add_where_prior(r.full_mask, r.object_probability, d.options.prior_add_threshold);
        // the model-resolution mask (masks224/, the audit file's) takes the prior's sure pixels
        // too, after the full-resolution mask was refined from it without them
        anomaly::add_where_prior_pooled(r.mask, r.object_probability, d.options.prior_add_threshold);
        if (!exclude.empty()) r.mask.setTo(0, exclude);
      }
      if (!exclusion.empty()) r.full_mask.setTo(0, exclusion);
    }
    if (d.prior) {
      // the refinement's own top-hat where it ran; taken here otherwise, and kept for the caller
      if (r.bright_detail.empty()) {
        r.bright_detail = anomaly::bright_detail(image, anomaly::detail_radius(refinement, image.size(), r.z_map.size()));
      }
      if (r.fused_map.empty()) {
        r.fused_map = anomaly::fused_object_map(r.z_map, d.options.smoothing * map_scale, r.bright_detail,
                                                r.object_probability);
      }
      r.object_peak = anomaly::top_mean(r.fused_map, exclusion, 0.001);
    }
  };
  std::vector<ForeignObjectResult> results;
  results.reserve(images.size());
  // On CPU one image per forward pass: BLAS picks its kernels by matrix shape, so an image's map
  // could differ in the last bit with the size of the batch it lands in, and a resumed run (other
  // batches) would not equal an uninterrupted one. Measured: the same CPU time as batches of 8.
  // GPUs need the batch (and are not bit-reproducible anyway).
  const auto step = static_cast<std::size_t>(d.device.is_cpu() ? 1 : d.options.batch_size);
  for (std::size_t start = 0; start < images.size(); start += step) {
    const std::size_t end = std::min(images.size(), start + step);
    const auto batch = static_cast<std::int64_t>(end - start);
    auto inputs = torch::empty({batch, 1, size, size});
    for (std::size_t i = start; i < end; ++i) {
      const cv::Mat input = model_input(images[i], size, d.intensity);  // CV_32F [0, 1], contiguous
      std::memcpy(inputs[static_cast<std::int64_t>(i - start)].data_ptr<float>(), input.ptr<float>(),
                  sizeof(float) * static_cast<std::size_t>(size * size));
    }
    Reconstruction reconstruction;
    {
      torch::InferenceMode inference;
      std::vector<torch::Tensor> noises;
      for (const auto& noise : d.noises) noises.push_back(noise.expand({batch, -1}));
      reconstruction = reconstruct_with_grid_masking(d.model, inputs.to(d.device), noises);
    }
    for (std::int64_t b = 0; b < batch; ++b) {
      ForeignObjectResult r;
      const std::size_t image = start + static_cast<std::size_t>(b);
      const cv::Mat input = plane_of(inputs, b);
      r.reconstruction = plane_of(reconstruction.average, b);
      if (map_size() == size) {
        r.residual = residual_of(input, r.reconstruction, d.positive_residual);
      } else {
        const FineView fine = fine_view(images[image], r.reconstruction, map_size(), d.intensity);
        r.residual = residual_of(fine.input, fine.reconstruction, d.positive_residual);
      }
      // Objects are connected strokes and blobs, the residual of a good reconstruction is speckle:
      // a little smoothing separates them (pixel AUROC), the z-map keeps the unsmoothed residual
      // so that a small clip still stands out in z_peak.
      r.anomaly_map = r.residual.clone();
      if (d.options.smoothing > 0) cv::GaussianBlur(r.residual, r.anomaly_map, cv::Size(), d.options.smoothing * map_scale);
      const anomaly::MaskResult mask = anomaly::foreign_object_mask(r.anomaly_map, d.options.mask);
      r.mask = mask.mask;
      r.mask_score = mask.mask_score;
      r.anomaly_score = cv::mean(r.anomaly_map)[0];
      r.ssim_score = -anomaly::structural_similarity(input, r.reconstruction);
      r.peak_score = anomaly::top_mean(r.anomaly_map, cv::Mat(), 0.005);
      r.z_peak = r.object_peak = std::numeric_limits<double>::quiet_NaN();
      if (d.prior) r.object_probability = d.prior->probability(images[image]);
      if (calibration.has_statistics()) {
        r.z_map = calibration.standardise(r.residual);
        const cv::Mat given = exclusions.empty() ? cv::Mat() : exclusions[image];
        score_and_mask(r, images[image], given);
        // Lead markers are read in the mask they made, then left out like excluded text and the
        // image scored again: a marker raises z_peak as much as the mask.
        if (d.lead_markers && !r.full_mask.empty()) {
          r.lead_markers = d.lead_markers->read(images[image], r.full_mask);
          if (!r.lead_markers.empty()) {
            cv::Mat wider = anomaly::marker_mask(r.lead_markers, images[image].size());
            if (!given.empty()) cv::max(wider, given, wider);
            score_and_mask(r, images[image], wider);
          }
        }
      }
      if (r.full_mask.empty()) r.full_mask = to_original_size(r.mask, images[image].size(), /*is_mask=*/true);
      const double decisive = calibration.score == "z_peak" ? r.z_peak
                              : calibration.score == "object_peak" ? r.object_peak
                                                                   : r.mask_score;
      r.foreign_object = calibration.threshold >= 0 && decisive > calibration.threshold;
      results.push_back(std::move(r));
    }
  }
  return results;
}

}  // namespace medanon::mae
