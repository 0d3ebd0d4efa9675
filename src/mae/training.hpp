#pragma once
// Fine-tuning the MAE on the negatives of a PadChest-style corpus (the thesis' run_training), one
// process. No torch types: app/train_command.cpp includes this.
//
// One optimisation step is split so the data-parallel trainer (issue #7) can allreduce the
// gradients between backward and update: see MaeTrainer in mae/trainer.hpp.
//
// Checkpoint format (a zip readable by Python's torch.load and by medanon):
//   format 'medanon-mae-checkpoint', version 1, world_size
//   model       {name: tensor}     the state dict under PyTorch's names (upstream's ckpt['model'])
//   config      {name, img_size, patch_size, in_chans, embed_dim, depth, num_heads,
//                decoder_embed_dim, decoder_depth, decoder_num_heads, mlp_ratio, norm_pix_loss,
//                loss_on_all_patches}
//   optimizer   {exp_avg: {name: tensor}, exp_avg_sq: {name: tensor}, step: {name: int}}
//   epoch       completed epochs     iteration  completed optimisation steps
//   args        {option: value}    every training option, as the command line named it
// Resuming restores all of it; data order and masks are functions of (seed, epoch, iteration),
// so a resumed run continues with exactly the batches and masks of an uninterrupted one.

#include <cstdint>
#include <functional>
#include <string>

namespace medanon::mae {

struct TrainOptions {
  std::string corpus;           // folder holding padchest/padchest_labels.csv and the PNGs
  std::string out;              // checkpoints: <out>/checkpoint-last.pth, <out>/model.pth
  std::string init_checkpoint;  // brats_pretrained-style weights to start from; empty: fresh init
  std::string resume;           // a medanon checkpoint to continue; overrides init_checkpoint
  std::string model = "mae_vit_small_synth";
  std::string device = "auto";
  int threads = 1;
  int epochs = 30;
  int warmup_epochs = 3;
  int batch_size = 16;
  double blr = 1e-3;            // lr = blr * batch / 256 unless lr > 0
  double lr = 0.0;
  double min_lr = 0.0;
  double weight_decay = 0.05;
  double mask_ratio = 0.75;
  bool norm_pix_loss = false;
  std::uint64_t seed = 0;
  std::string intensity = "min-max";
  double train_fraction = 0.8;
  double validation_fraction = 0.1;
  double max_minutes = 0.0;     // > 0: stop (with a checkpoint) after the epoch that passes it
};

struct TrainSummary {
  int epochs_done = 0;
  std::int64_t iterations = 0;
  double last_epoch_loss = 0.0;
  double seconds = 0.0;
  std::size_t train_images = 0, validation_images = 0, test_images = 0;
  std::string checkpoint;  // the last checkpoint written
};

// Linear warmup then half-cycle cosine (MAE util/lr_sched.py), evaluated per iteration at the
// fractional epoch `epoch` = completed epochs + step / steps_per_epoch.
double learning_rate_at(double epoch, double peak_lr, double min_lr, int warmup_epochs, int epochs);

// Throws std::runtime_error (unreadable corpus, non-finite loss, unusable checkpoint).
TrainSummary train_mae(const TrainOptions& options, const std::function<void(const std::string&)>& log);

}  // namespace medanon::mae
