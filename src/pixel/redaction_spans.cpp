#include "pixel/redaction_spans.hpp"

#include <algorithm>

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

bool should_join(const Span& a, const Span& b, const std::vector<cv::Rect>& untouchable, const BorderGeometry& zone,
                 double row_gap_letters) {
  if (!shares_line(a, b) && !on_one_row(a, b, row_gap_letters)) return false;
  if (!zone.in_border(a.box | b.box)) return false;
  const cv::Rect gap = gap_between(a.box, b.box);
  return gap.empty() || std::none_of(untouchable.begin(), untouchable.end(),
                                     [&](const cv::Rect& box) { return (box & gap).area() > 0; });
}

}  // namespace

std::vector<cv::Rect> redaction_spans(const std::vector<TextDetection>& words, const BorderGeometry& zone,
                                      double row_gap_letters) {
  std::vector<Span> spans;
  std::vector<cv::Rect> untouchable;  // kept and flagged words: a span never runs across one
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
        if (!should_join(spans[i], spans[j], untouchable, zone, row_gap_letters)) continue;
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
