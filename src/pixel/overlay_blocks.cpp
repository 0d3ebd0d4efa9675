#include "pixel/overlay_blocks.hpp"

#include <algorithm>
#include <cstdlib>

namespace medanon::pixel {
namespace {

struct LineShape {
  cv::Rect box;
  int height = 0;  // median word height: the letters' height
};

LineShape shape_of(const DetectedLine& line) {
  LineShape shape;
  std::vector<int> heights;
  for (const TextDetection& word : line.words) {
    shape.box = heights.empty() ? word.box : (shape.box | word.box);
    heights.push_back(word.box.height);
  }
  std::nth_element(heights.begin(), heights.begin() + static_cast<long>(heights.size() / 2), heights.end());
  shape.height = heights[heights.size() / 2];
  return shape;
}

bool wholly_in_border(const DetectedLine& line) {
  return std::all_of(line.words.begin(), line.words.end(), [](const TextDetection& w) { return w.in_border; });
}

// `next` is the line after `block` in a stack: letters of one size, one line pitch away
// (above or below), and sharing the block's left edge, right edge or centre.
bool continues(const LineShape& block, const LineShape& next) {
  const int low = std::min(block.height, next.height), high = std::max(block.height, next.height);
  if (2 * high > 3 * low) return false;
  const int gap = next.box.y >= block.box.y ? next.box.y - block.box.br().y : block.box.y - next.box.br().y;
  if (gap < -high / 5 || gap > 1.6 * high) return false;
  const int centre_shift = std::abs((next.box.x + next.box.br().x) - (block.box.x + block.box.br().x)) / 2;
  return std::abs(next.box.x - block.box.x) <= high || std::abs(next.box.br().x - block.box.br().x) <= high ||
         centre_shift <= high;
}

// Within `reach` band depths of the top or bottom edge: how far a stacked block may grow.
bool within_reach(const cv::Rect& box, const BorderGeometry& zone, double reach) {
  return box.br().y <= reach * zone.top || box.y >= zone.image.height - reach * zone.bottom;
}

}  // namespace

int extend_overlay_blocks(std::vector<DetectedLine>& lines, const BorderGeometry& zone, double reach) {
  int joined = 0;
  // A block grows one line at a time, so a stack of three past the band joins in three rounds.
  for (bool grew = true; grew;) {
    grew = false;
    for (DetectedLine& candidate : lines) {
      if (candidate.words.empty() || wholly_in_border(candidate)) continue;
      const LineShape next = shape_of(candidate);
      if (!within_reach(next.box, zone, reach)) continue;
      const bool stacked = std::any_of(lines.begin(), lines.end(), [&](const DetectedLine& block) {
        return &block != &candidate && !block.words.empty() && wholly_in_border(block) && continues(shape_of(block), next);
      });
      if (!stacked) continue;
      for (TextDetection& word : candidate.words) word.in_border = true;
      candidate.in_border = true;
      ++joined, grew = true;
    }
  }
  return joined;
}

}  // namespace medanon::pixel
