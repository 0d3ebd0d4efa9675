// `medanon train`: fine-tune the MAE on the negatives of a PadChest-style corpus, alone or
// data-parallel under mpirun/srun (every rank trains; see mae/training.hpp). The training runs in
// the LibTorch plugin, loaded when this command runs (app/torch_plugin.hpp).

#include <cstdio>
#include <memory>

#include "app/command.hpp"
#include "app/torch_plugin.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "mae/training.hpp"

namespace medanon::app {
namespace {

void print_summary(const mae::TrainSummary& s, int ranks) {
  std::printf("train: %s after %d epochs, %lld steps (%lld now on %d rank(s)), last epoch loss %.5f, %.1f s, "
              "%.2f images/s, allreduce wait %.1f %% of step time, CPU %.0f %% of wall per rank; %zu train / %zu validation / %zu test images; "
              "checkpoint %s; weights digest %s%s%s\n",
              s.interrupted ? "STOPPED (resume with --resume)" : "complete", s.epochs_done,
              static_cast<long long>(s.iterations), static_cast<long long>(s.steps_now), ranks, s.last_epoch_loss,
              s.seconds, s.images_per_second, 100.0 * s.allreduce_wait_share, 100.0 * s.cpu_share, s.train_images, s.validation_images,
              s.test_images, s.checkpoint.c_str(), s.weights_digest.c_str(), s.exported.empty() ? "" : "; exported ",
              s.exported.c_str());
  std::fflush(stdout);
}

}  // namespace

Command setup_train(CLI::App& parent) {
  auto o = std::make_shared<mae::TrainOptions>();
  CLI::App* command = parent.add_subcommand(
      "train", "fine-tune the MAE foreign-object model on a corpus's negatives (data-parallel under mpirun/srun)");
  add_config_option(*command, "configs/train.toml");
  command->add_option("--corpus", o->corpus, "folder with padchest/padchest_labels.csv")->required();
  command->add_option("--out", o->out, "checkpoint folder (checkpoint-<step>.pth, metrics.csv, model.pth)")->required();
  command->add_option("--init-checkpoint", o->init_checkpoint, "brats_pretrained-style weights to start from");
  command->add_flag("--resume", o->resume, "continue from the latest checkpoint in --out (start fresh if none)")
      ->capture_default_str();
  command->add_option("--resume-from", o->resume_from, "continue exactly from this medanon checkpoint");
  command->add_option("--model", o->model, "mae_vit_base_patch16, mae_vit_small_synth or mae_vit_tiny_test")
      ->capture_default_str();
  command->add_option("--device", o->device, "cpu, cuda or auto (CUDA when this LibTorch has it and a GPU is visible)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  command->add_option("--threads", o->threads, "torch threads per rank")->check(CLI::Range(1, 256))->capture_default_str();
  command->add_option("--epochs", o->epochs, "epochs in total")->check(CLI::Range(1, 100000))->capture_default_str();
  command->add_option("--warmup-epochs", o->warmup_epochs, "linear warmup epochs")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  command->add_option("--batch-size", o->batch_size, "images per step per rank (global batch = this x ranks)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  command->add_option("--blr", o->blr, "base learning rate: lr = blr * global batch / 256")->capture_default_str();
  command->add_option("--lr", o->lr, "absolute learning rate (overrides --blr when > 0)")->capture_default_str();
  command->add_option("--min-lr", o->min_lr, "floor of the cosine schedule")->capture_default_str();
  command->add_option("--weight-decay", o->weight_decay, "AdamW weight decay (not on norms and biases)")
      ->capture_default_str();
  command->add_option("--mask-ratio", o->mask_ratio, "share of patches removed")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  command->add_flag("--norm-pix-loss", o->norm_pix_loss, "per-patch normalised targets")->capture_default_str();
  command->add_option("--seed", o->seed, "weights, split, data order and masks")->capture_default_str();
  command->add_option("--intensity", o->intensity, "16-bit to 8-bit mapping: min-max or percentile")
      ->check(CLI::IsMember({"min-max", "percentile"}))
      ->capture_default_str();
  command->add_option("--train-fraction", o->train_fraction, "share of patients for training")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_option("--validation-fraction", o->validation_fraction, "share of patients for validation")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_option("--max-minutes", o->max_minutes, "checkpoint and stop (exit 6) after the step that passes this (0: no limit)")
      ->capture_default_str();
  command->add_option("--checkpoint-every", o->checkpoint_every, "steps between checkpoints besides epoch ends (0: epoch ends only)")
      ->check(CLI::Range(0, 100000000))
      ->capture_default_str();
  command->add_option("--keep-checkpoints", o->keep_checkpoints, "how many of the newest checkpoints stay")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command->add_option("--log-every", o->log_every, "steps between progress lines (0: epoch lines only)")
      ->check(CLI::Range(0, 100000000))
      ->capture_default_str();
  command->add_option("--check-every", o->check_every, "steps between cross-rank weight digest checks (0: at checkpoints)")
      ->check(CLI::Range(0, 100000000))
      ->capture_default_str();
  command->add_option("--bucket-mb", o->bucket_mb, "gradient allreduce bucket size in MiB")
      ->check(CLI::Range(0.001, 4096.0))
      ->capture_default_str();
  auto run = [o](const mpi::Communicator& comm) -> int {
    if (o->warmup_epochs > o->epochs) throw UsageError("--warmup-epochs exceeds --epochs", Scope::all_ranks);
    return run_plugin_command([&] {
      const auto s = torch_plugin().train(*o, comm, [](const std::string& line) { log::info("train: " + line); });
      if (comm.is_root()) print_summary(s, comm.size());
      return to_int(s.interrupted ? ExitCode::interrupted : ExitCode::ok);
    });
  };
  return {command, run};
}

}  // namespace medanon::app
