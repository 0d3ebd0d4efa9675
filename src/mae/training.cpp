// The data-parallel training loop: PadChest negatives -> MAE fine-tuning with AdamW, warmup +
// cosine learning rate per iteration, gradient averaging across ranks, checkpoints every K steps
// and per epoch after a cross-rank consistency check, exact resume, stop on request.

#include "mae/training.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/stop_signal.hpp"
#include "mpi/allreduce_request.hpp"
#include "mae/checkpoint.hpp"
#include "mae/checkpoint_files.hpp"
#include "mae/device.hpp"
#include "mae/gradient_averager.hpp"
#include "io/padchest_dataset.hpp"
#include "mae/trainer.hpp"
#include "mae/training_checkpoint.hpp"
#include "mae/training_data.hpp"

namespace medanon::mae {

double learning_rate_at(double epoch, double peak_lr, double min_lr, int warmup_epochs, int epochs) {
  if (epoch < warmup_epochs) return peak_lr * epoch / warmup_epochs;
  const double progress = (epoch - warmup_epochs) / std::max(1, epochs - warmup_epochs);
  return min_lr + (peak_lr - min_lr) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string hex(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::map<std::string, std::string> options_record(const TrainOptions& o, std::int64_t global_batch) {
  auto number = [](double v) {
    std::ostringstream s;
    s << v;
    return s.str();
  };
  return {{"corpus", o.corpus},       {"out", o.out},
          {"init-checkpoint", o.init_checkpoint}, {"model", o.model},
          {"epochs", std::to_string(o.epochs)},   {"warmup-epochs", std::to_string(o.warmup_epochs)},
          {"batch-size", std::to_string(o.batch_size)}, {"global-batch", std::to_string(global_batch)},
          {"blr", number(o.blr)},
          {"lr", number(o.lr)},               {"min-lr", number(o.min_lr)},
          {"weight-decay", number(o.weight_decay)}, {"mask-ratio", number(o.mask_ratio)},
          {"norm-pix-loss", o.norm_pix_loss ? "true" : "false"}, {"seed", std::to_string(o.seed)},
          {"intensity", o.intensity},         {"train-fraction", number(o.train_fraction)},
          {"validation-fraction", number(o.validation_fraction)}};
}

// Collective: every rank's digest of its training state; all ranks throw together when they differ.
std::uint64_t agreed_digest(MaeTrainer& trainer, const mpi::Communicator& comm, std::int64_t iteration) {
  const std::uint64_t mine = training_state_digest(trainer);
  long long as_signed;
  std::memcpy(&as_signed, &mine, sizeof mine);
  const long long highest = comm.allreduce_max(as_signed);
  log::rank_debug("step " + std::to_string(iteration) + " weights digest " + hex(mine));
  if (comm.allreduce_max(highest != as_signed ? 1 : 0) != 0) {
    throw InternalError("after step " + std::to_string(iteration) +
                            " the ranks hold different weights (digest mismatch): not writing a checkpoint",
                        Scope::all_ranks);
  }
  return mine;
}

// Collective: consistency check, then rank 0 writes the checkpoint atomically and rotates, then
// rank 0's outcome is broadcast: every rank leaves together, knowing the checkpoint is on disk
// (or all throw together when the write failed, e.g. a full disk). Leaving together also keeps
// the write out of the next step's time on the other ranks, which would otherwise wait for rank 0
// inside that step's gradient allreduce.
std::string write_checkpoint(MaeTrainer& trainer, const TrainingProgress& progress, const TrainOptions& options,
                             const mpi::Communicator& comm) {
  agreed_digest(trainer, comm, progress.iteration);
  const std::string path = checkpoint_path(options.out, progress.iteration);
  comm.run_on_root("writing checkpoint " + path + " failed", [&] {
    save_training_checkpoint(path, trainer, progress);
    remove_old_checkpoints(options.out, options.keep_checkpoints);
  });
  return path;
}

// The checkpoint to continue from, as rank 0 sees --out (every rank must use the same one).
std::string checkpoint_to_resume(const TrainOptions& options, const mpi::Communicator& comm) {
  if (!options.resume_from.empty()) return options.resume_from;
  if (!options.resume) return "";
  return comm.broadcast_string(comm.is_root() ? latest_checkpoint(options.out) : std::string());
}

struct ValidationLoss {
  double negatives = 0.0, positives = 0.0;
};

// Collective: mean masked loss of the validation negatives and positives, with fixed masks, each
// rank taking every world-th image.
ValidationLoss validate(MaeTrainer& trainer, const torch::Tensor& negatives, const torch::Tensor& positives,
                        std::int64_t first_positive, const TrainOptions& options, const mpi::Communicator& comm,
                        torch::Device device) {
  torch::NoGradGuard no_grad;
  trainer.model()->eval();
  const std::int64_t patches = trainer.model()->config().num_patches();
  std::vector<double> sums(4, 0.0);  // loss sum and count, negatives then positives
  auto run = [&](const torch::Tensor& images, std::int64_t index_base, std::size_t at) {
    const std::int64_t count = images.size(0);
    for (std::int64_t start = comm.rank() * options.batch_size; start < count;
         start += static_cast<std::int64_t>(comm.size()) * options.batch_size) {
      const std::int64_t n = std::min<std::int64_t>(options.batch_size, count - start);
      const auto noise = validation_noise(options.seed, index_base + start, n, patches).to(device);
      const auto loss = trainer.model()->forward(images.slice(0, start, start + n).to(device),
                                                 random_masking(noise, options.mask_ratio)).loss;
      sums[at] += loss.item<double>() * static_cast<double>(n);  // equal masked counts per image
      sums[at + 1] += static_cast<double>(n);
    }
  };
  run(negatives, 0, 0);
  run(positives, first_positive, 2);
  sums = comm.allreduce_sum(sums);
  ValidationLoss result;
  result.negatives = sums[1] > 0 ? sums[0] / sums[1] : std::nan("");
  result.positives = sums[3] > 0 ? sums[2] / sums[3] : std::nan("");
  return result;
}

void append_metrics(const std::string& path, const std::string& line) {
  const bool fresh = !fs::exists(path);
  std::ofstream file(path, std::ios::app);
  if (fresh) file << "epoch,iteration,world_size,train_loss,validation_loss_negatives,validation_loss_positives,lr,images_per_second\n";
  file << line << '\n';
}

// The training loop's fixed inputs and its running clocks: what train_one_epoch and
// finish_epoch share.
struct TrainingLoop {
  const TrainOptions& options;
  const mpi::Communicator& comm;
  const std::function<void(const std::string&)>& log;
  MaeTrainer& trainer;
  GradientAverager& averager;
  const torch::Tensor& data;  // every training image (any of them may be in this rank's slice)
  torch::Device device;
  Clock::time_point started;
  std::int64_t global_batch, batch, steps_per_epoch;
  double peak_lr;
  std::int64_t patches;
  double seconds = 0.0, cpu_seconds = 0.0, status_wait_seconds = 0.0;  // in steps, this run
  double window_seconds = 0.0, window_loss = 0.0;                        // since the last log line
  std::int64_t window_steps = 0;
  const std::string metrics = options.out + "/metrics.csv";
};

double images_per_second(const TrainingLoop& loop, const TrainSummary& summary) {
  return loop.seconds > 0 ? static_cast<double>(summary.steps_now * loop.global_batch) / loop.seconds : 0.0;
}

struct EpochOutcome {
  double loss_sum = 0.0;  // of the steps this run took in the epoch (the mean over ranks each)
  std::int64_t steps = 0;
  bool stop = false;      // a rank was asked to stop (signal or --max-minutes)
};

// Collective: one training step on every rank. Returns the mean loss over ranks and whether any
// rank must stop.
std::pair<double, bool> train_step(TrainingLoop& loop, const torch::Tensor& order, TrainingProgress& progress, double lr) {
  const mpi::Communicator& comm = loop.comm;
  const std::int64_t first = progress.step_in_epoch * loop.global_batch + comm.rank() * loop.batch;
  const auto images_batch = loop.data.index_select(0, order.slice(0, first, first + loop.batch)).to(loop.device);
  const auto noise = sample_noise(loop.options.seed, progress.epoch, first, loop.batch, loop.patches).to(loop.device);
  const torch::Tensor loss = loop.trainer.forward_loss(images_batch, noise);

  // One small collective decides for all ranks: the mean loss, whether any loss is non-finite,
  // whether any rank must stop. It is non-blocking and completes while backward runs, so a
  // step has one synchronisation point (the gradient buckets), not two: with two, every
  // jitter in one rank's forward pass also stalls the others. A non-finite loss still changes
  // nothing: its gradients are discarded before the update, on every rank.
  const double local = loss.item<double>();
  const bool over_time = loop.options.max_minutes > 0 && seconds_since(loop.started) / 60.0 > loop.options.max_minutes;
  std::array<double, 3> agreed{std::isfinite(local) ? local : 0.0, std::isfinite(local) ? 0.0 : 1.0,
                               stop_requested() || over_time ? 1.0 : 0.0};
  mpi::AllreduceRequest status;
  status.start_sum(agreed.data(), agreed.size(), comm.handle());
  loop.averager.begin_step();
  if (std::isfinite(local)) loss.backward();
  loop.averager.finish_step();

  const auto status_waiting = Clock::now();
  status.wait();  // started before the buckets, so almost always complete by now
  loop.status_wait_seconds += seconds_since(status_waiting);
  if (agreed[1] > 0) {
    throw Error(ExitCode::training_diverged,
                "non-finite loss on " + std::to_string(static_cast<int>(agreed[1])) + " rank(s) at epoch " +
                    std::to_string(progress.epoch) + " step " + std::to_string(progress.step_in_epoch) +
                    "; stopped on every rank, the last checkpoint stays the latest",
                Scope::all_ranks);
  }
  loop.trainer.apply_update(lr);
  return {agreed[0] / comm.size(), agreed[2] > 0};
}

// Collective: trains from progress.step_in_epoch to the epoch's end, or until a rank must stop
// (then a checkpoint is written, unless the stop landed on the epoch's last step).
EpochOutcome train_one_epoch(TrainingLoop& loop, TrainingProgress& progress, TrainSummary& summary) {
  const TrainOptions& options = loop.options;
  const auto order = epoch_order(options.seed, progress.epoch, loop.data.size(0));
  EpochOutcome epoch;
  while (progress.step_in_epoch < loop.steps_per_epoch && !epoch.stop) {
    const auto step_started = Clock::now();
    const std::clock_t step_cpu_started = std::clock();
    const double lr = learning_rate_at(
        static_cast<double>(progress.epoch) + static_cast<double>(progress.step_in_epoch) / loop.steps_per_epoch,
        loop.peak_lr, options.min_lr, options.warmup_epochs, options.epochs);
    const auto [mean_loss, stop] = train_step(loop, order, progress, lr);
    ++progress.iteration;
    ++progress.step_in_epoch;
    ++summary.steps_now;
    epoch.loss_sum += mean_loss;
    ++epoch.steps;
    epoch.stop = stop;

    const double step_seconds = seconds_since(step_started);
    loop.seconds += step_seconds;
    loop.cpu_seconds += static_cast<double>(std::clock() - step_cpu_started) / CLOCKS_PER_SEC;
    loop.window_seconds += step_seconds;
    loop.window_loss += mean_loss;
    ++loop.window_steps;
    if (options.log_every > 0 && loop.window_steps >= options.log_every) {
      char line[200];
      std::snprintf(line, sizeof line, "epoch %lld step %lld/%lld (iteration %lld): loss %.5f, lr %.3g, %.1f images/s",
                    static_cast<long long>(progress.epoch), static_cast<long long>(progress.step_in_epoch),
                    static_cast<long long>(loop.steps_per_epoch), static_cast<long long>(progress.iteration),
                    loop.window_loss / loop.window_steps, lr,
                    static_cast<double>(loop.window_steps * loop.global_batch) / loop.window_seconds);
      loop.log(line);
      loop.window_seconds = loop.window_loss = 0.0;
      loop.window_steps = 0;
    }
    if (options.check_every > 0 && progress.iteration % options.check_every == 0) {
      agreed_digest(loop.trainer, loop.comm, progress.iteration);
    }
    const bool epoch_end = progress.step_in_epoch == loop.steps_per_epoch;
    if (!epoch_end && (epoch.stop || (options.checkpoint_every > 0 && progress.iteration % options.checkpoint_every == 0))) {
      summary.checkpoint = write_checkpoint(loop.trainer, progress, options, loop.comm);
    }
  }
  return epoch;
}

// Collective, after an epoch's last step: validation, the epoch's checkpoint, metrics.csv, a log line.
void finish_epoch(TrainingLoop& loop, const EpochOutcome& epoch, const torch::Tensor& validation_negatives,
                  const torch::Tensor& validation_positives, TrainingProgress& progress, TrainSummary& summary) {
  const TrainOptions& options = loop.options;
  const double lr_now = learning_rate_at(static_cast<double>(progress.epoch + 1), loop.peak_lr, options.min_lr,
                                         options.warmup_epochs, options.epochs);
  ++progress.epoch;
  progress.step_in_epoch = 0;
  summary.last_epoch_loss = epoch.steps > 0 ? epoch.loss_sum / static_cast<double>(epoch.steps) : 0.0;
  const auto validation = validate(loop.trainer, validation_negatives, validation_positives,
                                   validation_negatives.size(0), options, loop.comm, loop.device);
  summary.checkpoint = write_checkpoint(loop.trainer, progress, options, loop.comm);
  if (loop.comm.is_root()) {
    std::ostringstream row;
    row << progress.epoch << ',' << progress.iteration << ',' << loop.comm.size() << ',' << summary.last_epoch_loss << ','
        << validation.negatives << ',' << validation.positives << ',' << lr_now << ',' << images_per_second(loop, summary);
    append_metrics(loop.metrics, row.str());
  }
  std::ostringstream line;
  line << "epoch " << progress.epoch << "/" << options.epochs << ": train loss " << summary.last_epoch_loss
       << ", validation loss " << validation.negatives << " (negatives) / " << validation.positives
       << " (positives), " << seconds_since(loop.started) / 60.0 << " min";
  loop.log(line.str());
}

}  // namespace

TrainSummary train_mae(const TrainOptions& options, const mpi::Communicator& comm,
                       const std::function<void(const std::string&)>& log) {
  const auto started = Clock::now();
  at::set_num_threads(options.threads);
  const torch::Device device = rank_device(options.device, comm);  // collective: before any rank can fail alone
  const std::string padchest = options.corpus + "/padchest";
  const int world = comm.size();

  io::PadChestSummary counts;
  const auto images = io::read_padchest_csv(padchest + "/padchest_labels.csv", &counts);
  const auto split = io::split_by_patient(images, options.seed, options.train_fraction, options.validation_fraction);
  TrainSummary summary;
  summary.train_images = split.train.size();
  summary.validation_images = split.validation.size();
  summary.test_images = split.test.size();
  log("PadChest CSV: " + std::to_string(counts.rows) + " rows, " + std::to_string(counts.kept) + " kept (" +
      std::to_string(counts.excluded_projection) + " projection, " + std::to_string(counts.excluded_label) +
      " label exclusions); split by patient: " + std::to_string(split.train.size()) + " train (negatives), " +
      std::to_string(split.validation.size()) + " validation, " + std::to_string(split.test.size()) + " test");

  // ---- model, optimizer and where to start ------------------------------------------------
  const std::string resume_path = checkpoint_to_resume(options, comm);
  if (options.resume && resume_path.empty()) log("--resume: no checkpoint in " + options.out + " yet, starting fresh");
  MaeConfig config = resume_path.empty() ? mae_config_by_name(options.model) : checkpoint_config(resume_path);
  config.norm_pix_loss = options.norm_pix_loss;
  torch::manual_seed(options.seed);  // the initial weights: the same on every rank
  MaskedAutoencoderViT model(config);
  if (resume_path.empty() && !options.init_checkpoint.empty()) {
    const auto loaded = load_checkpoint_into(*model, options.init_checkpoint, /*strict=*/false);
    if (!loaded.report.mismatched.empty() || loaded.report.loaded.empty()) {
      throw InputError(options.init_checkpoint + " does not fit " + config.name + ": " + loaded.report.summary(), Scope::all_ranks);
    }
    log("initialised from " + options.init_checkpoint + ": " + loaded.report.summary());
  }
  model->to(device);
  MaeTrainer trainer(model, options.weight_decay, options.mask_ratio);
  TrainingProgress progress;
  std::int64_t global_batch = static_cast<std::int64_t>(options.batch_size) * world;
  if (!resume_path.empty()) {
    progress = load_training_checkpoint(resume_path, trainer);
    // The global batch belongs to the run: a resume on another world size keeps it.
    if (progress.global_batch == 0) progress.global_batch = std::stoll(progress.args.at("batch-size"));
    if (progress.global_batch % world != 0) {
      throw UsageError(resume_path + " was trained with a global batch of " + std::to_string(progress.global_batch) +
                           ", which " + std::to_string(world) + " ranks cannot share equally",
                       Scope::all_ranks);
    }
    global_batch = progress.global_batch;
    log("resumed from " + resume_path + " (written by " + std::to_string(progress.world_size) + " rank(s)) at epoch " +
        std::to_string(progress.epoch) + " step " + std::to_string(progress.step_in_epoch) + ", iteration " +
        std::to_string(progress.iteration) +
        (progress.world_size == world ? "" : "; other world size: continues, but not bit for bit"));
  }
  const std::int64_t batch = global_batch / world;
  if (batch != options.batch_size) {
    log("per-rank batch " + std::to_string(batch) + " (the checkpoint's global batch " + std::to_string(global_batch) +
        " over " + std::to_string(world) + " ranks; --batch-size " + std::to_string(options.batch_size) + " ignored)");
  }
  progress.global_batch = global_batch;
  progress.world_size = world;
  progress.args = options_record(options, global_batch);
  if (split.train.size() < static_cast<std::size_t>(global_batch)) {
    throw UsageError("fewer training images (" + std::to_string(split.train.size()) + ") than one global batch (" +
                         std::to_string(global_batch) + ")",
                     Scope::all_ranks);
  }

  // ---- data: every rank holds the training images (any of them may be in its slice) ---------
  const int size = static_cast<int>(config.img_size);
  const auto intensity = intensity_mapping_from(options.intensity);
  const auto data = load_images(split.train, padchest, size, intensity);
  std::vector<io::PadChestImage> negatives, positives;
  for (const auto& image : split.validation) (image.has_foreign_object() ? positives : negatives).push_back(image);
  const auto validation_negatives = load_images(negatives, padchest, size, intensity);
  const auto validation_positives = load_images(positives, padchest, size, intensity);
  const std::int64_t count = data.size(0);
  const std::int64_t steps_per_epoch = count / global_batch;  // drop_last, as the thesis' DataLoader
  const double peak_lr = options.lr > 0 ? options.lr : options.blr * static_cast<double>(global_batch) / 256.0;
  log("model " + config.name + " on " + device.str() + ", " + std::to_string(world) + " rank(s) x " +
      std::to_string(options.threads) + " thread(s); global batch " + std::to_string(global_batch) + " (" +
      std::to_string(batch) + " per rank), " + std::to_string(steps_per_epoch) + " steps per epoch, peak lr " +
      std::to_string(peak_lr));

  // ---- the loop ------------------------------------------------------------------------------
  if (comm.is_root()) fs::create_directories(options.out);
  comm.barrier();  // --out exists before any rank relies on it
  GradientAverager averager(trainer.trained_parameters(), comm,
                            static_cast<std::size_t>(options.bucket_mb * 1024.0 * 1024.0));
  accept_stop_requests();  // SIGUSR1/SIGTERM from here on: finish the step, checkpoint, exit 6
  TrainingLoop loop{options, comm, log, trainer, averager, data, device, started, global_batch, batch,
                    steps_per_epoch, peak_lr, config.num_patches()};
  while (progress.epoch < options.epochs) {
    const EpochOutcome epoch = train_one_epoch(loop, progress, summary);
    if (progress.step_in_epoch < steps_per_epoch) {  // stopped on request, checkpoint written
      summary.interrupted = true;
      log("stop requested: checkpoint " + summary.checkpoint + " after iteration " + std::to_string(progress.iteration) +
          "; run again with --resume to continue");
      break;
    }
    finish_epoch(loop, epoch, validation_negatives, validation_positives, progress, summary);
    if (epoch.stop && progress.epoch < options.epochs) {  // the stop landed on an epoch's last step
      summary.interrupted = true;
      log("stop requested: checkpoint " + summary.checkpoint + "; run again with --resume to continue");
      break;
    }
  }

  summary.weights_digest = hex(agreed_digest(trainer, comm, progress.iteration));
  if (!summary.interrupted) {
    summary.exported = options.out + "/model.pth";
    if (comm.is_root()) export_state_dict(summary.exported, trainer);
  }
  summary.epochs_done = static_cast<int>(progress.epoch);
  summary.iterations = progress.iteration;
  summary.seconds = seconds_since(started);
  summary.images_per_second = images_per_second(loop, summary);
  summary.allreduce_wait_share =
      loop.seconds > 0 ? (averager.wait_seconds() + loop.status_wait_seconds) / loop.seconds : 0.0;
  // How much of a core each rank really had during its steps: on a shared machine a speed-up
  // below the rank count may only mean that the ranks did not get their cores.
  const auto cpu = comm.allreduce_sum({loop.cpu_seconds, loop.seconds});
  summary.cpu_share = cpu[1] > 0 ? cpu[0] / cpu[1] : 0.0;
  return summary;
}

}  // namespace medanon::mae
