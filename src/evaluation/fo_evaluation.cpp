// Foreign-object evaluation of an infer run against the synthetic ground truth.

#include "evaluation/fo_evaluation.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "io/atomic_file.hpp"
#include "io/csv.hpp"
#include "anomaly/anomaly_calibration.hpp"
#include "evaluation/detection_metrics.hpp"
#include "io/image_codecs.hpp"
#include "io/padchest_dataset.hpp"

namespace medanon::evaluation {

namespace {

namespace fs = std::filesystem;

struct ScoreRow {
  std::size_t index = 0;
  std::string path;
  std::map<std::string, double> scores;
};

// z_peak is there when infer ran with calibration statistics (a number, not nan, in every row),
// object_peak when it also ran with the object prior.
const std::vector<std::string> kScores = {"mask_score", "anomaly_score", "ssim_score", "peak_score", "z_peak",
                                          "object_peak"};

std::vector<ScoreRow> read_scores(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path + " (run `medanon infer` first)");
  std::vector<std::string> header, fields;
  io::read_csv_record(in, header);
  std::vector<ScoreRow> rows;
  while (io::read_csv_record(in, fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;
    ScoreRow row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) {
      if (header[i] == "index") row.index = std::stoull(fields[i]);
      if (header[i] == "path") row.path = fields[i];
      for (const auto& score : kScores) {
        if (header[i] == score) row.scores[score] = std::stod(fields[i]);
      }
    }
    rows.push_back(row);
  }
  return rows;
}

std::string file_name(std::size_t index) {
  char name[16];
  std::snprintf(name, sizeof name, "%06zu.png", index);
  return name;
}

}  // namespace

std::string FoEvaluation::json() const {
  nlohmann::json j = {{"images", images},
                      {"positives", positives},
                      {"negatives", negatives},
                      {"image_auroc", image_auroc},
                      {"pixel_auroc", pixel_auroc},
                      {"mean_dice_positives", mean_dice_positives},
                      {"background_flag_rate", background_flag_rate},
                      {"negatives_flagged", negatives_flagged},
                      {"threshold", threshold},
                      {"decision_score", decision_score}};
  nlohmann::json kinds = nlohmann::json::object();
  for (const auto& [kind, score] : per_kind) {
    kinds[kind] = {{"objects", score.objects}, {"pixel_recall", score.pixel_recall}, {"found", score.found}};
  }
  j["per_kind"] = kinds;
  if (!hard_negatives.empty()) {
    nlohmann::json hard = nlohmann::json::object();
    for (const auto& [kind, score] : hard_negatives) {
      hard[kind] = {{"instances", score.instances}, {"flag_rate", score.flag_rate}};
      if (!std::isnan(score.times_background)) hard[kind]["times_background"] = score.times_background;
    }
    j["hard_negatives"] = hard;
    j["background_outside_hard_negatives"] = background_outside_hard_negatives;
  }
  if (threshold >= 0) {
    j["decision"] = {{"accuracy", accuracy}, {"precision", precision}, {"recall", recall}, {"f1", f1}};
  }
  return j.dump(2);
}

