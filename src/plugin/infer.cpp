// `medanon infer`, inside the LibTorch plugin (the options are set up in app/infer_command.cpp): MAE anomaly maps, foreign-object masks and image scores for a set of images.
//
// Input: a synthetic corpus (its ground_truth.json lists the images), or any folder (every .png,
// .dcm below it). Output in --out, per image i of that list (zero-padded):
//   maps/<i>.png      the anomaly map at map resolution, 16-bit (value * 65535): the residual, smoothed,
//                     or with --map-values z the calibrated z-map, smoothed, as z_map_view.hpp maps it;
//                     with --map-values z-detail at the image's own resolution, the z-map plus the
//                     image's bright detail (z_map_view.hpp); with --map-values fused that view
//                     fused with the object prior (object_fusion.hpp)
//   masks224/<i>.png  the mask at model resolution (255 = foreign object)
//   masks/<i>.png     the mask at the image's own resolution
//   zmaps/<i>.tiff    with --write-zmaps and calibration statistics: the z-map (32-bit float, map
//                     size), so the masks' thresholds can be re-tuned without running the model
//                     again (tests/fo_render/tune_zmap_mask.py)
//   scores.csv        index, path, width, height, mask_score, anomaly_score, ssim_score, peak_score,
//                     z_peak (nan without calibration statistics), object_peak (nan without them or
//                     without --object-prior), foreign_object (the --threshold-file's score above
//                     its threshold; 0 without one), inverted (1: stored with inverted grey levels,
//                     looked at turned back, mae/display_polarity.hpp)
// Images are dealt round-robin across ranks; rank 0 writes scores.csv.
//
// --calibrate FILE: the run's negatives (a synthetic corpus' images without foreign objects; in
// any other folder every image, so give it known-normal ones) calibrate the scoring: every other
// negative feeds the per-pixel residual statistics, the rest give the threshold at
// --calibration-percentile of z_peak, or of object_peak when the object prior is on. Two disjoint
// halves, so the threshold is not fitted to the images that set the statistics.

#include "plugin/infer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "io/atomic_file.hpp"
#include "io/image_codecs.hpp"
#include "anomaly/anomaly_calibration.hpp"
#include "anomaly/mask_refinement.hpp"
#include "anomaly/object_fusion.hpp"
#include "anomaly/z_map_view.hpp"
#include "mae/anomaly_detector.hpp"
#include "mae/display_polarity.hpp"
#include "mae/radiograph_input.hpp"

