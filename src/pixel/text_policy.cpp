#include "pixel/text_policy.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <set>

#include "pixel/letter_evidence.hpp"

namespace medanon::pixel {
namespace {

struct LineExtent {
  cv::Rect box;
  int height = 0;  // median word height
};

std::map<int, LineExtent> line_extents(const std::vector<TextDetection>& words) {
  std::map<int, std::vector<const TextDetection*>> by_line;
  for (const TextDetection& word : words) by_line[word.line].push_back(&word);
  std::map<int, LineExtent> extents;
  for (auto& [line, members] : by_line) {
    LineExtent extent;
    std::vector<int> heights;
    for (const TextDetection* word : members) extent.box |= word->box, heights.push_back(word->box.height);
    std::nth_element(heights.begin(), heights.begin() + static_cast<long>(heights.size() / 2), heights.end());
    extent.height = heights[heights.size() / 2];
    extents[line] = extent;
  }
  return extents;
}

bool one_row(const LineExtent& a, const LineExtent& b, double gap_letters) {
  const int low = std::min(a.height, b.height), high = std::max(a.height, b.height);
  if (low <= 0 || high > 2 * low) return false;
  const int overlap = std::min(a.box.br().y, b.box.br().y) - std::max(a.box.y, b.box.y);
  if (overlap < 0.6 * low) return false;
  const int gap = std::max(a.box.x, b.box.x) - std::min(a.box.br().x, b.box.br().x);
  return gap <= gap_letters * high;
}

// One learned box over parts of both lines, which stand side by side on its row.
bool bridged(const LineExtent& a, const LineExtent& b, const std::vector<LearnedBox>& learned) {
  const int overlap = std::min(a.box.br().y, b.box.br().y) - std::max(a.box.y, b.box.y);
  if (overlap < 0.5 * std::min(a.height, b.height)) return false;
  return std::any_of(learned.begin(), learned.end(), [&](const LearnedBox& l) {
    return (l.box & a.box).area() * 2 >= std::min(a.box.area(), l.box.area()) / 2 &&
           (l.box & b.box).area() * 2 >= std::min(b.box.area(), l.box.area()) / 2;
  });
}

int find(std::map<int, int>& parent, int x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

// Evidence that the pixels are text: a confident reading, a learned box over the word, or the
// stored values it was read from (a drawn plate with letter-shaped holes, a row of letters of
// one value).
bool read_or_supported(const TextDetection& word) {
  return word.word_class != WordClass::unreadable || word.text_probability >= 0 || word.found_by == Detector::stored;
}

// The learned box of a redacted line covers its letters whole, where the word boxes of the
// other detectors may miss a stretch (a hyphenated ID Tesseract reads in part, strokes too wide
// for the stroke detector): the parts of such a box that no kept or flagged word holds are
// filled too, as words of the same line.
void fill_learned_lines(std::vector<TextDetection>& words, const std::vector<LearnedBox>& learned) {
  std::vector<TextDetection> added;
  for (const LearnedBox& line : learned) {
    if (line.box.width < 1.5 * line.box.height) continue;
    const TextDetection* redacted = nullptr;
    std::vector<std::pair<int, int>> held;  // x intervals of words that must stay untouched
    for (const TextDetection& word : words) {
      const cv::Rect overlap = word.box & line.box;
      if (overlap.empty()) continue;
      if (word.action == TextAction::redacted) {
        if (overlap.area() * 2 >= word.box.area() && redacted == nullptr) redacted = &word;
      } else {
        const int pad = std::max(2, word.box.height / 3);
        held.emplace_back(word.box.x - pad, word.box.br().x + pad);
      }
    }
    if (redacted == nullptr) continue;
    std::sort(held.begin(), held.end());
    int x = line.box.x;
    auto emit = [&](int to) {
      if (to - x < 2) return;
      TextDetection piece = *redacted;
      piece.box = cv::Rect(x, line.box.y, to - x, line.box.height);
      piece.text.clear();
      piece.confidence = -1;
      piece.found_by = Detector::learned;
      piece.word_class = WordClass::unreadable;
      piece.why = "learned line box of a redacted line";
      piece.text_probability = line.score;
      piece.in_border = true;
      added.push_back(std::move(piece));
    };
    for (const auto& [from, to] : held) {
      if (from > x) emit(std::min(from, line.box.br().x));
      x = std::max(x, to);
    }
    emit(line.box.br().x);
  }
  for (TextDetection& piece : added) words.push_back(std::move(piece));
}

// A line-shaped learned box that no decided word covers is text nobody accounted for: the stroke
// words that explained it (so no candidate of its own was made) were dropped as unsupported,
// typically because their box took in a plate or shutter edge and was much taller than the
// letters. The network's confident box is the evidence the anatomy guard asks for, and in the
// zone unread text is PHI (fail-safe): it is filled as a word of its own.
// With the whole-line rule off (words only), a box running past the zone is left to review.
void fill_unclaimed_learned_boxes(std::vector<TextDetection>& words, const std::vector<LearnedBox>& learned,
                                  const BorderGeometry& zone, bool whole_line) {
  std::vector<TextDetection> added;
  int next_line = 0;
  for (const TextDetection& word : words) next_line = std::max(next_line, word.line + 1);
  for (const LearnedBox& l : learned) {
    // A word's box: two letter heights wide at least. Shorter line-shaped boxes nothing else
    // accounts for are, on text-free radiographs, mostly specks of wire or calcification; boxes
    // with nothing letter-like inside, texture the network took for a word.
    if (l.box.width < 2 * l.box.height || !shows_letters(l) || (!whole_line && !zone.in_border(l.box))) continue;
    cv::Mat covered = cv::Mat::zeros(l.box.size(), CV_8U);
    for (const TextDetection& word : words) {
      const cv::Rect overlap = word.box & l.box;
      if (!overlap.empty()) covered(overlap - l.box.tl()).setTo(1);
    }
    if (cv::countNonZero(covered) * 2 >= l.box.area()) continue;
    TextDetection piece;
    piece.box = l.box;
    piece.found_by = Detector::learned;
    piece.word_class = WordClass::unreadable;
    piece.why = "learned box nothing else accounts for: treated as PHI";
    piece.phi = true;
    piece.confidence = -1;
    piece.text_probability = l.score;
    piece.in_border = true;
    piece.action = TextAction::redacted;
    piece.line = next_line++;  // a line of its own: redaction_spans joins pieces by line
    added.push_back(std::move(piece));
  }
  for (TextDetection& piece : added) words.push_back(std::move(piece));
}

}  // namespace

void keep_split_markers(std::vector<TextDetection>& words, const IdentifyingValues& values, const PhiOptions& options) {
  for (TextDetection& first : words) {
    for (TextDetection& second : words) {
      const int gap = second.box.x - first.box.br().x;
      const int shared = std::min(first.box.br().y, second.box.br().y) - std::max(first.box.y, second.box.y);
      const int height = std::max(first.box.height, second.box.height);
      // Two readings of one marker's stretch may overlap (`SEMI-E` over `-ERECT`), each still
      // starting and ending on its own side.
      const bool overlapping = gap < -2 && first.box.x < second.box.x && first.box.br().x < second.box.br().x;
      if (&first == &second || (gap < -2 && !overlapping) || 2 * gap > 3 * height ||
          2 * shared < std::min(first.box.height, second.box.height) ||
          !spell_a_marker(first.text, second.text, values, options, overlapping))
        continue;
      const WordVerdict verdict = split_marker_verdict();
      for (TextDetection* word : {&first, &second}) {
        word->word_class = verdict.word_class;
        word->why = verdict.why;
        word->phi = false;
      }
    }
  }
}

void decide_text_actions(std::vector<TextDetection>& words, const std::vector<LearnedBox>& learned,
                         const BorderGeometry& zone, const PixelOptions& options, bool learned_ran) {
  // Lines into row groups (union-find over line indices).
  const std::map<int, LineExtent> extents = line_extents(words);
  std::map<int, int> parent;
  for (const auto& [line, extent] : extents) parent[line] = line;
  if (options.whole_line) {
    for (auto a = extents.begin(); a != extents.end(); ++a) {
      for (auto b = std::next(a); b != extents.end(); ++b) {
        if (one_row(a->second, b->second, options.span_row_gap) || bridged(a->second, b->second, learned))
          parent[find(parent, a->first)] = find(parent, b->first);
      }
    }
  }
  const double image_area = static_cast<double>(zone.image.area());
  auto large = [&](const TextDetection& word) {
    return word.box.area() >= options.large_unreadable_share * image_area;
  };
  // Text enough to fill: with the learned detector, read or supported by it; without it (the
  // stroke detector's word alone), anything but a large unread region.
  auto text_like = [&](const TextDetection& word) {
    if (learned_ran) return read_or_supported(word);
    return word.word_class != WordClass::unreadable || !large(word);
  };

  // An unread piece mostly inside a word that was read is part of that word, not more text.
  auto inside_a_reading = [&](const TextDetection& word) {
    return word.word_class == WordClass::unreadable &&
           std::any_of(words.begin(), words.end(), [&](const TextDetection& other) {
             return other.word_class != WordClass::unreadable && (other.box & word.box).area() * 2 >= word.box.area();
           });
  };
  std::vector<bool> duplicate(words.size());
  for (size_t i = 0; i < words.size(); ++i) duplicate[i] = inside_a_reading(words[i]);
  std::map<int, int> group_size;
  for (size_t i = 0; i < words.size(); ++i) {
    if (!duplicate[i]) ++group_size[find(parent, words[i].line)];
  }
  // A lone glyph or two (narrower than 1.5 of its height), alone on its row (no other word within the whole-line gap): the size of
  // a side or projection marker (L, R, PA, AP), which Tesseract often misreads at large scale or
  // in a plate ('R' as 'a', a thin 'PA' as 'my'), never a name, ID or date. It is kept, not
  // filled: filling it destroys the marker and the anatomy under its plate, and nothing
  // identifying is left readable. A glyph on a row with other words stays in their line.
  auto lone_glyphs = [&](size_t i) {
    const TextDetection& word = words[i];
    return group_size[find(parent, word.line)] == 1 && word.box.width * 2 < 3 * word.box.height && alphanumerics(word.text) <= 2 &&
           !large(word);
  };

  // A word starting in the zone and running past it touches the zone as much as one inside it.
  const std::vector<cv::Rect> bands = zone.bands();
  auto touches = [&](const cv::Rect& box) {
    return zone.in_border(box) ||
           std::any_of(bands.begin(), bands.end(), [&](const cv::Rect& band) { return (band & box).area() > 0; });
  };
  // A group holds zone PHI when one of its words would be redacted on its own, or when it holds
  // PHI and starts in the zone: a label there (`Date`, `ACC:`) and its value past the zone's
  // edge are one line, redacted whole, not central text left for review. (A PHI word in the
  // zone makes both true.)
  std::set<int> in_zone, holds_phi;
  for (size_t i = 0; i < words.size(); ++i) {
    const TextDetection& word = words[i];
    if (duplicate[i] || !text_like(word)) continue;
    const int group = find(parent, word.line);
    if (touches(word.box) && (word.phi || word.word_class != WordClass::unreadable)) in_zone.insert(group);
    if (word.phi) holds_phi.insert(group);
  }
  std::vector<TextDetection> decided;
  for (size_t i = 0; i < words.size(); ++i) {
    TextDetection& word = words[i];
    if (duplicate[i]) continue;
    const int group = find(parent, word.line);
    const bool whole_line = options.whole_line && in_zone.count(group) > 0 && holds_phi.count(group) > 0;
    if (whole_line) word.in_border = true;  // redaction_spans lets its span run past the zone
    if (!word.in_border) {
      word.action = TextAction::review;  // central: a person decides, whatever it says
    } else if (word.phi && options.keep_technical && lone_glyphs(i)) {
      word.phi = false;
      word.word_class = WordClass::technical;
      word.why = "a lone glyph or two on its row: marker-sized, not an identifier";
      word.action = TextAction::kept;
    } else if (!word.phi) {
      word.action = options.keep_technical ? TextAction::kept : TextAction::redacted;
    } else if (!whole_line && !text_like(word)) {
      // Anatomy guard: no detector reads this as text. Large regions go to a person, small
      // ones are not text.
      if (!large(word)) continue;
      word.action = TextAction::review;
    } else {
      word.action = TextAction::redacted;
    }
    decided.push_back(std::move(word));
  }
  words = std::move(decided);
  if (options.whole_line) fill_learned_lines(words, learned);
  if (learned_ran) fill_unclaimed_learned_boxes(words, learned, zone, options.whole_line);
}

}  // namespace medanon::pixel
