#include "pixel/redaction_spans.hpp"

#include <algorithm>
#include <map>

namespace medanon::pixel {
namespace {

struct Span {
  cv::Rect box;
  int height = 0;          // tallest word's height
  std::vector<int> lines;  // detected lines it draws words from
};

bool shares_line(const Span& a, const Span& b) {
  return std::any_of(a.lines.begin(), a.lines.end(),
                     [&](int line) { return std::find(b.lines.begin(), b.lines.end(), line) != b.lines.end(); });
}

// The stretch of row between two spans side by side (empty when they overlap in x).
cv::Rect gap_between(const cv::Rect& a, const cv::Rect& b) {
  const int x0 = std::min(a.br().x, b.br().x), x1 = std::max(a.x, b.x);
  const int y0 = std::max(a.y, b.y), y1 = std::min(a.br().y, b.br().y);
  if (x1 <= x0 || y1 <= y0) return {};
  return {cv::Point(x0, y0), cv::Point(x1, y1)};
}

bool on_one_row(const Span& a, const Span& b, double row_gap_letters) {
  const int low = std::min(a.height, b.height), high = std::max(a.height, b.height);
  if (high > 2 * low) return false;
  const int overlap = std::min(a.box.br().y, b.box.br().y) - std::max(a.box.y, b.box.y);
  if (overlap < 0.6 * low) return false;
  const int gap = std::max(a.box.x, b.box.x) - std::min(a.box.br().x, b.box.br().x);
  return gap <= row_gap_letters * high;
}

// Where a span may lie: the border zone, or a line an overlay block brought into it.
struct Allowed {
  const BorderGeometry& zone;
  std::vector<cv::Rect> claimed_lines;
  bool contains(const cv::Rect& box) const {
    return zone.in_border(box) ||
           std::any_of(claimed_lines.begin(), claimed_lines.end(), [&](const cv::Rect& line) { return (box & line) == box; });
  }
};

bool should_join(const Span& a, const Span& b, const std::vector<cv::Rect>& untouchable, const Allowed& allowed,
                 double row_gap_letters) {
  if (!shares_line(a, b) && !on_one_row(a, b, row_gap_letters)) return false;
  if (!allowed.contains(a.box | b.box)) return false;
  const cv::Rect gap = gap_between(a.box, b.box);
  return gap.empty() || std::none_of(untouchable.begin(), untouchable.end(),
                                     [&](const cv::Rect& box) { return (box & gap).area() > 0; });
}

}  // namespace

std::vector<cv::Rect> redaction_spans(const std::vector<TextDetection>& words, const BorderGeometry& zone,
                                      double row_gap_letters) {
  std::vector<Span> spans;
  std::vector<cv::Rect> untouchable;  // kept and flagged words: a span never runs across one
  Allowed allowed{zone, {}};
  // Lines an overlay block brought into the border; the part of such a line that lies in a band
  // (its first word in the left band) and the pieces the detectors broke it into are the same
  // line again, so they grow its region.
  std::map<int, cv::Rect> claimed;  // line -> its box
  for (const TextDetection& word : words) {
    if (word.in_border && !zone.in_border(word.box)) claimed[word.line] = word.box;
  }
  for (const TextDetection& word : words) {
    if (claimed.count(word.line)) claimed[word.line] |= word.box;
  }
  std::vector<Span> claimed_spans;
  for (const auto& [line, box] : claimed) claimed_spans.push_back({box, box.height, {line}});
  for (const TextDetection& word : words) {
    if (word.action != TextAction::redacted || claimed.count(word.line)) continue;
    const Span piece{word.box, word.box.height, {word.line}};
    for (Span& region : claimed_spans) {
      if (on_one_row(region, piece, row_gap_letters)) region.box |= piece.box;
    }
  }
  for (bool joined = true; joined;) {
    joined = false;
    for (size_t i = 0; i < claimed_spans.size() && !joined; ++i) {
      for (size_t j = i + 1; j < claimed_spans.size() && !joined; ++j) {
        if (!on_one_row(claimed_spans[i], claimed_spans[j], row_gap_letters)) continue;
        claimed_spans[i].box |= claimed_spans[j].box;
        claimed_spans.erase(claimed_spans.begin() + static_cast<long>(j));
        joined = true;
      }
    }
  }
  for (const Span& span : claimed_spans) allowed.claimed_lines.push_back(span.box);
  for (const TextDetection& word : words) {
    if (word.action == TextAction::redacted) {
      spans.push_back({word.box, word.box.height, {word.line}});
    } else {
      untouchable.push_back(word.box);
    }
  }
  // Pairs are joined until none is left to join; a page holds a few dozen words at most.
  for (bool joined = true; joined;) {
    joined = false;
    for (size_t i = 0; i < spans.size() && !joined; ++i) {
      for (size_t j = i + 1; j < spans.size() && !joined; ++j) {
        if (!should_join(spans[i], spans[j], untouchable, allowed, row_gap_letters)) continue;
        spans[i].box |= spans[j].box;
        spans[i].height = std::max(spans[i].height, spans[j].height);
        spans[i].lines.insert(spans[i].lines.end(), spans[j].lines.begin(), spans[j].lines.end());
        spans.erase(spans.begin() + static_cast<long>(j));
        joined = true;
      }
    }
  }
  std::vector<cv::Rect> boxes;
  for (const Span& span : spans) boxes.push_back(span.box);
  return boxes;
}

}  // namespace medanon::pixel
