// `medanon evaluate run`: an anonymize run's audit against the synthetic corpus's ground truth,
// end to end: were the border PHI words redacted, central text flagged, bad files failed, and do
// the foreign-object scores separate images with objects from those without?
//
// The audit holds no paths, only keyed hashes of them. With the run's key the evaluation hashes
// each ground-truth path the way the runner did and finds its row: no PHI is needed or revealed.
// Rank 0 does the work.

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "app/evaluate_commands.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "deid/pseudonyms.hpp"
#include "audit/audit_file.hpp"
#include "io/atomic_file.hpp"
#include "evaluation/detection_metrics.hpp"
#include "audit/input_hash.hpp"

namespace medanon::app {
namespace {

namespace fs = std::filesystem;

struct RunEvaluationOptions {
  std::string corpus;  // the corpus root the run read (paths as the run saw them)
  std::string truth;   // ground_truth.json; default <corpus>/ground_truth.json
  std::string audit;   // the run's HDF5 file
  std::string key_file;
  bool insecure_key = false;
  double coverage = 0.5;  // a word counts as redacted when redacted boxes cover this share of it
  std::string out;        // optional JSON report
};

// Share of `word` covered by the union of `boxes` (pixel count on a small canvas).
double covered_share(const cv::Rect& word, const std::vector<cv::Rect>& boxes) {
  if (word.area() <= 0) return 0;
  cv::Mat canvas = cv::Mat::zeros(word.size(), CV_8U);
  for (const cv::Rect& box : boxes) {
    const cv::Rect overlap = (box & word) - word.tl();
    if (overlap.area() > 0) canvas(overlap).setTo(1);
  }
  return static_cast<double>(cv::countNonZero(canvas)) / word.area();
}

cv::Rect rect_of(const nlohmann::json& box) {
  return {box.at(0).get<int>(), box.at(1).get<int>(), box.at(2).get<int>(), box.at(3).get<int>()};
}

int run_evaluation(const RunEvaluationOptions& o, const mpi::Communicator& comm) {
  const std::string truth_path = o.truth.empty() ? o.corpus + "/ground_truth.json" : o.truth;
  std::ifstream truth_file(truth_path);
  if (!truth_file) throw InputError("no ground truth at " + truth_path, Scope::all_ranks);
  const deid::ProjectKey key = deid::ProjectKey::for_job(o.key_file, o.insecure_key);
  std::vector<audit::ItemRecord> records;
  {
    const audit::AuditFile audit = audit::AuditFile::open_read_only(o.audit, comm.handle());
    records = audit.records();
  }
  if (!comm.is_root()) return to_int(ExitCode::ok);

  const nlohmann::json truth = nlohmann::json::parse(truth_file);
  std::map<std::string, const audit::ItemRecord*> by_hash;
  for (const auto& r : records) by_hash[r.input_hash] = &r;
  const std::string hash_key(key.bytes().begin(), key.bytes().end());
  const fs::path root = fs::weakly_canonical(fs::absolute(o.corpus));
  auto find = [&](const std::string& relative) -> const audit::ItemRecord* {
    const auto at = by_hash.find(audit::input_path_hash(hash_key, (root / relative).lexically_normal().string()));
    return at == by_hash.end() ? nullptr : at->second;
  };

  long long matched = 0, missing = 0, border_phi = 0, border_phi_redacted = 0, central = 0, central_flagged = 0;
  long long technical = 0, technical_redacted = 0, not_ok = 0;
  std::vector<double> scores, z_peaks;
  std::vector<bool> has_object, z_has_object;
  long long decided = 0, true_positive = 0, false_positive = 0, false_negative = 0, correct = 0;
  for (const auto& image : truth.at("images")) {
    const audit::ItemRecord* r = find(image.at("path").get<std::string>());
    if (r == nullptr) {
      ++missing;
      continue;
    }
    ++matched;
    if (r->status != audit::ItemStatus::ok) {
      ++not_ok;
      continue;
    }
    std::vector<cv::Rect> redacted, flagged;
    for (const auto& b : r->boxes) (b.action == 1 ? redacted : flagged).push_back({b.x, b.y, b.width, b.height});
    for (const auto& word : image.at("text")) {
      const cv::Rect box = rect_of(word.at("box"));
      const bool phi = word.at("phi").get<bool>();
      if (word.at("region").get<std::string>() == "center") {
        ++central;
        central_flagged += covered_share(box, flagged) >= o.coverage;
      } else if (phi) {
        ++border_phi;
        border_phi_redacted += covered_share(box, redacted) >= o.coverage;
      } else {
        ++technical;
        technical_redacted += covered_share(box, redacted) >= o.coverage;
      }
    }
    const bool positive = image.value("has_foreign_object", false);
    if (r->mask_score >= 0) {
      scores.push_back(r->mask_score);
      has_object.push_back(positive);
      if (!std::isnan(r->z_peak)) {
        z_peaks.push_back(r->z_peak);
        z_has_object.push_back(positive);
      }
    }
    if (r->anomaly >= 0) {
      ++decided;
      const bool said = r->anomaly == 1;
      correct += said == positive;
      true_positive += said && positive;
      false_positive += said && !positive;
      false_negative += !said && positive;
    }
  }
  long long bad = 0, bad_as_expected = 0;
  for (const auto& file : truth.value("bad_files", nlohmann::json::array())) {
    const audit::ItemRecord* r = find(file.at("path").get<std::string>());
    if (r == nullptr) continue;
    ++bad;
    const std::string expect = file.value("expect", "reject");
    bad_as_expected += (expect == "gate" ? r->status == audit::ItemStatus::rejected : r->status != audit::ItemStatus::ok);
  }

  auto ratio = [](long long a, long long b) { return b == 0 ? std::nan("") : static_cast<double>(a) / b; };
  nlohmann::json report;
  report["images_matched"] = matched;
  report["images_missing"] = missing;
  report["images_not_ok"] = not_ok;
  report["border_phi_words"] = border_phi;
  report["border_phi_recall"] = ratio(border_phi_redacted, border_phi);
  report["technical_words_redacted"] = ratio(technical_redacted, technical);
  report["central_words_flagged"] = ratio(central_flagged, central);
  report["bad_files"] = bad;
  report["bad_files_as_expected"] = bad_as_expected;
  report["mask_score_auroc"] = evaluation::auroc(scores, has_object);
  // z_peak exists when the model came with calibration statistics (the shipped one does).
  report["z_peak_auroc"] = z_peaks.empty() ? std::nan("") : evaluation::auroc(z_peaks, z_has_object);
  report["anomaly_decisions"] = decided;
  report["anomaly_accuracy"] = ratio(correct, decided);
  report["anomaly_f1"] = ratio(2 * true_positive, 2 * true_positive + false_positive + false_negative);
  std::printf(
      "evaluate run: %lld images matched (%lld not in the audit, %lld not ok), %lld bad files (%lld as expected)\n"
      "  border PHI words redacted: %lld/%lld = %.3f\n"
      "  technical border words redacted (over-redaction): %lld/%lld = %.3f\n"
      "  central words flagged for review: %lld/%lld = %.3f\n"
      "  foreign objects: image AUROC of z_peak %.3f, of mask_score %.3f on %zu images; decisions %lld, accuracy "
      "%.3f, F1 %.3f\n",
      matched, missing, not_ok, bad, bad_as_expected, border_phi_redacted, border_phi, ratio(border_phi_redacted, border_phi),
      technical_redacted, technical, ratio(technical_redacted, technical), central_flagged, central,
      ratio(central_flagged, central), report["z_peak_auroc"].get<double>(), report["mask_score_auroc"].get<double>(),
      scores.size(), decided,
      ratio(correct, decided), ratio(2 * true_positive, 2 * true_positive + false_positive + false_negative));
  std::fflush(stdout);
  if (!o.out.empty()) io::write_text_atomically(o.out, report.dump(2) + "\n");
  if (matched == 0) throw InputError("no ground-truth image is in the audit: wrong --corpus or --key?", Scope::this_rank);
  return to_int(missing > 0 || bad_as_expected < bad ? ExitCode::some_items_failed : ExitCode::ok);
}

}  // namespace

Command setup_evaluate_run(CLI::App& evaluate) {
  auto o = std::make_shared<RunEvaluationOptions>();
  CLI::App* command = evaluate.add_subcommand(
      "run", "an anonymize run's audit against the ground truth (PHI redacted, bad files, foreign objects)");
  command->add_option("--corpus", o->corpus, "the corpus root as the run read it")->required();
  command->add_option("--audit", o->audit, "the run's HDF5 file")->required();
  command->add_option("--truth", o->truth, "ground_truth.json (default <corpus>/ground_truth.json)");
  command->add_option("--key", o->key_file, "the run's project key (to find items by their path hashes)");
  command->add_flag("--insecure-key", o->insecure_key, "the run used --insecure-key");
  command->add_option("--coverage", o->coverage, "share of a word that redacted boxes must cover")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  command->add_option("--out", o->out, "write the metrics as JSON here");
  return {command, [o](const mpi::Communicator& comm) { return run_evaluation(*o, comm); }};
}

}  // namespace medanon::app
