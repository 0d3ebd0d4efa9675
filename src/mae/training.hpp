#pragma once
// Fine-tuning the MAE on the negatives of a PadChest-style corpus (the thesis' run_training),
// data-parallel over the ranks of a communicator (one rank = one process, as alone or under
// mpirun/srun). No torch types: app/train_command.cpp includes this.
//
// Data parallelism (issue #7): every rank holds the whole model; --batch-size images per rank per
// step, so the global batch is batch-size × world size and lr = blr · global batch / 256 (the MAE
// recipe's linear scaling: doubling the ranks doubles the batch and the lr). Each epoch's order is
// one seeded permutation, the same on every rank; each global step's window of it is cut into one
// equal slice per rank (mae/training_data.hpp). After backward the gradients are averaged with
// bucketed MPI_Iallreduce overlapped with backward (mae/gradient_averager.hpp), so all ranks apply
// the same update and hold bit-identical weights after every step.
//
// Checkpoint format (a zip readable by Python's torch.load and by medanon), version 2:
//   format 'medanon-mae-checkpoint', version 2, world_size (of the run that wrote it)
//   model       {name: tensor}     the state dict under PyTorch's names (upstream's ckpt['model'])
//   config      {name, img_size, patch_size, in_chans, embed_dim, depth, num_heads,
//                decoder_embed_dim, decoder_depth, decoder_num_heads, mlp_ratio, norm_pix_loss,
//                loss_on_all_patches}
//   optimizer   {exp_avg: {name: tensor}, exp_avg_sq: {name: tensor}, step: {name: int}}
//   epoch       completed epochs   step_in_epoch  completed steps of the current epoch
//   iteration   completed optimisation steps (the scheduler position: lr is a function of it)
//   global_batch  images per step over all ranks
//   rng         {torch_cpu: uint8 tensor}  torch's default generator (data order and masks do not
//               use it: they are functions of (seed, epoch, sample), see mae/training_data.hpp)
//   args        {option: value}    every training option, as the command line named it
// Version 1 files (issue #5: epoch boundaries only) still resume.
//
// Checkpoints are written as <out>/checkpoint-<iteration>.pth every --checkpoint-every steps, at
// each epoch end and when a stop is requested, by rank 0 only, after all ranks agreed on a digest
// of their weights and optimizer state; the last --keep-checkpoints stay. At the end, rank 0 also
// exports <out>/model.pth: the bare state dict. Resuming with the same world size continues bit
// for bit (CPU, fixed threads); with another world size the global batch stays that of the
// checkpoint and the result differs only by the order of the floating-point gradient sums.

#include <cstdint>
#include <functional>
#include <string>

#include "mpi/mpi_session.hpp"

namespace medanon::mae {

struct TrainOptions {
  std::string corpus;           // folder holding padchest/padchest_labels.csv and the PNGs
  std::string out;              // checkpoints: <out>/checkpoint-<step>.pth, export: <out>/model.pth
  std::string init_checkpoint;  // brats_pretrained-style weights to start from; empty: fresh init
  bool resume = false;          // continue from the latest checkpoint in out (start fresh if none)
  std::string resume_from;      // a medanon checkpoint to continue; overrides resume and init
  std::string model = "mae_vit_small_synth";
  std::string device = "auto";
  int threads = 1;
  int epochs = 30;
  int warmup_epochs = 3;
  int batch_size = 16;          // per rank: the global batch is batch_size × world size
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
  double max_minutes = 0.0;     // > 0: stop (with a checkpoint) after the step that passes it
  int checkpoint_every = 0;     // steps between checkpoints, besides epoch ends (0: epoch ends only)
  int keep_checkpoints = 3;
  int log_every = 20;           // steps between progress lines
  int check_every = 0;          // steps between cross-rank weight digest checks (0: checkpoints only)
  double bucket_mb = 2.0;       // gradient allreduce bucket size
};

struct TrainSummary {
  int epochs_done = 0;
  std::int64_t iterations = 0;
  std::int64_t steps_now = 0;        // steps taken by this run (after a resume: since it)
  double last_epoch_loss = 0.0;
  double seconds = 0.0;
  double images_per_second = 0.0;    // global images over the training steps of this run
  double allreduce_wait_share = 0.0; // share of the step time spent blocked in gradient allreduce
  double cpu_share = 0.0;            // CPU time / wall time of the ranks during steps (shared machines)
  std::size_t train_images = 0, validation_images = 0, test_images = 0;
  std::string checkpoint;            // the last checkpoint written
  std::string exported;              // <out>/model.pth when training completed
  std::string weights_digest;        // hex digest of the final weights and optimizer state
  bool interrupted = false;          // stopped on request (signal, --max-minutes): resume later
};

// Linear warmup then half-cycle cosine (MAE util/lr_sched.py), evaluated per iteration at the
// fractional epoch `epoch` = completed epochs + step / steps_per_epoch.
double learning_rate_at(double epoch, double peak_lr, double min_lr, int warmup_epochs, int epochs);

// Collective over `comm`: every rank calls it with the same options. Throws medanon::Error with
// Scope::all_ranks for what every rank decides together (a non-finite loss anywhere: exit code
// training_diverged; ranks whose weights differ: internal_error; a batch the world size does not
// divide), std::invalid_argument for bad options and std::runtime_error for an unreadable
// corpus or checkpoint (on the rank that found it). `log` is called on rank 0 only.
TrainSummary train_mae(const TrainOptions& options, const mpi::Communicator& comm,
                       const std::function<void(const std::string&)>& log);

}  // namespace medanon::mae
