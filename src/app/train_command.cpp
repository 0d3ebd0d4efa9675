// `medanon train`: fine-tune the MAE on the negatives of a PadChest-style corpus.
// Single process for now (issue #5's training core); the data-parallel version is issue #7,
// so under mpirun only rank 0 trains and the others wait.

#include <cstdio>
#include <memory>

#include "app/command.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "mae/training.hpp"

namespace medanon::app {

Command setup_train(CLI::App& parent) {
  auto o = std::make_shared<mae::TrainOptions>();
  CLI::App* command = parent.add_subcommand(
      "train", "fine-tune the MAE foreign-object model on a corpus's negatives (single process; issue #7 distributes it)");
  add_config_option(*command, "configs/train.toml");
  command->add_option("--corpus", o->corpus, "folder with padchest/padchest_labels.csv")->required();
  command->add_option("--out", o->out, "checkpoint folder")->required();
  command->add_option("--init-checkpoint", o->init_checkpoint, "brats_pretrained-style weights to start from");
  command->add_option("--resume", o->resume, "a medanon checkpoint to continue exactly");
  command->add_option("--model", o->model, "mae_vit_base_patch16, mae_vit_small_synth or mae_vit_tiny_test")
      ->capture_default_str();
  command->add_option("--device", o->device, "cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  command->add_option("--threads", o->threads, "torch threads")->check(CLI::Range(1, 256))->capture_default_str();
  command->add_option("--epochs", o->epochs, "epochs in total")->check(CLI::Range(1, 100000))->capture_default_str();
  command->add_option("--warmup-epochs", o->warmup_epochs, "linear warmup epochs")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  command->add_option("--batch-size", o->batch_size, "images per step")->check(CLI::Range(1, 4096))->capture_default_str();
  command->add_option("--blr", o->blr, "base learning rate: lr = blr * batch / 256")->capture_default_str();
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
  command->add_option("--max-minutes", o->max_minutes, "stop after the epoch that passes this time (0: no limit)")
      ->capture_default_str();
  auto run = [o](const dist::Communicator& comm) -> int {
    if (o->warmup_epochs > o->epochs) throw UsageError("--warmup-epochs exceeds --epochs", Scope::all_ranks);
    if (!comm.is_root()) return to_int(ExitCode::ok);  // single-process training until issue #7
    try {
      const auto s = mae::train_mae(*o, [](const std::string& line) { log::info("train: " + line); });
      std::printf("train: %d epochs, %lld steps, last epoch loss %.5f, %.1f s; %zu train / %zu validation / %zu test "
                  "images; checkpoint %s\n",
                  s.epochs_done, static_cast<long long>(s.iterations), s.last_epoch_loss, s.seconds, s.train_images,
                  s.validation_images, s.test_images, s.checkpoint.c_str());
      std::fflush(stdout);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what(), Scope::this_rank);
    } catch (const Error&) {
      throw;
    } catch (const std::runtime_error& e) {
      throw InputError(e.what(), Scope::this_rank);
    }
    return to_int(ExitCode::ok);
  };
  return {command, run};
}

}  // namespace medanon::app
