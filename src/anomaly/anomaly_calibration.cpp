// Per-pixel residual statistics of negatives, the z-map and the calibration files.

#include "anomaly/anomaly_calibration.hpp"
#include "core/errors.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/core/persistence.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <stdexcept>

#include "io/atomic_file.hpp"

namespace medanon::anomaly {

namespace fs = std::filesystem;

cv::Mat AnomalyCalibration::standardise(const cv::Mat& map) const {
  if (map.size() != mean.size()) {
    throw InternalError("calibration statistics are " + std::to_string(mean.cols) + " px wide, the map " +
                                std::to_string(map.cols));
  }
  cv::Mat z;
  cv::divide(map - mean, spread + floor, z);
  return z;
}

double top_mean(const cv::Mat& map, const cv::Mat& exclude, double fraction) {
  CV_Assert(map.type() == CV_32F && (exclude.empty() || (exclude.type() == CV_8U && exclude.size() == map.size())));
  std::vector<float> values;
  values.reserve(map.total());
  for (int y = 0; y < map.rows; ++y) {
    const float* row = map.ptr<float>(y);
    const unsigned char* skip = exclude.empty() ? nullptr : exclude.ptr<unsigned char>(y);
    for (int x = 0; x < map.cols; ++x) {
      if (skip == nullptr || skip[x] == 0) values.push_back(row[x]);
    }
  }
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  // The count comes from the whole map, so excluding pixels does not make the score more extreme.
  const auto top = std::clamp<std::size_t>(static_cast<std::size_t>(fraction * static_cast<double>(map.total())), 1,
                                           values.size());
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(top - 1), values.end(), std::greater<>());
  double sum = 0.0;
  for (std::size_t i = 0; i < top; ++i) sum += values[i];
  return sum / static_cast<double>(top);
}

PixelStatistics::PixelStatistics(int rows, int cols)
    : sum_(cv::Mat::zeros(rows, cols, CV_64F)), sum_squares_(cv::Mat::zeros(rows, cols, CV_64F)) {}

cv::Mat exclusion_at(const cv::Mat& exclusion, cv::Size model_size) {
  if (exclusion.empty()) return cv::Mat();
  cv::Mat out;
  cv::resize(exclusion, out, model_size, 0, 0, cv::INTER_AREA);
  cv::threshold(out, out, 0, 255, cv::THRESH_BINARY);
  return out;
}

void PixelStatistics::add(const cv::Mat& map) {
  CV_Assert(map.type() == CV_32F);
  if (map.size() != sum_.size()) throw InternalError("residual maps of different sizes cannot be pooled");
  cv::Mat value;
  map.convertTo(value, CV_64F);
  count_ += 1;
  sum_ += value;
  sum_squares_ += value.mul(value);
}

cv::Mat PixelStatistics::mean() const {
  cv::Mat out;
  sum_.convertTo(out, CV_32F, 1.0 / std::max(count_, 1.0));
  return out;
}

cv::Mat PixelStatistics::standard_deviation() const {
  const double n = std::max(count_, 1.0);
  const cv::Mat mean = sum_ / n;
  cv::Mat variance = cv::max(sum_squares_ / n - mean.mul(mean), 0.0), out;  // residuals are O(0.1): no cancellation worth a second pass
  cv::sqrt(variance, variance);
  variance.convertTo(out, CV_32F);
  return out;
}

std::vector<double> PixelStatistics::to_sums() const {
  std::vector<double> sums{count_};
  sums.insert(sums.end(), sum_.begin<double>(), sum_.end<double>());
  sums.insert(sums.end(), sum_squares_.begin<double>(), sum_squares_.end<double>());
  return sums;
}

void PixelStatistics::from_sums(const std::vector<double>& sums) {
  const std::size_t pixels = sum_.total();
  if (sums.size() != 1 + 2 * pixels) throw InternalError("pixel statistics of another size");
  count_ = sums[0];
  std::copy(sums.begin() + 1, sums.begin() + 1 + static_cast<std::ptrdiff_t>(pixels), sum_.begin<double>());
  std::copy(sums.begin() + 1 + static_cast<std::ptrdiff_t>(pixels), sums.end(), sum_squares_.begin<double>());
}

double percentile(std::vector<double> values, double percent) {
  if (values.empty()) throw InternalError("percentile of no values");
  std::sort(values.begin(), values.end());
  const double rank = percent / 100.0 * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const auto above = std::min(below + 1, values.size() - 1);
  return values[below] + (rank - static_cast<double>(below)) * (values[above] - values[below]);
}

