#pragma once
// Scores burned-in-text redaction against the synthetic corpus's ground truth (issue #4's proof):
//   - border PHI recall: a PHI word box counts as removed when >= 95 % of its pixels changed;
//   - non-text pixels altered: changed pixels outside every ground-truth word box, as a share of
//     all pixels outside them;
//   - technical text kept: Marker/Technique words with < 5 % of their pixels changed;
//   - central PHI flagged: central PHI words overlapped by a detection sent to review.

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "pixel/pixel_pipeline.hpp"

namespace medanon::evaluation {

struct TruthWord {
  std::string text, field;
  bool phi = false;
  bool central = false;
  cv::Rect box;
};

struct TextScore {
  long long border_phi = 0, border_phi_removed = 0;
  long long central_phi = 0, central_phi_flagged = 0;
  long long technical = 0, technical_kept = 0;
  long long labels = 0, labels_kept = 0;
  long long non_text_pixels = 0, non_text_altered = 0;
  long long images = 0;
  long long images_flagged = 0;  // images with any word sent to review (on text-free corpora: false flags)
  std::vector<std::string> misses;  // "image: word (why)" for every missed border PHI or central flag

  void add(const TextScore& other);
  static double share(long long part, long long whole) { return whole > 0 ? static_cast<double>(part) / whole : 1.0; }
  double border_phi_recall() const { return share(border_phi_removed, border_phi); }
  double central_phi_flag_rate() const { return share(central_phi_flagged, central_phi); }
  double technical_kept_rate() const { return share(technical_kept, technical); }
  double non_text_altered_fraction() const { return non_text_pixels > 0 ? static_cast<double>(non_text_altered) / non_text_pixels : 0.0; }
};

// `before` and `after` are the stored pixels of one image (same size and type).
TextScore score_image(const std::string& name, const cv::Mat& before, const cv::Mat& after,
                      const std::vector<TruthWord>& truth, const std::vector<pixel::TextDetection>& detections);

}  // namespace medanon::evaluation
