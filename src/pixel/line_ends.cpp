#include "pixel/line_ends.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <map>

#include "pixel/letter_evidence.hpp"

namespace medanon::pixel {
namespace {

// Letter widths inside `step` (image pixels), shown as the learned detector sees a region, with
// letters brought to ~24 rows so that the stroke test works at one size whatever the image.
double letters_in_step(const PixelImage& image, const DetectionView& view, const EnhanceOptions& enhance,
                       const cv::Rect& step) {
  const cv::Rect whole(0, 0, image.pixels.cols, image.pixels.rows);
  const int margin = step.height;
  const cv::Rect region = cv::Rect(step.x - margin, step.y - margin, step.width + 2 * margin, step.height + 2 * margin) & whole;
  if (region.width < 8 || region.height < 8) return 0;
  const double scale = std::clamp(24.0 / std::max(1, step.height), 0.25, 3.0);
  const cv::Mat shown = display_region(image, view, region, scale, enhance);
  cv::Mat grey = shown;
  if (shown.channels() == 3) cv::cvtColor(shown, grey, cv::COLOR_BGR2GRAY);
  const cv::Rect in_region = step - region.tl();
  const cv::Rect scaled(cvRound(in_region.x * scale), cvRound(in_region.y * scale), cvRound(in_region.width * scale),
                        cvRound(in_region.height * scale));
  return letter_widths_in_box(grey, scaled);
}

}  // namespace

void grow_redacted_line_ends(std::vector<TextDetection>& words, const PixelImage& image, const DetectionView& view,
                             const EnhanceOptions& enhance, int max_steps) {
  std::map<int, cv::Rect> lines;  // redacted extent per line
  for (const TextDetection& word : words) {
    if (word.action == TextAction::redacted && word.phi) lines[word.line] |= word.box;
  }
  const cv::Rect whole(0, 0, image.pixels.cols, image.pixels.rows);
  auto blocked = [&](const cv::Rect& step) {
    return std::any_of(words.begin(), words.end(), [&](const TextDetection& w) {
      return w.action != TextAction::redacted && (w.box & step).area() > 0;
    });
  };
  std::vector<TextDetection> grown;
  for (const auto& [line, extent] : lines) {
    const int letter = std::max(6, extent.height);
    for (const int direction : {+1, -1}) {
      cv::Rect reach;
      // Steps two letter heights wide that must hold two letters: a lone stroke-like thing
      // past the end is as often the shutter's own edge.
      const int width = 2 * letter;
      for (int k = 0; k < max_steps; ++k) {
        // The first step leaves half a letter out: where the boxes stop the background often
        // changes (the shutter's edge), and that edge alone is no letter.
        const int skip = letter / 2;
        const int x = direction > 0 ? extent.br().x + skip + k * width : extent.x - skip - (k + 1) * width;
        const cv::Rect step = cv::Rect(x, extent.y, width, extent.height) & whole;
        if (step.width < letter || blocked(step) || letters_in_step(image, view, enhance, step) < 2.0) break;
        reach |= step | cv::Rect(direction > 0 ? extent.br().x : step.br().x, step.y, skip, step.height);
      }
      if (reach.empty()) continue;
      // The line's last letter stands alone in its step.
      const cv::Rect last = cv::Rect(direction > 0 ? reach.br().x : reach.x - letter, reach.y, letter, reach.height) & whole;
      if (last.width >= letter / 2 && !blocked(last) && letters_in_step(image, view, enhance, last) >= 1.0) reach |= last;
      TextDetection word;
      word.box = reach;
      word.found_by = Detector::stroke;
      word.word_class = WordClass::unreadable;
      word.why = "letters continuing a redacted line past its detected end";
      word.phi = true;
      word.in_border = true;
      word.action = TextAction::redacted;
      word.line = line;
      grown.push_back(std::move(word));
    }
  }
  for (TextDetection& word : grown) words.push_back(std::move(word));
}

}  // namespace medanon::pixel
