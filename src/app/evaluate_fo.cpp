// `medanon evaluate fo`: an `infer` run's foreign-object maps, masks and scores against the
// synthetic ground truth: image AUROC per score, pixel AUROC, Dice, the thesis' threshold
// (85th percentile of mask_score on negatives) and a ROC plot. Rank 0 does the work.

#include <cstdio>
#include <memory>

#include "app/evaluate_commands.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "evaluation/fo_evaluation.hpp"

namespace medanon::app {

Command setup_evaluate_fo(CLI::App& evaluate) {
  auto o = std::make_shared<evaluation::FoEvaluationOptions>();
  CLI::App* command =
      evaluate.add_subcommand("fo", "foreign-object anomaly maps and masks against the ground truth (AUROC, Dice)");
  command->add_option("--corpus", o->corpus, "the synthetic corpus the run was made on")->required();
  command->add_option("--run", o->run, "an `medanon infer --out` folder")->required();
  command->add_option("--out", o->out, "where evaluation.json and roc.png go (default: the run folder)");
  command->add_option("--threshold-file", o->threshold_file, "decision threshold file (read, or written by --calibrate)");
  command->add_flag("--calibrate", o->calibrate,
                    "write --threshold-file: the 85th percentile of mask_score on this run's negatives");
  command->add_option("--calibration-percentile", o->calibration_percentile, "percentile for --calibrate")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  command->add_flag("!--no-pixels", o->pixels, "skip pixel AUROC and Dice");
  command->add_flag("--ignore-text", o->ignore_text,
                    "leave burned-in text boxes (redacted by the pixel stage first) out of the pixel metrics");
  auto run = [o](const mpi::Communicator& comm) -> int {
    if (o->calibrate && o->threshold_file.empty()) {
      throw UsageError("--calibrate needs --threshold-file to write", Scope::all_ranks);
    }
    if (!comm.is_root()) return to_int(ExitCode::ok);
    try {
      const auto result = evaluation::evaluate_foreign_objects(*o);
      std::printf("%s\n", result.json().c_str());
      std::fflush(stdout);
    } catch (const std::runtime_error& e) {
      throw InputError(e.what(), Scope::this_rank);
    }
    return to_int(ExitCode::ok);
  };
  return {command, run};
}

}  // namespace medanon::app
