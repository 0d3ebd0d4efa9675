#include "evaluation/text_scoring.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace medanon::evaluation {
namespace {

// Issue #4's target for the whole corpus: at most 1 % of the non-text pixels altered.
constexpr double kAlteredBudget = 0.01;

// What redacted a kept word: each filled detection over it as 'reading' (confidence, class: why),
// so a miss says whether Tesseract misread it, read it unsure, or never read it.
std::string filled_over(const std::vector<pixel::TextDetection>& detections, const cv::Rect& box) {
  std::string said;
  for (const pixel::TextDetection& d : detections) {
    if (d.action != pixel::TextAction::redacted || (d.box & box).area() == 0) continue;
    said += said.empty() ? " by " : "; ";
    said += "'" + d.text + "' (" + std::to_string(cvRound(d.confidence)) + ", " + pixel::to_string(d.word_class) + ": " + d.why + ")";
  }
  return said.empty() ? " (by a line or box fill)" : said;
}

}  // namespace

void TextScore::add(const TextScore& other) {
  border_phi += other.border_phi, border_phi_removed += other.border_phi_removed;
  central_phi += other.central_phi, central_phi_flagged += other.central_phi_flagged;
  technical += other.technical, technical_kept += other.technical_kept;
  labels += other.labels, labels_kept += other.labels_kept;
  non_text_pixels += other.non_text_pixels, non_text_altered += other.non_text_altered;
  images += other.images, images_flagged += other.images_flagged;
  misses.insert(misses.end(), other.misses.begin(), other.misses.end());
}

TextScore score_image(const std::string& name, const cv::Mat& before, const cv::Mat& after,
                      const std::vector<TruthWord>& truth, const std::vector<pixel::TextDetection>& detections) {
  TextScore score;
  score.images = 1;
  score.images_flagged = std::any_of(detections.begin(), detections.end(),
                                     [](const pixel::TextDetection& d) { return d.action == pixel::TextAction::review; });
  cv::Mat changed;
  cv::compare(before, after, changed, cv::CMP_NE);
  if (changed.channels() > 1) cv::cvtColor(changed, changed, cv::COLOR_BGR2GRAY), changed = changed > 0;
  cv::Mat text_area = cv::Mat::zeros(before.size(), CV_8UC1);
  const cv::Rect whole(cv::Point(0, 0), before.size());
  for (const TruthWord& word : truth) {
    const cv::Rect box = word.box & whole;
    if (box.empty()) continue;
    text_area(box).setTo(255);
    const double changed_share = static_cast<double>(cv::countNonZero(changed(box))) / box.area();
    if (word.phi && !word.central) {
      ++score.border_phi;
      if (changed_share >= 0.95) {
        ++score.border_phi_removed;
      } else {
        score.misses.push_back(name + ": border PHI '" + word.text + "' only " + std::to_string(cvRound(100 * changed_share)) + " % changed");
      }
    } else if (word.phi && word.central) {
      ++score.central_phi;
      const bool flagged = std::any_of(detections.begin(), detections.end(), [&](const pixel::TextDetection& d) {
        return d.action == pixel::TextAction::review && (d.box & box).area() > 0;
      });
      if (flagged) {
        ++score.central_phi_flagged;
      } else {
        score.misses.push_back(name + ": central PHI '" + word.text + "' not flagged");
      }
    } else if (word.field == "Marker" || word.field == "Technique") {
      ++score.technical;
      score.technical_kept += changed_share < 0.05;
      if (changed_share >= 0.05) score.misses.push_back(name + ": technical '" + word.text + "' altered" + filled_over(detections, box));
    } else {
      ++score.labels;
      score.labels_kept += changed_share < 0.05;
    }
  }
  const cv::Mat outside = text_area == 0;
  score.non_text_pixels = cv::countNonZero(outside);
  cv::Mat altered_outside;
  cv::bitwise_and(changed, outside, altered_outside);
  score.non_text_altered = cv::countNonZero(altered_outside);
  // The images that cost most of the alteration budget are worth a look in the overlays.
  const double altered_share = static_cast<double>(score.non_text_altered) / std::max<long long>(1, score.non_text_pixels);
  if (altered_share > 2 * kAlteredBudget) {
    score.misses.push_back(name + ": non-text pixels altered " + std::to_string(altered_share * 100).substr(0, 4) + " %");
  }
  // A fill that touches no word of the truth is damage whatever the corpus: say what it was.
  for (const pixel::TextDetection& d : detections) {
    if (d.action != pixel::TextAction::redacted) continue;
    const bool on_a_word = std::any_of(truth.begin(), truth.end(), [&](const TruthWord& w) { return (w.box & d.box).area() > 0; });
    if (!on_a_word) {
      score.misses.push_back(name + ": filled over no word: " + std::to_string(d.box.width) + "x" + std::to_string(d.box.height) +
                             " at " + std::to_string(d.box.x) + "," + std::to_string(d.box.y) + " '" + d.text + "' (" +
                             std::to_string(cvRound(d.confidence)) + ", " + pixel::to_string(d.word_class) + ": " + d.why + ")");
    }
  }
  return score;
}

}  // namespace medanon::evaluation
