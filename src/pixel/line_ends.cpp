#include "pixel/line_ends.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "pixel/constant_ink.hpp"

namespace medanon::pixel {
namespace {

// What the filled end of a line says about its letters.
struct LineEnd {
  int letter = 0;         // letter height (capitals and digits), pixels
  cv::Rect row;           // the line's rows: its letters' middle +- 0.75 letter
  std::vector<int> inks;  // stored values its letters near the end are drawn in
};

// The line's letters of constant ink in its last four letter heights (the extent's boxes may be
// taller than the letters: a stroke box that took in a plate's edge), and the ink of the word
// the fill stopped in, which may be its own. Nothing when the end shows no constant ink.
std::optional<LineEnd> measure_end(const cv::Mat& stored, const cv::Rect& extent, int direction) {
  const cv::Rect whole(0, 0, stored.cols, stored.rows);
  const int probe_width = std::min(extent.width, 4 * std::max(6, extent.height));
  const cv::Rect probe(direction > 0 ? extent.br().x - probe_width : extent.x, extent.y, probe_width, extent.height);
  const InkLetters own = constant_ink_letters(stored, probe, 4, static_cast<int>(std::ceil(1.3 * extent.height)));
  if (own.count < 2) return std::nullopt;
  LineEnd end;
  // The fully covered pixels of thin anti-aliased letters lose their curved tops and bottoms
  // (12-px digits leave 7-9 rows of ink per letter): the letters' smaller pieces of the same ink
  // (a serif, the foot of a curve) give back their height, up to half as much again.
  end.letter = std::max({4, own.height, std::min(own.marks.height, 3 * own.height / 2)});
  const int rows = std::max(6, 3 * end.letter / 2);
  end.row = cv::Rect(extent.x, static_cast<int>(std::lround(own.middle - rows / 2.0)), extent.width, rows) & whole;
  end.inks.push_back(own.value);
  const int last_width = std::min(extent.width, 2 * end.letter);
  const cv::Rect last(direction > 0 ? extent.br().x - last_width : extent.x, end.row.y, last_width, end.row.height);
  const InkLetters word = constant_ink_letters(stored, last, std::max(3, 2 * end.letter / 5),
                                               static_cast<int>(std::ceil(1.3 * end.letter)));
  if (word.count >= 1 && word.value != own.value) end.inks.push_back(word.value);
  return end;
}

// The letters of the line in `window`: one of an ink of its own, else a letter and another piece
// (a letter or a mark) of another ink, which then becomes one of the line's (the next word's);
// whole (not cut by the row's top or bottom) and centred on the row. Their extent with the
// marks of their ink beside them (a full stop after an initial), or nothing.
std::optional<cv::Rect> letters_in_window(const cv::Mat& stored, LineEnd& end, const cv::Rect& window) {
  const int low = std::max(3, 2 * end.letter / 5), high = static_cast<int>(std::ceil(1.3 * end.letter));
  const double middle = end.row.y + end.row.height / 2.0;
  auto on_row = [&](const InkLetters& found, int need) {
    return found.count >= need && std::abs(found.middle - middle) <= 0.35 * end.letter;
  };
  for (const int ink : end.inks) {
    const InkLetters same = letters_in_ink(stored, window, ink, low, high, true);
    if (on_row(same, 1)) return same.marks;
  }
  // Two pieces of another ink, one of them a letter: two letters, or an initial and its full
  // stop. A word's first letter may stand alone in the window (a capital after a word space,
  // its next letter's ink showing only past the window): its second piece is looked for a
  // letter further on.
  InkLetters other = constant_ink_letters(stored, window, low, high, true);
  if (!on_row(other, 1)) return std::nullopt;
  if (other.pieces < 2) {
    const cv::Rect wider = cv::Rect(window.x - end.letter, window.y, window.width + 2 * end.letter, window.height) &
                           cv::Rect(0, 0, stored.cols, stored.rows);
    other = letters_in_ink(stored, wider, other.value, low, high, true);
    if (!on_row(other, 1) || other.pieces < 2) return std::nullopt;
  }
  end.inks.push_back(other.value);
  return other.marks;
}

}  // namespace

void grow_line_ends(std::vector<TextDetection>& words, const PixelImage& image, int max_letters) {
  // Redacted PHI lines (the zone's) grow as redacted words; central lines flagged for review
  // grow as review words (the first name after the surname the detectors saw), never altered.
  std::map<int, cv::Rect> redacted_lines, review_lines;
  for (const TextDetection& word : words) {
    if (word.action == TextAction::redacted && word.phi) redacted_lines[word.line] |= word.box;
    if (word.action == TextAction::review && !word.in_border) review_lines[word.line] |= word.box;
  }
  const cv::Rect whole(0, 0, image.pixels.cols, image.pixels.rows);
  // A kept word on the row stops the growth (a marker after a name stays). A word flagged for
  // review does not: where the line's own ink runs on into it, it is the rest of this line
  // (the central pass flags what it sees of such a line past the zone); it stays flagged.
  auto blocked = [&](const cv::Rect& area) {
    return std::any_of(words.begin(), words.end(), [&](const TextDetection& w) {
      const cv::Rect common = w.box & area;
      return w.action == TextAction::kept && common.area() > 0 && 2 * common.height >= std::min(area.height, w.box.height);
    });
  };
  // How far the letters of constant ink go on past `extent` in `direction`; empty: not at all.
  auto continuation = [&](const cv::Rect& extent, int direction) {
    cv::Rect reach;
    std::optional<LineEnd> end = measure_end(image.pixels, extent, direction);
    if (!end) return reach;
    // Windows two letters wide from the current end: a word space fits in one, the gap
    // between two fields of a plate does not.
    const int width = 2 * end->letter;
    const int limit = direction > 0 ? extent.br().x + max_letters * end->letter : extent.x - max_letters * end->letter;
    int edge = direction > 0 ? extent.br().x : extent.x;
    // The letters' middle is their sets' median: lower than a capital's where x-height letters
    // end the line (`del` before `Roble`), so the windows reach a quarter letter further up and
    // down than the row the fill takes, and a capital stands whole in them.
    const int margin = end->letter / 4;
    while (direction > 0 ? edge < limit : edge > limit) {
      const cv::Rect window = cv::Rect(direction > 0 ? edge : edge - width, end->row.y - margin, width,
                                       end->row.height + 2 * margin) &
                              whole;
      if (window.width < end->letter / 2 || blocked(window)) break;
      const std::optional<cv::Rect> letters = letters_in_window(image.pixels, *end, window);
      if (!letters) break;
      const int far = direction > 0 ? letters->br().x : letters->x;
      if (direction > 0 ? far <= edge : far >= edge) break;
      // Inside the window, on its rows: a kept word there would have stopped the window.
      reach |= cv::Rect(std::min(edge, far), end->row.y, std::abs(far - edge), end->row.height);
      edge = far;
    }
    return reach;
  };
  std::vector<TextDetection> grown;
  for (const bool redact : {true, false}) {
    for (const auto& [line, extent] : redact ? redacted_lines : review_lines) {
      for (const int direction : {+1, -1}) {
        const cv::Rect reach = continuation(extent, direction);
        if (reach.empty()) continue;
        TextDetection word;
        word.box = reach;
        word.found_by = Detector::stroke;
        word.word_class = WordClass::unreadable;
        word.why = redact ? "letters of constant ink continuing a redacted line past its detected end"
                          : "letters of constant ink continuing a line flagged for review";
        word.phi = redact;
        word.in_border = redact;
        word.action = redact ? TextAction::redacted : TextAction::review;
        word.line = line;
        grown.push_back(std::move(word));
      }
    }
  }
  for (TextDetection& word : grown) words.push_back(std::move(word));
}

}  // namespace medanon::pixel
