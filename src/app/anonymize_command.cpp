// `medanon anonymize`: de-identify a whole dataset on all ranks into --out and one shared HDF5.

#include <algorithm>
#include <cstdio>
#include <memory>

#include <filesystem>

#include "app/command.hpp"
#include "app/pixel_options.hpp"
#include "app/torch_plugin.hpp"
#include "core/exit_codes.hpp"
#include "pipeline/anonymize_job.hpp"

namespace medanon::app {
namespace {

void print_summary(const pipeline::AnonymizeSummary& s, const pipeline::AnonymizeOptions& o, int ranks) {
  std::printf(
      "\n"
      "  +----------------------------------------------------------+\n"
      "  |                 MEDANON ANONYMIZE %-9s              |\n"
      "  +----------------------------------------------------------+\n"
      "  | items in dataset:   %-36lld |\n"
      "  | done before:        %-36lld |\n"
      "  | processed now:      %-36lld |\n"
      "  | ok / failed / rejected: %-32s |\n"
      "  | ranks, attempt:     %-36s |\n"
      "  | wall time:          %-36s |\n"
      "  | HDF5 output:        %-36s |\n"
      "  +----------------------------------------------------------+\n"
      "  outputs: %s\n  audit:   %s\n",
      s.interrupted ? "STOPPED" : "COMPLETE", s.items, s.skipped_done, s.processed_now,
      (std::to_string(s.ok) + " / " + std::to_string(s.failed) + " / " + std::to_string(s.rejected)).c_str(),
      (std::to_string(ranks) + ", " + std::to_string(s.attempt)).c_str(), (std::to_string(s.seconds).substr(0, 7) + " s").c_str(),
      (std::to_string(s.hdf5_seconds).substr(0, 6) + " s (" + std::to_string(100 * s.hdf5_seconds / std::max(s.seconds, 1e-9)).substr(0, 4) + " % of wall)").c_str(),
      o.out.c_str(), (o.hdf5.empty() ? o.out + "/medanon.h5" : o.hdf5).c_str());
  if (s.interrupted) std::printf("  stopped on request: run the same command again to resume\n");
  std::fflush(stdout);
}

// The shipped model (models/ beside configs/) and its calibrated threshold: the default MAE.
std::string shipped_model() {
  return (std::filesystem::path(MEDANON_CONFIG_DIR).parent_path() / "models" / "mae_small_synth.pth").string();
}

// <model>.threshold.json beside a model, when it exists (written by `evaluate fo --calibrate`).
std::string threshold_beside(const std::string& checkpoint) {
  std::filesystem::path path(checkpoint);
  path.replace_extension(".threshold.json");
  return std::filesystem::exists(path) ? path.string() : std::string();
}

}  // namespace

Command setup_anonymize(CLI::App& parent) {
  auto options = std::make_shared<pipeline::AnonymizeOptions>();
  auto mae = std::make_shared<plugin::MaeStageOptions>();
  mae->checkpoint = shipped_model();
  CLI::App* command = parent.add_subcommand(
      "anonymize", "de-identify a dataset (headers, burned-in text, foreign objects) into --out + one shared HDF5 audit");
  add_config_option(*command, "configs/anonymize.toml");
  command->add_option("--input", options->input, "DICOM/image folder (scanned recursively), or PadChest's image root");
  command->add_option("--padchest-csv", options->padchest_csv, "PadChest labels CSV: items are its ImageDir/ImageID rows");
  command->add_option("--file-list", options->file_list, "a file with one input path per line");
  command->add_option("--out", options->out, "output folder (never inside the input)")->required();
  command->add_option("--hdf5", options->hdf5, "shared HDF5 file (default <out>/medanon.h5)");
  command->add_option("--key", options->key_file, "project key file for keyed hashes and pseudonyms (mode 0600)");
  command->add_flag("--insecure-key", options->insecure_key, "demos only: allow a readable key file, or none at all");
  CLI::Option* restart = command->add_flag("--restart", options->restart, "forget an earlier run in --out and start over");
  // Resuming is what a rerun does anyway (journals in --out); the flag states it explicitly.
  command->add_flag("--resume", "continue an earlier run in --out (the default whenever one exists)")->excludes(restart);
  command->add_option("--configs-dir", options->configs_dir, "folder of the de-identification tables (configs/)")
      ->check(CLI::ExistingDirectory)
      ->capture_default_str();
  command->add_flag_callback("--no-text", [options] { options->stages.text = false; },
                            "skip the pixel stages (gate, burned-in text detection and redaction)");
  command->add_flag("--clean-structured-content", options->clean_structured_content,
                    "PS3.15 E.3.4: keep SR/KO content trees, cleaned; without it their Content Sequence is removed")
      ->capture_default_str();
  command->add_flag("--keep-documents-header-only", options->keep_documents_header_only,
                    "de-identify the header of encapsulated PDF/CDA/3D documents and keep their payload unchecked "
                    "instead of refusing them")
      ->capture_default_str();
  command->add_option("--threads", options->threads, "OpenCV threads per rank for the pixel stages")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  command->add_flag_callback("--no-mae", [options] { options->stages.mae = false; },
                            "skip the foreign-object stage (MAE anomaly maps and masks)");
  command->add_option("--mae-checkpoint", mae->checkpoint, "MAE weights for the foreign-object stage")->capture_default_str();
  command->add_option("--mae-threshold-file", mae->threshold_file,
                      "JSON {\"threshold\": x} for the anomaly decision (default: <checkpoint>.threshold.json if present)");
  command->add_option("--mae-device", mae->device, "cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  command->add_option("--mae-threads", mae->threads, "torch threads per rank")->check(CLI::Range(1, 256))->capture_default_str();
  command->add_option("--mae-batch-size", mae->batch_size, "images per model call (gathered per rank)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  command->add_option("--mae-trials", mae->trials, "grid-masking trials averaged per image")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command->add_option("--flush-seconds", options->flush_seconds, "interval of the collective HDF5 flushes")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--progress-seconds", options->progress_seconds, "interval of the progress line")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option_function<std::string>(
          "--shard",
          [options](const std::string& value) {
            const auto slash = value.find('/');
            try {
              if (slash == std::string::npos) throw std::invalid_argument(value);
              options->shard_index = std::stoi(value.substr(0, slash));
              options->shard_count = std::stoi(value.substr(slash + 1));
            } catch (const std::exception&) {
              throw CLI::ValidationError("--shard", "expected K/N, e.g. 3/16");
            }
          },
          "K/N: take only the items i with i % N == K (one task of a job array; give each its own --out)")
      ->type_name("K/N");
  add_pixel_options(*command, options->pixel);  // the same keys as configs/pixel.toml
  auto run = [options, mae, command](const mpi::Communicator& comm) {
    // Paths and options only: the key file's name, never its contents.
    options->effective_config = command->config_to_str(true, false);
    if (options->stages.mae) {
      // LibTorch only when the MAE stage runs; a missing plugin is an installation fault (exit 1),
      // found before any work, not a model that failed to load.
      const plugin::TorchEntryPoints& torch = torch_plugin();
      plugin::MaeStageOptions model = *mae;
      if (model.threshold_file.empty()) model.threshold_file = threshold_beside(model.checkpoint);
      options->make_foreign_object_stage = [model, &torch] { return torch.make_mae_stage(model); };
    }
    const pipeline::AnonymizeSummary summary = pipeline::run_anonymize(*options, comm);
    if (comm.is_root()) print_summary(summary, *options, comm.size());
    if (summary.interrupted) return to_int(ExitCode::interrupted);
    return to_int(batch_outcome(summary.items, summary.failed + summary.rejected));
  };
  return {command, run};
}

}  // namespace medanon::app