namespace medanon::plugin {
namespace {

namespace fs = std::filesystem;

// A calibration negative of the threshold half: scored once the other half's statistics are known.
struct ThresholdImage {
  cv::Mat residual;   // map size
  cv::Mat exclusion;  // map size; empty: none
  cv::Mat text;       // the image's size; empty: none
  cv::Mat detail;     // the image's bright detail (z-detail view); only with the object prior
  cv::Mat prior;      // the prior's probability; only with the object prior
};

// The synthetic ground truth's burned-in text boxes of image `index` as a mask of `size` (empty
// when it has none): the stand-in for the boxes the pixel stage hands the MAE in `anonymize`.
cv::Mat ground_truth_text(const nlohmann::json& truth, std::size_t index, cv::Size size) {
  const auto& image = truth.at("images").at(index);
  if (!image.contains("text") || image.at("text").empty()) return cv::Mat();
  cv::Mat mask = cv::Mat::zeros(size, CV_8U);
  for (const auto& word : image.at("text")) {
    const auto& b = word.at("box");
    const cv::Rect box(b[0].get<int>() - 2, b[1].get<int>() - 2, b[2].get<int>() + 4, b[3].get<int>() + 4);
    mask(box & cv::Rect(cv::Point(), size)).setTo(255);
  }
  return mask;
}

// Which of `paths` are known negatives: the synthetic ground truth's, or all.
std::vector<bool> negatives_of(const std::string& input, const std::vector<std::string>& paths) {
  std::vector<bool> negative(paths.size(), true);
  if (!fs::exists(fs::path(input) / "ground_truth.json")) return negative;
  std::ifstream in(fs::path(input) / "ground_truth.json");
  const auto truth = nlohmann::json::parse(in);
  const auto& images = truth.at("images");
  for (std::size_t i = 0; i < paths.size() && i < images.size(); ++i) {
    negative[i] = !images[i].at("has_foreign_object").get<bool>();
  }
  return negative;
}

// The images to process, as paths relative to `input` (or absolute when `input` is a file).
std::vector<std::string> list_images(const std::string& input) {
  std::vector<std::string> paths;
  if (fs::is_regular_file(input)) return {input};
  if (fs::exists(fs::path(input) / "ground_truth.json")) {
    std::ifstream in(fs::path(input) / "ground_truth.json");
    const auto truth = nlohmann::json::parse(in);  // kept alive: the loop walks into it
    for (const auto& image : truth.at("images")) paths.push_back(image.at("path").get<std::string>());
    return paths;
  }
  for (const auto& entry : fs::recursive_directory_iterator(input)) {
    const auto extension = entry.path().extension().string();
    if (entry.is_regular_file() && (extension == ".png" || extension == ".dcm" || extension == ".dicom")) {
      paths.push_back(entry.path().lexically_relative(input).string());  // symlinks stay as named
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::string index_name(std::size_t index) {
  char name[16];
  std::snprintf(name, sizeof name, "%06zu.png", index);
  return name;
}

cv::Mat as_16bit(const cv::Mat& map) {
  cv::Mat out;
  map.convertTo(out, CV_16U, 65535.0);
  return out;
}

void write_png(const fs::path& path, const cv::Mat& image) {
  io::write_atomically(path.string(), [&](const std::string& temp) {
    if (!io::image_write(temp + ".png", image)) throw InternalError("cannot write " + path.string());
    fs::rename(temp + ".png", temp);
  });
}

void write_tiff(fs::path path, const cv::Mat& image) {
  path.replace_extension(".tiff");
  io::write_atomically(path.string(), [&](const std::string& temp) {
    if (!io::image_write(temp + ".tiff", image)) throw InternalError("cannot write " + path.string());
    fs::rename(temp + ".tiff", temp);
  });
}

// Collective: every rank calls it once with its share; rank 0 writes the file. Throws on every
// rank alike: InputError when there are too few negatives or none has a score, InternalError when
// rank 0 could not write the file.
void calibrate(const InferOptions& o, const mae::DetectorOptions& detector, double z_smoothing,
               anomaly::PixelStatistics& statistics, const std::vector<ThresholdImage>& threshold_images,
               const mpi::Communicator& comm) {
  statistics.from_sums(comm.allreduce_sum(statistics.to_sums()));
  const std::string prior = mae::effective_object_prior(detector);
  const bool with_prior = !prior.empty();
  anomaly::AnomalyCalibration calibration;
  calibration.score = with_prior ? "object_peak" : "z_peak";
  calibration.residual = detector.residual;
  calibration.mean = statistics.mean();
  calibration.spread = statistics.standard_deviation();
  std::string mine;  // "z_peak object_peak" per line
  long long scored = 0;  // an image all text has no score (nan)
  for (const auto& t : threshold_images) {
    const cv::Mat z_map = calibration.standardise(t.residual);
    const double z = anomaly::top_mean(z_map, t.exclusion, 0.001);
    double object = std::nan("");
    if (with_prior) {
      object = anomaly::top_mean(anomaly::fused_object_map(z_map, z_smoothing, t.detail, t.prior), t.text, 0.001);
    }
    scored += std::isnan(with_prior ? object : z) ? 0 : 1;
    mine += std::to_string(z) + " " + std::to_string(object) + "\n";
  }
  const auto gathered = comm.gather_strings(mine);
  const long long halves = comm.allreduce_sum(static_cast<long long>(threshold_images.size()));
  if (statistics.count() < 2 || halves < 2) {
    throw InputError("--calibrate needs at least 4 negatives (found " +
                         std::to_string(static_cast<long long>(statistics.count()) + halves) + ")",
                     Scope::all_ranks);
  }
  if (comm.allreduce_sum(scored) == 0) {
    throw InputError("--calibrate: no negative left a score outside its text", Scope::all_ranks);
  }
  // Rank 0 computes and writes; a failed write (full disk, missing folder) stops every rank with
  // the same message.
  comm.run_on_root("--calibrate " + o.calibrate, [&] {
    std::vector<double> z_peaks, object_peaks;
    for (const auto& part : gathered) {
      std::istringstream in(part);
      for (std::string z, object; in >> z >> object;) {
        for (auto [text, into] : {std::pair{&z, &z_peaks}, std::pair{&object, &object_peaks}}) {
          const double value = std::stod(*text);
          if (!std::isnan(value)) into->push_back(value);
        }
      }
    }
    const double z_threshold = z_peaks.empty() ? -1.0 : anomaly::percentile(z_peaks, o.calibration_percentile);
    calibration.threshold = with_prior ? anomaly::percentile(object_peaks, o.calibration_percentile) : z_threshold;
    nlohmann::json details = {{"percentile", o.calibration_percentile},
                              {"negatives_statistics", statistics.count()},
                              {"negatives_threshold", with_prior ? object_peaks.size() : z_peaks.size()},
                              {"checkpoint", fs::path(detector.checkpoint).filename().string()},
                              {"trial_masks", detector.trial_masks},
                              {"trials", detector.trials},
                              {"intensity", detector.intensity},
                              {"map_size", detector.map_size},
                              {"text_excluded", o.exclude_text}};
    if (with_prior) {
      calibration.object_prior = prior;
      calibration.z_peak_threshold = z_threshold;  // for runs without the prior
    }
    anomaly::write_calibration(calibration, o.calibrate, details.dump());
    log::info("infer: calibrated on " + std::to_string(static_cast<long long>(statistics.count())) + " + " +
              std::to_string(with_prior ? object_peaks.size() : z_peaks.size()) + " negatives: " + calibration.score +
              " threshold " + std::to_string(calibration.threshold) + " -> " + o.calibrate);
  });
}

}  // namespace

int run_infer(const InferOptions& o, const mpi::Communicator& comm) {
  const auto started = std::chrono::steady_clock::now();
  if (!fs::exists(o.input)) throw InputError("--input " + o.input + " does not exist", Scope::all_ranks);
  if (!fs::exists(o.detector.checkpoint)) {
    throw InputError("--checkpoint " + o.detector.checkpoint + " does not exist", Scope::all_ranks);
  }
  auto options = o.detector;
  if (!o.threshold_file.empty()) {
    if (!o.calibrate.empty()) throw UsageError("--threshold-file and --calibrate exclude each other", Scope::all_ranks);
    options.calibration = anomaly::read_calibration(o.threshold_file);
  }
  // the prior that runs: --object-prior, else the threshold file's; "none" stays "none" (an empty
  // path would let the detector take the threshold file's again)
  const std::string prior = mae::effective_object_prior(options);
  options.object_prior = prior.empty() ? "none" : prior;
  auto paths = o.images.empty() ? list_images(o.input) : o.images;
  if (o.limit > 0 && paths.size() > static_cast<std::size_t>(o.limit)) paths.resize(static_cast<std::size_t>(o.limit));
  if (o.map_values != "residual" && o.map_values != "z" && o.map_values != "z-detail" && o.map_values != "fused") {
    throw UsageError("unknown map values '" + o.map_values + "' (residual, z, z-detail, fused)", Scope::all_ranks);
  }
  if (o.map_values == "fused" && prior.empty()) {
    throw UsageError("--map-values fused needs --object-prior", Scope::all_ranks);
  }

  if (o.map_values != "residual" && !options.calibration.has_statistics()) {
    throw UsageError("--map-values " + o.map_values + " needs a --threshold-file with calibration statistics",
                     Scope::all_ranks);
  }
  mae::AnomalyDetector detector(options);
  // the z-map view is smoothed as the residual map is: --smoothing model pixels
  const double z_smoothing = options.smoothing * detector.map_size() / detector.input_size();
  // ... and the detail of --map-values z-detail is taken at the masks' scale (model pixels)
  const anomaly::MaskRefinementOptions map_refinement =
      anomaly::in_map_pixels(options.refinement, static_cast<double>(detector.map_size()) / detector.input_size());
  const std::vector<bool> negative = o.images.empty() ? negatives_of(o.input, paths) : std::vector<bool>(paths.size(), true);
  std::vector<std::size_t> negative_rank(paths.size(), 0);  // position among the negatives: even = statistics
  for (std::size_t i = 0, seen = 0; i < paths.size(); ++i) {
    if (negative[i]) negative_rank[i] = seen++;
  }
  nlohmann::json truth;
  if (o.exclude_text) {
    if (!o.images.empty()) throw UsageError("--exclude-text needs the corpus' own image list", Scope::all_ranks);
    std::ifstream in(fs::path(o.input) / "ground_truth.json");
    if (!in) throw UsageError("--exclude-text needs a synthetic corpus (its ground_truth.json)", Scope::all_ranks);
    truth = nlohmann::json::parse(in);
  }
  const int side = detector.map_size();
  anomaly::PixelStatistics statistics(side, side);
  std::vector<ThresholdImage> threshold_images;  // this rank's odd negatives, scored once the statistics are known
  if (comm.is_root()) log::info("infer: " + std::to_string(paths.size()) + " images; " + detector.description());

  const bool single_file = fs::is_regular_file(o.input);
  std::ostringstream rows;
  int failed = 0;
  std::vector<std::size_t> mine;
  for (std::size_t i = static_cast<std::size_t>(comm.rank()); i < paths.size(); i += static_cast<std::size_t>(comm.size())) {
    mine.push_back(i);
  }
  const std::size_t chunk = static_cast<std::size_t>(options.batch_size);
  for (std::size_t start = 0; start < mine.size(); start += chunk) {
    std::vector<cv::Mat> images, text;
    std::vector<std::size_t> indices;
    std::vector<bool> inverted;
    for (std::size_t k = start; k < std::min(mine.size(), start + chunk); ++k) {
      const std::string path = single_file ? paths[mine[k]] : (fs::path(o.input) / paths[mine[k]]).string();
      try {
        // in display polarity, as the detector wants it; the z-detail and calibration top-hats
        // below see the same image
        const cv::Mat stored = mae::read_radiograph(path);
        images.push_back(mae::display_polarity(stored));
        inverted.push_back(images.back().data != stored.data);
        indices.push_back(mine[k]);
        if (o.exclude_text) text.push_back(ground_truth_text(truth, mine[k], images.back().size()));
      } catch (const std::exception& e) {  // one unreadable image never ends the job
        log::rank_warn(std::string("infer: skipped ") + e.what());
        ++failed;
      }
    }
    const auto results = detector.detect(images, text);
    for (std::size_t k = 0; k < results.size(); ++k) {
      const auto& r = results[k];
      const std::string name = index_name(indices[k]);
      cv::Mat published = r.anomaly_map;
      if (o.map_values == "z") published = anomaly::z_map_view(r.z_map, z_smoothing);
      if (o.map_values == "z-detail") {
        // the detector's top-hat when the refinement or the fused map took it; otherwise (nothing
        // flagged and no prior, or refinement off) the same top-hat taken here
        const cv::Mat detail =
            r.bright_detail.empty()
                ? anomaly::bright_detail(images[k], anomaly::detail_radius(map_refinement, images[k].size(), r.z_map.size()))
                : r.bright_detail;
        published = anomaly::z_detail_view(r.z_map, z_smoothing, detail, anomaly::kZDetailWeight);
      }
      if (o.map_values == "fused") published = r.fused_map;
      write_png(fs::path(o.out) / "maps" / name, as_16bit(published));
      write_png(fs::path(o.out) / "masks224" / name, r.mask);
      write_png(fs::path(o.out) / "masks" / name, r.full_mask);
      if (o.write_zmaps && !r.z_map.empty()) write_tiff(fs::path(o.out) / "zmaps" / name, r.z_map);
      if (!o.calibrate.empty() && negative[indices[k]]) {
        if (negative_rank[indices[k]] % 2 == 0) {
          statistics.add(r.residual);
        } else {
          ThresholdImage t{r.residual, cv::Mat(), text.empty() ? cv::Mat() : text[k], cv::Mat(), r.object_probability};
          if (!t.text.empty()) t.exclusion = anomaly::exclusion_at(t.text, r.residual.size());
          if (!prior.empty()) {
            t.detail = anomaly::bright_detail(images[k], anomaly::detail_radius(map_refinement, images[k].size(),
                                                                                 r.residual.size()));
          }
          threshold_images.push_back(std::move(t));
        }
      }
      char row[512];
      std::snprintf(row, sizeof row, "%zu,%s,%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d,%d\n", indices[k],
                    paths[indices[k]].c_str(), images[k].cols, images[k].rows, r.mask_score, r.anomaly_score,
                    r.ssim_score, r.peak_score, r.z_peak, r.object_peak, r.foreign_object ? 1 : 0,
                    inverted[k] ? 1 : 0);
      rows << row;
    }
  }
  const auto gathered = comm.gather_strings(rows.str());
  const long long total_failed = comm.allreduce_sum(failed);
  if (!o.calibrate.empty()) calibrate(o, options, z_smoothing, statistics, threshold_images, comm);
  if (comm.is_root()) {
    std::vector<std::string> lines;
    for (const auto& part : gathered) {
      std::istringstream in(part);
      for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end(), [](const std::string& a, const std::string& b) {
      return std::stoull(a.substr(0, a.find(','))) < std::stoull(b.substr(0, b.find(',')));
    });
    std::string csv =
        "index,path,width,height,mask_score,anomaly_score,ssim_score,peak_score,z_peak,object_peak,foreign_object,"
        "inverted\n";
    int turned = 0;  // the last column: stored inverted, looked at turned back
    for (const auto& line : lines) {
      csv += line + "\n";
      turned += line.compare(line.size() - 2, 2, ",1") == 0 ? 1 : 0;
    }
    io::write_text_atomically((fs::path(o.out) / "scores.csv").string(), csv);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("infer: %zu images (%lld unreadable, %d stored inverted and looked at turned back) in %.1f s on %d "
                "rank(s); results in %s\n",
                lines.size(), total_failed, turned, seconds, comm.size(), o.out.c_str());
    std::fflush(stdout);
  }
  return to_int(batch_outcome(static_cast<long long>(paths.size()), total_failed));
}

}  // namespace medanon::plugin
