#include "mae/threshold_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "io/atomic_file.hpp"

namespace medanon::mae {

double read_threshold_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read threshold file " + path);
  try {
    return nlohmann::json::parse(in).at("threshold").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not a threshold file (" + e.what() + ")");
  }
}

double calibrate_threshold(const std::vector<double>& negative_mask_scores, double percentile, const std::string& path) {
  if (negative_mask_scores.empty()) throw std::runtime_error("no negative images to calibrate the threshold on");
  std::vector<double> sorted = negative_mask_scores;
  std::sort(sorted.begin(), sorted.end());
  const double rank = percentile / 100.0 * static_cast<double>(sorted.size() - 1);  // numpy's linear percentile
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const auto above = std::min(below + 1, sorted.size() - 1);
  const double threshold = sorted[below] + (rank - static_cast<double>(below)) * (sorted[above] - sorted[below]);
  nlohmann::json file = {{"threshold", threshold},
                         {"score", "mask_score"},
                         {"percentile", percentile},
                         {"negatives", sorted.size()}};
  io::write_text_atomically(path, file.dump(2) + "\n");
  return threshold;
}

}  // namespace medanon::mae
