// The detector: checkpoint -> model on a device; images -> batched grid-masked reconstructions
// -> anomaly maps -> the thesis' masks and scores.

#include "mae/anomaly_detector.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "mae/checkpoint.hpp"
#include "mae/device.hpp"
#include "mae/radiograph_input.hpp"
#include "mae/reconstruction.hpp"

namespace medanon::mae {

namespace {

double peak_of(const cv::Mat& anomaly_map) {
  std::vector<float> values(anomaly_map.begin<float>(), anomaly_map.end<float>());
  const auto top = std::max<std::size_t>(1, values.size() / 200);  // the top 0.5 %
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(top), values.end(), std::greater<>());
  double sum = 0.0;
  for (std::size_t i = 0; i < top; ++i) sum += values[i];
  return sum / static_cast<double>(top);
}

cv::Mat plane_of(const torch::Tensor& batch, std::int64_t index) {  // [N, 1, H, W] -> CV_32F
  const auto plane = batch[index][0].contiguous().to(torch::kCPU);
  return cv::Mat(static_cast<int>(plane.size(0)), static_cast<int>(plane.size(1)), CV_32F, plane.data_ptr<float>()).clone();
}

}  // namespace

struct AnomalyDetector::Impl {
  DetectorOptions options;
  IntensityMapping intensity;
  torch::Device device{torch::kCPU};
  MaeConfig config;
  MaskedAutoencoderViT model{nullptr};
  std::vector<torch::Tensor> noises;  // [1, L] per trial, shared by every image
  std::string report;
};

AnomalyDetector::AnomalyDetector(const DetectorOptions& options) : impl_(std::make_unique<Impl>()) {
  auto& d = *impl_;
  d.options = options;
  d.intensity = intensity_mapping_from(options.intensity);
  if (options.trials < 1 || options.batch_size < 1 || options.threads < 1) {
    throw std::invalid_argument("trials, batch size and threads must be at least 1");
  }
  at::set_num_threads(options.threads);
  d.device = resolve_device(options.device);
  try {
    const PyRef saved = read_torch_save(options.checkpoint);
    d.config = config_from_checkpoint(saved, options.model);
    if (d.config.in_chans != 1) throw std::runtime_error("the detector feeds one-channel radiographs; model has in_chans " +
                                                         std::to_string(d.config.in_chans));
    d.model = MaskedAutoencoderViT(d.config);
    const auto loaded = load_state_dict(*d.model, model_state_in(saved), /*strict=*/false);
    if (!loaded.missing.empty() || !loaded.mismatched.empty()) {  // extra keys (e.g. a head) are harmless
      throw TorchSaveError("checkpoint does not fit " + d.config.name + ": " + loaded.summary());
    }
    d.report = loaded.summary();
  } catch (const TorchSaveError& e) {
    throw std::runtime_error(e.what());
  }
  d.model->to(d.device);
  d.model->eval();
  d.noises = trial_noises(1, d.config.num_patches(), options.trials, options.seed, d.device);
}

AnomalyDetector::~AnomalyDetector() = default;
AnomalyDetector::AnomalyDetector(AnomalyDetector&&) noexcept = default;
AnomalyDetector& AnomalyDetector::operator=(AnomalyDetector&&) noexcept = default;

int AnomalyDetector::input_size() const { return static_cast<int>(impl_->config.img_size); }

std::string AnomalyDetector::description() const {
  std::ostringstream s;
  s << impl_->config.name << " (" << impl_->config.img_size << " px, patch " << impl_->config.patch_size << ") on "
    << impl_->device << ", " << impl_->options.threads << " thread(s), " << impl_->options.trials
    << " grid-masking trials; checkpoint " << impl_->options.checkpoint << ": " << impl_->report;
  return s.str();
}

std::vector<ForeignObjectResult> AnomalyDetector::detect(const std::vector<cv::Mat>& images) {
  auto& d = *impl_;
  const int size = input_size();
  std::vector<ForeignObjectResult> results;
  results.reserve(images.size());
  for (std::size_t start = 0; start < images.size(); start += static_cast<std::size_t>(d.options.batch_size)) {
    const std::size_t end = std::min(images.size(), start + static_cast<std::size_t>(d.options.batch_size));
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
      r.anomaly_map = plane_of(reconstruction.anomaly, b);
      r.reconstruction = plane_of(reconstruction.average, b);
      const MaskResult mask = foreign_object_mask(r.anomaly_map, d.options.mask);
      r.mask = mask.mask;
      r.mask_score = mask.mask_score;
      r.anomaly_score = cv::mean(r.anomaly_map)[0];
      r.ssim_score = -structural_similarity(plane_of(inputs, b), r.reconstruction);
      r.peak_score = peak_of(r.anomaly_map);
      r.full_mask = to_original_size(r.mask, images[start + static_cast<std::size_t>(b)].size(), /*is_mask=*/true);
      r.foreign_object = d.options.threshold >= 0 && r.mask_score > d.options.threshold;
      results.push_back(std::move(r));
    }
  }
  return results;
}

}  // namespace medanon::mae