FoEvaluation evaluate_foreign_objects(const FoEvaluationOptions& options) {
  std::ifstream truth_file(fs::path(options.corpus) / "ground_truth.json");
  if (!truth_file) throw std::runtime_error(options.corpus + " has no ground_truth.json");
  const auto truth = nlohmann::json::parse(truth_file);
  const auto rows = read_scores((fs::path(options.run) / "scores.csv").string());
  const auto& truth_images = truth.at("images");

  FoEvaluation result;
  std::vector<bool> positive;
  std::map<std::string, std::vector<double>> scores;
  PixelRoc pixel_roc;
  double dice_sum = 0.0;
  double background_pixels = 0.0, background_flagged = 0.0;
  std::size_t negatives_with_flags = 0;
  struct KindSums {
    double object_pixels = 0.0, flagged_pixels = 0.0;
    std::size_t objects = 0, found = 0;
  };
  std::map<std::string, KindSums> kind_sums;
  struct HardSums {
    double pixels = 0.0, flagged = 0.0;
    std::size_t instances = 0;
  };
  std::map<std::string, HardSums> hard_sums;
  double rest_pixels = 0.0, rest_flagged = 0.0;  // neither object nor hard negative
  bool any_hard_negative_mask = false;
  for (const auto& row : rows) {
    if (row.index >= truth_images.size() || truth_images[row.index].at("path") != row.path) {
      throw std::runtime_error("run and corpus disagree at image " + std::to_string(row.index) +
                               ": was the run made on this corpus?");
    }
    const auto& image = truth_images[row.index];
    const bool has_object = image.at("has_foreign_object").get<bool>();
    positive.push_back(has_object);
    for (const auto& [name, value] : row.scores) scores[name].push_back(value);
    if (!options.pixels) continue;
    const cv::Mat gt = io::image_read((fs::path(options.corpus) / image.at("foreign_object_mask").get<std::string>()).string(),
                                  cv::IMREAD_GRAYSCALE);
    const cv::Mat map16 = io::image_read((fs::path(options.run) / "maps" / file_name(row.index)).string(), cv::IMREAD_ANYDEPTH);
    const cv::Mat mask = io::image_read((fs::path(options.run) / "masks" / file_name(row.index)).string(), cv::IMREAD_GRAYSCALE);
    if (gt.empty() || map16.empty() || mask.empty()) throw std::runtime_error("missing mask or map for image " + row.path);
    cv::Mat map, full_map;
    map16.convertTo(map, CV_32F, 1.0 / 65535.0);
    cv::resize(map, full_map, gt.size(), 0, 0, cv::INTER_LINEAR);  // back to the image's own pixels
    cv::Mat text = cv::Mat::zeros(gt.size(), CV_8U);
    if (options.ignore_text) {
      for (const auto& word : image.value("text", nlohmann::json::array())) {
        const auto& b = word.at("box");
        const cv::Rect box(b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>());
        text(box & cv::Rect(0, 0, gt.cols, gt.rows)).setTo(255);
      }
      cv::dilate(text, text, cv::Mat::ones(5, 5, CV_8U));  // anti-aliased glyph edges
      scores["peak_outside_text"].push_back(anomaly::top_mean(full_map, text, 0.005));  // as peak_score: the top 0.5 %
    }
    pixel_roc.add(full_map, gt, text);
    cv::Mat kept = mask.clone();
    kept.setTo(0, text);
    if (has_object) dice_sum += dice(kept, gt);
    const cv::Mat background = (gt == 0) & (text == 0);
    background_pixels += cv::countNonZero(background);
    background_flagged += cv::countNonZero(background & (kept > 0));
    if (!has_object && cv::countNonZero(kept) > 0) ++negatives_with_flags;
    if (image.contains("hard_negative_mask")) {
      any_hard_negative_mask = true;
      const std::string hard_path = (fs::path(options.corpus) / image.at("hard_negative_mask").get<std::string>()).string();
      const cv::Mat hard = io::image_read(hard_path, cv::IMREAD_GRAYSCALE);
      if (hard.size() != gt.size()) throw std::runtime_error("missing or mis-sized hard-negative mask " + hard_path);
      const cv::Mat rest = background & (hard == 0);
      rest_pixels += cv::countNonZero(rest);
      rest_flagged += cv::countNonZero(rest & (kept > 0));
      for (const auto& entry : image.value("hard_negatives", nlohmann::json::array())) {
        const auto& b = entry.at("bbox");
        const cv::Rect box = cv::Rect(b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>()) &
                             cv::Rect(0, 0, gt.cols, gt.rows);
        const cv::Mat pixels = (hard(box) > 0) & (text(box) == 0);
        HardSums& sums = hard_sums[entry.at("kind").get<std::string>()];
        sums.pixels += cv::countNonZero(pixels);
        sums.flagged += cv::countNonZero(pixels & (kept(box) > 0));
        ++sums.instances;
      }
    }
    for (const auto& object : image.value("foreign_objects", nlohmann::json::array())) {
      const auto& b = object.at("bbox");
      const cv::Rect box = cv::Rect(b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>()) &
                           cv::Rect(0, 0, gt.cols, gt.rows);
      const cv::Mat object_pixels = gt(box) > 0;
      const double total = cv::countNonZero(object_pixels);
      if (total == 0) continue;  // wholly under text or outside the image
      const double flagged = cv::countNonZero(object_pixels & (kept(box) > 0));
      KindSums& sums = kind_sums[object.at("kind").get<std::string>()];
      sums.object_pixels += total;
      sums.flagged_pixels += flagged;
      ++sums.objects;
      if (flagged >= 0.5 * total) ++sums.found;
    }
  }
  result.images = positive.size();
  result.positives = static_cast<std::size_t>(std::count(positive.begin(), positive.end(), true));
  result.negatives = result.images - result.positives;
  std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> curves;
  std::vector<double> aurocs;
  std::vector<std::string> names;
  for (const auto& name : kScores) {
    const auto& values = scores[name];
    if (values.size() == positive.size() && std::none_of(values.begin(), values.end(), [](double v) { return std::isnan(v); })) {
      names.push_back(name);
    }
  }
  if (options.ignore_text && options.pixels) names.push_back("peak_outside_text");
  for (const auto& name : names) {
    result.image_auroc[name] = auroc(scores[name], positive);
    curves.emplace_back(name, roc_curve(scores[name], positive));
    aurocs.push_back(result.image_auroc[name]);
  }
  result.pixel_auroc = options.pixels ? pixel_roc.auroc() : NAN;
  result.mean_dice_positives = result.positives > 0 ? dice_sum / static_cast<double>(result.positives) : NAN;
  result.background_flag_rate = options.pixels && background_pixels > 0 ? background_flagged / background_pixels : NAN;
  result.negatives_flagged = options.pixels && result.negatives > 0
                                 ? static_cast<double>(negatives_with_flags) / static_cast<double>(result.negatives)
                                 : NAN;
  for (const auto& [kind, sums] : kind_sums) {
    FoEvaluation::KindScore& score = result.per_kind[kind];
    score.objects = sums.objects;
    score.pixel_recall = sums.flagged_pixels / sums.object_pixels;
    score.found = static_cast<double>(sums.found) / static_cast<double>(sums.objects);
  }
  result.background_outside_hard_negatives =
      any_hard_negative_mask && rest_pixels > 0 ? rest_flagged / rest_pixels : NAN;
  for (const auto& [kind, sums] : hard_sums) {
    FoEvaluation::HardNegativeScore& score = result.hard_negatives[kind];
    score.instances = sums.instances;
    score.flag_rate = sums.pixels > 0 ? sums.flagged / sums.pixels : 0.0;
    score.times_background = result.background_outside_hard_negatives > 0
                                 ? score.flag_rate / result.background_outside_hard_negatives
                                 : NAN;
  }

  if (options.calibrate) {
    std::vector<double> negative_scores;
    for (std::size_t i = 0; i < positive.size(); ++i) {
      if (!positive[i]) negative_scores.push_back(scores["mask_score"][i]);
    }
    result.threshold = anomaly::calibrate_threshold(negative_scores, options.calibration_percentile, options.threshold_file);
  } else if (!options.threshold_file.empty()) {
    anomaly::AnomalyCalibration calibration = anomaly::read_calibration(options.threshold_file);
    const auto& object = scores["object_peak"];
    const bool without_prior = std::any_of(object.begin(), object.end(), [](double v) { return std::isnan(v); });
    // a run with --object-prior none decided as infer does
    if (calibration.score == "object_peak" && (object.empty() || without_prior)) calibration.fall_back_to_z_peak();
    result.threshold = calibration.threshold;
    result.decision_score = calibration.score;
  }
  if (result.threshold >= 0) {
    const auto& decisive = scores[result.decision_score];
    if (decisive.size() != positive.size()) {
      throw std::runtime_error("the threshold applies to " + result.decision_score + ", which the run's scores.csv lacks");
    }
    double tp = 0, fp = 0, tn = 0, fn = 0;
    for (std::size_t i = 0; i < positive.size(); ++i) {
      const bool flagged = decisive[i] > result.threshold;
      (flagged ? (positive[i] ? tp : fp) : (positive[i] ? fn : tn)) += 1;
    }
    result.accuracy = (tp + tn) / std::max(1.0, tp + tn + fp + fn);
    result.precision = tp + fp > 0 ? tp / (tp + fp) : 0.0;
    result.recall = tp + fn > 0 ? tp / (tp + fn) : 0.0;
    result.f1 = result.precision + result.recall > 0
                    ? 2 * result.precision * result.recall / (result.precision + result.recall)
                    : 0.0;
  }
  const fs::path out = options.out.empty() ? fs::path(options.run) : fs::path(options.out);
  fs::create_directories(out);
  io::write_text_atomically((out / "evaluation.json").string(), result.json() + "\n");
  const cv::Mat plot = roc_plot(curves, aurocs);
  std::vector<uchar> png;
  io::image_encode(".png", plot, png);
  io::write_bytes_atomically((out / "roc.png").string(), std::vector<std::uint8_t>(png.begin(), png.end()));
  return result;
}

}  // namespace medanon::evaluation