namespace {

std::string statistics_path_for(const std::string& json_path) {
  fs::path path(json_path);
  if (path.extension() == ".json") path.replace_extension();
  return path.string() + ".stats.yml.gz";
}

}  // namespace

AnomalyCalibration read_calibration(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read threshold file " + path);
  AnomalyCalibration calibration;
  std::string statistics;
  try {
    const auto j = nlohmann::json::parse(in);
    calibration.threshold = j.at("threshold").get<double>();
    calibration.score = j.value("score", std::string("mask_score"));
    calibration.floor = j.value("floor", calibration.floor);
    calibration.residual = j.value("residual", std::string());
    statistics = j.value("statistics", std::string());
    calibration.z_peak_threshold = j.value("z_peak_threshold", -1.0);
    const std::string prior = j.value("object_prior", std::string());
    if (!prior.empty()) calibration.object_prior = (fs::path(path).parent_path() / prior).lexically_normal().string();
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": not a threshold file (" + e.what() + ")");
  }
  if (calibration.score != "mask_score" && calibration.score != "z_peak" && calibration.score != "object_peak") {
    throw InputError(path + ": unknown score '" + calibration.score + "' (mask_score, z_peak, object_peak)");
  }
  if (!statistics.empty()) {
    const fs::path file = fs::path(path).parent_path() / statistics;  // relative: the pair moves together
    try {
      cv::FileStorage storage(file.string(), cv::FileStorage::READ);
      if (!storage.isOpened()) throw std::runtime_error("cannot open");
      storage["mean"] >> calibration.mean;
      storage["spread"] >> calibration.spread;
    } catch (const std::exception& e) {
      throw InputError(path + ": its statistics file " + file.string() + " is unreadable (" + e.what() + ")");
    }
    if (calibration.mean.empty() || calibration.mean.type() != CV_32F || calibration.spread.size() != calibration.mean.size() ||
        calibration.spread.type() != CV_32F) {
      throw InputError(path + ": its statistics file " + file.string() + " lacks float maps 'mean' and 'spread'");
    }
  }
  if (calibration.score != "mask_score" && !calibration.has_statistics()) {
    throw InputError(path + ": a " + calibration.score + " threshold needs the statistics file it was calibrated with");
  }
  return calibration;
}

bool AnomalyCalibration::fall_back_to_z_peak() {
  if (z_peak_threshold < 0) return false;
  score = "z_peak";
  threshold = z_peak_threshold;
  return true;
}

void write_calibration(const AnomalyCalibration& calibration, const std::string& path, const std::string& details) {
  nlohmann::json j = details.empty() ? nlohmann::json::object() : nlohmann::json::parse(details);
  j["threshold"] = calibration.threshold;
  j["score"] = calibration.score;
  if (calibration.z_peak_threshold >= 0) j["z_peak_threshold"] = calibration.z_peak_threshold;
  if (!calibration.object_prior.empty()) {  // relative to the file's folder: the pair moves together
    const fs::path folder = fs::absolute(fs::path(path)).parent_path();
    j["object_prior"] = fs::absolute(calibration.object_prior).lexically_proximate(folder).string();
  }
  if (calibration.has_statistics()) {
    const std::string statistics = statistics_path_for(path);
    j["statistics"] = fs::path(statistics).filename().string();
    j["floor"] = calibration.floor;
    j["residual"] = calibration.residual;
    io::write_atomically(statistics, [&](const std::string& temp) {
      const std::string named = temp + ".yml.gz";  // FileStorage picks format and compression by name
      {
        cv::FileStorage storage(named, cv::FileStorage::WRITE);
        if (!storage.isOpened()) throw InputError("cannot write " + statistics);
        storage << "mean" << calibration.mean << "spread" << calibration.spread;
      }
      fs::rename(named, temp);
    });
  }
  io::write_text_atomically(path, j.dump(2) + "\n");
}

double calibrate_threshold(const std::vector<double>& negative_mask_scores, double percent, const std::string& path) {
  if (negative_mask_scores.empty()) throw InputError("no negative images to calibrate the threshold on");
  AnomalyCalibration calibration;
  calibration.threshold = percentile(negative_mask_scores, percent);
  const nlohmann::json details = {{"percentile", percent}, {"negatives", negative_mask_scores.size()}};
  write_calibration(calibration, path, details.dump());
  return calibration.threshold;
}

}  // namespace medanon::anomaly
