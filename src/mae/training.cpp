// The single-process training loop: PadChest negatives -> MAE fine-tuning with AdamW, warmup +
// cosine learning rate per iteration, checkpoints per epoch, exact resume.

#include "mae/training.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "mae/checkpoint.hpp"
#include "mae/device.hpp"
#include "mae/padchest_dataset.hpp"
#include "mae/radiograph_input.hpp"
#include "mae/trainer.hpp"
#include "mae/training_checkpoint.hpp"

namespace medanon::mae {

double learning_rate_at(double epoch, double peak_lr, double min_lr, int warmup_epochs, int epochs) {
  if (epoch < warmup_epochs) return peak_lr * epoch / warmup_epochs;
  const double progress = (epoch - warmup_epochs) / std::max(1, epochs - warmup_epochs);
  return min_lr + (peak_lr - min_lr) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

namespace {

namespace fs = std::filesystem;

// Independent, reproducible streams: data order per epoch, masking noise per iteration.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index) {
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL ^ (purpose << 56) ^ index;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

torch::Tensor load_images(const std::vector<PadChestImage>& images, const std::string& root, int size,
                          IntensityMapping intensity) {
  auto out = torch::empty({static_cast<std::int64_t>(images.size()), 1, size, size});
  for (std::size_t i = 0; i < images.size(); ++i) {
    const cv::Mat input = model_input(read_radiograph(root + "/" + images[i].relative_path()), size, intensity);
    std::memcpy(out[static_cast<std::int64_t>(i)].data_ptr<float>(), input.ptr<float>(),
                sizeof(float) * static_cast<std::size_t>(size * size));
  }
  return out;
}

std::map<std::string, std::string> options_record(const TrainOptions& o) {
  auto number = [](double v) {
    std::ostringstream s;
    s << v;
    return s.str();
  };
  return {{"corpus", o.corpus},       {"out", o.out},
          {"init-checkpoint", o.init_checkpoint}, {"model", o.model},
          {"epochs", std::to_string(o.epochs)},   {"warmup-epochs", std::to_string(o.warmup_epochs)},
          {"batch-size", std::to_string(o.batch_size)}, {"blr", number(o.blr)},
          {"lr", number(o.lr)},               {"min-lr", number(o.min_lr)},
          {"weight-decay", number(o.weight_decay)}, {"mask-ratio", number(o.mask_ratio)},
          {"norm-pix-loss", o.norm_pix_loss ? "true" : "false"}, {"seed", std::to_string(o.seed)},
          {"intensity", o.intensity},         {"train-fraction", number(o.train_fraction)},
          {"validation-fraction", number(o.validation_fraction)}};
}

}  // namespace

TrainSummary train_mae(const TrainOptions& options, const std::function<void(const std::string&)>& log) {
  const auto started = std::chrono::steady_clock::now();
  at::set_num_threads(options.threads);
  const torch::Device device = resolve_device(options.device);
  const std::string padchest = options.corpus + "/padchest";

  PadChestSummary counts;
  const auto images = read_padchest_csv(padchest + "/padchest_labels.csv", &counts);
  const auto split = split_by_patient(images, options.seed, options.train_fraction, options.validation_fraction);
  TrainSummary summary;
  summary.train_images = split.train.size();
  summary.validation_images = split.validation.size();
  summary.test_images = split.test.size();
  log("PadChest CSV: " + std::to_string(counts.rows) + " rows, " + std::to_string(counts.kept) + " kept (" +
      std::to_string(counts.excluded_projection) + " projection, " + std::to_string(counts.excluded_label) +
      " label exclusions); split by patient: " + std::to_string(split.train.size()) + " train (negatives), " +
      std::to_string(split.validation.size()) + " validation, " + std::to_string(split.test.size()) + " test");
  if (split.train.size() < static_cast<std::size_t>(options.batch_size)) {
    throw std::runtime_error("fewer training images (" + std::to_string(split.train.size()) + ") than one batch");
  }

  // The architecture: a resumed checkpoint's own, else the named one.
  MaeConfig config = options.resume.empty() ? mae_config_by_name(options.model) : checkpoint_config(options.resume);
  config.norm_pix_loss = options.norm_pix_loss;
  torch::manual_seed(options.seed);  // the initial weights
  MaskedAutoencoderViT model(config);
  if (options.resume.empty() && !options.init_checkpoint.empty()) {
    const auto loaded = load_checkpoint_into(*model, options.init_checkpoint, /*strict=*/false);
    if (!loaded.report.mismatched.empty() || loaded.report.loaded.empty()) {
      throw std::runtime_error(options.init_checkpoint + " does not fit " + config.name + ": " + loaded.report.summary());
    }
    log("initialised from " + options.init_checkpoint + ": " + loaded.report.summary());
  }
  model->to(device);
  MaeTrainer trainer(model, options.weight_decay, options.mask_ratio);
  TrainingProgress progress;
  if (!options.resume.empty()) {
    progress = load_training_checkpoint(options.resume, trainer);
    log("resumed from " + options.resume + " after epoch " + std::to_string(progress.epoch));
  }
  progress.args = options_record(options);

  const auto data = load_images(split.train, padchest, static_cast<int>(config.img_size),
                                intensity_mapping_from(options.intensity));
  const std::int64_t count = data.size(0), batch = options.batch_size;
  const std::int64_t steps_per_epoch = count / batch;  // drop_last, as the thesis' DataLoader
  const double peak_lr = options.lr > 0 ? options.lr : options.blr * static_cast<double>(batch) / 256.0;
  log("model " + config.name + " on " + device.str() + ", " + std::to_string(options.threads) + " thread(s); " +
      std::to_string(steps_per_epoch) + " steps per epoch, peak lr " + std::to_string(peak_lr));

  fs::create_directories(options.out);
  summary.checkpoint = options.out + "/checkpoint-last.pth";
  for (auto epoch = progress.epoch; epoch < options.epochs; ++epoch) {
    auto order_generator = at::make_generator<at::CPUGeneratorImpl>(stream_seed(options.seed, 1, epoch));
    const auto order = torch::randperm(count, order_generator, torch::kLong);
    double loss_sum = 0.0;
    for (std::int64_t step = 0; step < steps_per_epoch; ++step) {
      const double lr = learning_rate_at(static_cast<double>(epoch) + static_cast<double>(step) / steps_per_epoch,
                                         peak_lr, options.min_lr, options.warmup_epochs, options.epochs);
      const auto images_batch = data.index_select(0, order.slice(0, step * batch, (step + 1) * batch)).to(device);
      auto noise_generator = at::make_generator<at::CPUGeneratorImpl>(stream_seed(options.seed, 2, progress.iteration));
      const auto noise = torch::rand({batch, config.num_patches()}, noise_generator).to(device);
      loss_sum += trainer.compute_gradients(images_batch, noise);
      trainer.apply_update(lr);
      ++progress.iteration;
    }
    progress.epoch = epoch + 1;
    summary.last_epoch_loss = loss_sum / static_cast<double>(steps_per_epoch);
    save_training_checkpoint(summary.checkpoint, trainer, progress);
    const double minutes =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60.0;
    std::ostringstream line;
    line << "epoch " << progress.epoch << "/" << options.epochs << ": loss " << summary.last_epoch_loss << ", "
         << minutes << " min";
    log(line.str());
    if (options.max_minutes > 0 && minutes > options.max_minutes && progress.epoch < options.epochs) {
      log("time budget of " + std::to_string(options.max_minutes) + " min reached; resume with --resume " +
          summary.checkpoint);
      break;
    }
  }
  summary.epochs_done = static_cast<int>(progress.epoch);
  summary.iterations = progress.iteration;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace medanon::mae
