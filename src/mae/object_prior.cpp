// The foreign-object prior's network and its image preparation, mirroring
// scripts/train_fo_prior.py (parameter names included, so its state dict loads as saved).

#include "mae/object_prior.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <vector>

#include "core/errors.hpp"
#include "mae/checkpoint.hpp"
#include "mae/device.hpp"
#include "mae/object_prior_net.hpp"
#include "mae/torch_save_reader.hpp"

namespace medanon::mae {

namespace {

double number_in(const PyRef& config, const std::string& key, double fallback) {
  const PyRef value = config ? config->find(key) : nullptr;
  if (!value) return fallback;
  if (value->kind == PyValue::Kind::integer) return static_cast<double>(value->integer);
  if (value->kind == PyValue::Kind::floating) return value->floating;
  throw TorchSaveError("object prior: config '" + key + "' is a " + value->kind_name() + ", not a number");
}

}  // namespace

double image_percentile(const cv::Mat& image, double percent) {
  if (image.channels() != 1 || (image.depth() != CV_8U && image.depth() != CV_16U) || image.empty()) {
    throw InternalError("image_percentile: a non-empty one-channel 8- or 16-bit image");
  }
  std::vector<std::size_t> histogram(image.depth() == CV_8U ? 256 : 65536, 0);
  for (int r = 0; r < image.rows; ++r) {
    if (image.depth() == CV_8U) {
      for (const auto *p = image.ptr<std::uint8_t>(r), *end = p + image.cols; p != end; ++p) ++histogram[*p];
    } else {
      for (const auto *p = image.ptr<std::uint16_t>(r), *end = p + image.cols; p != end; ++p) ++histogram[*p];
    }
  }
  const double n = static_cast<double>(image.total());
  const double position = std::clamp(percent, 0.0, 100.0) / 100.0 * (n - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  // the values of order statistics `below` and `below + 1` (0-based), read off the cumulative counts
  std::array<double, 2> value{0, 0};
  std::size_t seen = 0, wanted = 0;
  for (std::size_t v = 0; v < histogram.size() && wanted < 2; ++v) {
    seen += histogram[v];
    while (wanted < 2 && below + wanted < seen) value[wanted++] = static_cast<double>(v);
  }
  if (wanted < 2) value[1] = value[0];  // `below` is the last pixel
  return value[0] + (position - static_cast<double>(below)) * (value[1] - value[0]);
}

struct ObjectPrior::Impl {
  ObjectPriorOptions options;
  torch::Device device{torch::kCPU};
  UNet net{nullptr};
  int view = 256;
  double window_low = 0.5, window_high = 99.9;
  std::vector<std::int64_t> channels;
  std::string report;
};

PriorCheckpoint load_prior_checkpoint(const std::string& path) {
  PriorCheckpoint p;
  const PyRef saved = read_torch_save(path);
  const PyRef config = saved->find("config");
  if (config) {
    const PyRef architecture = config->find("architecture");
    if (architecture && architecture->text != "unet") {
      throw TorchSaveError("object prior: architecture '" + architecture->text + "', this build knows 'unet'");
    }
    if (const PyRef channels = config->find("channels")) {
      for (const auto& c : channels->items) p.channels.push_back(c->integer);
    }
  }
  if (p.channels.empty()) p.channels = {12, 24, 48, 96};
  p.view = static_cast<int>(number_in(config, "view", 256));
  p.window_low = number_in(config, "window_low", 0.5);
  p.window_high = number_in(config, "window_high", 99.9);
  const int levels = static_cast<int>(p.channels.size());
  if (p.view < 16 || p.view % (1 << levels) != 0 || !(p.window_low < p.window_high)) {
    throw TorchSaveError("object prior: view " + std::to_string(p.view) + " must be a multiple of 2^" +
                         std::to_string(levels) + " and the window's low percentile below its high one");
  }
  p.net = UNet(p.channels);
  p.load_report = load_state_dict(*p.net, model_state_in(saved), /*strict=*/true).summary();
  p.net->eval();
  return p;
}

torch::Tensor windowed_view(const cv::Mat& image, int view, double low, double high) {
  cv::Mat windowed;
  image.convertTo(windowed, CV_32F, 1.0 / std::max(high - low, 1e-6), -low / std::max(high - low, 1e-6));
  windowed = cv::min(cv::max(windowed, 0.0), 1.0);
  if (!windowed.isContinuous()) windowed = windowed.clone();
  const auto input = torch::from_blob(windowed.ptr<float>(), {1, 1, image.rows, image.cols}, torch::kFloat32);
  return torch::adaptive_avg_pool2d(input, {view, view}).clone();  // = F.interpolate(mode="area")
}

torch::Tensor prior_input(const cv::Mat& image, int view, double window_low, double window_high) {
  return windowed_view(image, view, image_percentile(image, window_low), image_percentile(image, window_high));
}

ObjectPrior::ObjectPrior(const ObjectPriorOptions& options) : impl_(std::make_unique<Impl>()) {
  auto& d = *impl_;
  d.options = options;
  d.device = resolve_device(options.device);
  try {
    PriorCheckpoint loaded = load_prior_checkpoint(options.checkpoint);
    d.net = loaded.net;
    d.channels = loaded.channels;
    d.view = loaded.view;
    d.window_low = loaded.window_low;
    d.window_high = loaded.window_high;
    d.report = loaded.load_report;
  } catch (const TorchSaveError& e) {
    throw InputError(std::string(e.what()) + " (" + options.checkpoint + ")", Scope::all_ranks);
  }
  d.net->to(d.device);
  d.net->eval();
}

ObjectPrior::~ObjectPrior() = default;
ObjectPrior::ObjectPrior(ObjectPrior&&) noexcept = default;
ObjectPrior& ObjectPrior::operator=(ObjectPrior&&) noexcept = default;

int ObjectPrior::view() const { return impl_->view; }

std::string ObjectPrior::description() const {
  std::ostringstream s;
  s << "U-Net";
  for (std::size_t i = 0; i < impl_->channels.size(); ++i) s << (i == 0 ? " " : "-") << impl_->channels[i];
  s << " at " << impl_->view << " px on " << impl_->device << " (" << impl_->options.checkpoint << ": " << impl_->report
    << ")";
  return s.str();
}

cv::Mat ObjectPrior::probability(const cv::Mat& image) const {
  auto& d = *impl_;  // forward() is not const in LibTorch
  torch::InferenceMode inference;
  const auto view = prior_input(image, d.view, d.window_low, d.window_high).to(d.device);
  const auto probability = torch::sigmoid(d.net->forward(view));
  const auto full =
      nn::functional::interpolate(probability, nn::functional::InterpolateFuncOptions()
                                                   .size(std::vector<std::int64_t>{image.rows, image.cols})
                                                   .mode(torch::kBilinear)
                                                   .align_corners(false))
          .to(torch::kCPU)
          .contiguous();
  return cv::Mat(image.rows, image.cols, CV_32F, full.data_ptr<float>()).clone();
}

}  // namespace medanon::mae
