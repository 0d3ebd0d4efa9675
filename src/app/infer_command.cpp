// `medanon infer`: MAE anomaly maps, foreign-object masks and image scores for a set of images.
//
// Input: a synthetic corpus (its ground_truth.json lists the images), or any folder (every .png,
// .dcm below it). Output in --out, per image i of that list (zero-padded):
//   maps/<i>.png      the anomaly map |x - clip(r)| at model resolution, 16-bit (value * 65535)
//   masks224/<i>.png  the mask at model resolution (255 = foreign object)
//   masks/<i>.png     the mask at the image's own resolution
//   scores.csv        index, path, width, height, mask_score, anomaly_score, ssim_score, peak_score,
//                     foreign_object (mask_score > the --threshold-file threshold; 0 without one)
// Images are dealt round-robin across ranks; rank 0 writes scores.csv. The work is done in the
// LibTorch plugin (plugin/infer.cpp), loaded when this command runs.

#include <memory>

#include "app/command.hpp"
#include "app/torch_plugin.hpp"
#include "core/errors.hpp"

namespace medanon::app {

Command setup_infer(CLI::App& parent) {
  auto o = std::make_shared<plugin::InferOptions>();
  CLI::App* command = parent.add_subcommand("infer", "MAE anomaly maps, foreign-object masks and scores for images");
  add_config_option(*command, "configs/infer.toml");
  command->add_option("--input", o->input, "a synthetic corpus, a folder of PNG/DICOM files, or one file")->required();
  command->add_option("--out", o->out, "output folder")->required();
  command->add_option("--checkpoint", o->detector.checkpoint, "MAE weights (brats_pretrained-style or medanon)")
      ->required();
  command->add_option("--model", o->detector.model, "architecture; empty: the checkpoint's own");
  command->add_option("--device", o->detector.device, "cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  command->add_option("--threads", o->detector.threads, "torch threads per rank")->check(CLI::Range(1, 256))->capture_default_str();
  command->add_option("--batch-size", o->detector.batch_size, "images per forward pass")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  command->add_option("--trials", o->detector.trials, "grid-masking trials averaged")->check(CLI::Range(1, 64))->capture_default_str();
  command->add_option("--seed", o->detector.seed, "seed of the trials' masks")->capture_default_str();
  command->add_option("--intensity", o->detector.intensity, "16-bit to 8-bit mapping: min-max or percentile")
      ->check(CLI::IsMember({"min-max", "percentile"}))
      ->capture_default_str();
  command->add_option("--threshold-file", o->threshold_file, "JSON {\"threshold\": x} from `evaluate fo --calibrate`");
  command->add_option("--limit", o->limit, "process only the first N images (0: all)")->capture_default_str();
  auto run = [o](const dist::Communicator& comm) {
    try {
      return torch_plugin().infer(*o, comm);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what(), Scope::all_ranks);
    } catch (const Error&) {
      throw;
    } catch (const std::runtime_error& e) {  // checkpoint and device problems: every rank sees them
      throw InputError(e.what(), Scope::all_ranks);
    }
  };
  return {command, run};
}

}  // namespace medanon::app
