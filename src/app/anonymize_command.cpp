// `medanon anonymize`: de-identify a whole dataset on all ranks into --out and one shared HDF5.

#include <cstdio>
#include <memory>

#include "app/command.hpp"
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
      "  +----------------------------------------------------------+\n"
      "  outputs: %s\n  audit:   %s\n",
      s.interrupted ? "STOPPED" : "COMPLETE", s.items, s.skipped_done, s.processed_now,
      (std::to_string(s.ok) + " / " + std::to_string(s.failed) + " / " + std::to_string(s.rejected)).c_str(),
      (std::to_string(ranks) + ", " + std::to_string(s.attempt)).c_str(), (std::to_string(s.seconds).substr(0, 7) + " s").c_str(),
      o.out.c_str(), (o.hdf5.empty() ? o.out + "/medanon.h5" : o.hdf5).c_str());
  if (s.interrupted) std::printf("  stopped on request: run the same command again to resume\n");
  std::fflush(stdout);
}

}  // namespace

Command setup_anonymize(CLI::App& parent) {
  auto options = std::make_shared<pipeline::AnonymizeOptions>();
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
  command->add_flag("--restart", options->restart, "forget an earlier run in --out and start over");
  command->add_option("--configs-dir", options->configs_dir, "folder of the de-identification tables (configs/)")
      ->check(CLI::ExistingDirectory)
      ->capture_default_str();
  command->add_flag_callback("--no-text", [options] { options->stages.text = false; },
                            "skip the pixel stages (gate, burned-in text detection and redaction)");
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
  auto run = [options](const dist::Communicator& comm) {
    const pipeline::AnonymizeSummary summary = pipeline::run_anonymize(*options, comm);
    if (comm.is_root()) print_summary(summary, *options, comm.size());
    if (summary.interrupted) return to_int(ExitCode::interrupted);
    return to_int(summary.failed + summary.rejected > 0 ? ExitCode::some_items_failed : ExitCode::ok);
  };
  return {command, run};
}

}  // namespace medanon::app
