#include "pixel/constant_ink.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

namespace medanon::pixel {
namespace {

struct Recurring {
  int value = 0;
  int count = 0;
};

// Values of `patch` whose count stands far above the mean count of the values around them:
// ink among noise (and flat backgrounds: plates, saturated patches). The `limit` most frequent,
// most frequent first.
std::vector<Recurring> recurring_values(const cv::Mat& patch, size_t limit) {
  // Ink is one level with almost nothing beside it; a background's noise fills the levels next
  // to its commonest one about as often (even where it is narrow: the dark end of a detector).
  const int neighbourhood = 3;
  std::vector<int> histogram(patch.depth() == CV_16U ? 65536 : 256, 0);
  for (int y = 0; y < patch.rows; ++y) {
    for (int x = 0; x < patch.cols; ++x)
      ++histogram[patch.depth() == CV_16U ? patch.at<std::uint16_t>(y, x) : patch.at<std::uint8_t>(y, x)];
  }
  std::vector<Recurring> runs;
  for (int value = 0; value < static_cast<int>(histogram.size()); ++value)
    if (histogram[value] > 0) runs.push_back({value, histogram[value]});
  std::vector<Recurring> spikes;
  for (size_t i = 0; i < runs.size(); ++i) {
    long long around = 0;
    for (size_t j = i; j-- > 0 && runs[i].value - runs[j].value <= neighbourhood;) around += runs[j].count;
    for (size_t j = i + 1; j < runs.size() && runs[j].value - runs[i].value <= neighbourhood; ++j) around += runs[j].count;
    const double per_value = static_cast<double>(around) / (2.0 * neighbourhood);
    if (runs[i].count >= 4 + 5.0 * per_value) spikes.push_back(runs[i]);
  }
  std::sort(spikes.begin(), spikes.end(), [](const Recurring& a, const Recurring& b) { return a.count > b.count; });
  if (spikes.size() > limit) spikes.resize(limit);
  return spikes;
}

InkLetters letters_of_value(const cv::Mat& patch, int value, int min_height, int max_height, bool whole_letters,
                            std::vector<cv::Rect>* letter_boxes = nullptr) {
  const cv::Mat exact = patch == value;
  const double share = static_cast<double>(cv::countNonZero(exact)) / patch.total();
  // The fully covered pixels of an anti-aliased letter can break at its curves: join them.
  cv::Mat ink;
  cv::dilate(exact, ink, cv::Mat());
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
  // A value that covers most of the patch, or more than half of it in one piece across it, is
  // its background (a plate, a saturated patch): the gaps it leaves inside letters are
  // letter-sized too. Bold letters in a tight box cover up to about half of it, in runs.
  int widest = 0;
  for (int i = 1; i < count; ++i) widest = std::max(widest, stats.at<int>(i, cv::CC_STAT_WIDTH));
  if (share > 0.7 || (share > 0.55 && widest >= 0.9 * patch.cols)) return {};
  std::vector<int> heights;
  std::vector<double> middles;
  int letters = 0, pieces = 0;
  long long area = 0;
  cv::Rect extent, marks;
  for (int i = 1; i < count; ++i) {
    const int width = stats.at<int>(i, cv::CC_STAT_WIDTH), height = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    const double fill = static_cast<double>(stats.at<int>(i, cv::CC_STAT_AREA)) / (width * height);
    const int top = stats.at<int>(i, cv::CC_STAT_TOP);
    if (whole_letters && (top == 0 || top + height == patch.rows)) continue;
    // Letters a pixel or two apart join into one run (bold or tightly set text).
    if (height > max_height || width > 4 * max_height) continue;
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), top, width, height);
    marks |= box;  // a full stop, a colon, a hyphen: too small for a letter, still the line's ink
    ++pieces;
    if (height < min_height || fill > 0.85) continue;
    letters += std::max(1, width / std::max(1, height));
    if (letter_boxes != nullptr) letter_boxes->push_back(box);
    heights.push_back(height);
    area += stats.at<int>(i, cv::CC_STAT_AREA);
    middles.push_back(top + height / 2.0);
    extent |= box;
  }
  InkLetters found;
  found.value = value;
  found.count = letters;
  found.pieces = pieces;
  found.area = area;
  found.extent = extent;
  found.marks = marks;  // every letter's box is among them
  if (heights.empty()) return found;
  std::sort(heights.begin(), heights.end());
  std::sort(middles.begin(), middles.end());
  found.height = heights[heights.size() * 3 / 4];
  found.middle = middles[middles.size() / 2];
  return found;
}

// `region` of `stored` as one grey channel of its stored values; empty when there is none.
cv::Mat stored_patch(const cv::Mat& stored, const cv::Rect& region) {
  if (region.width < 4 || region.height < 4) return {};
  cv::Mat patch = stored(region);
  if (patch.channels() == 3) cv::cvtColor(patch, patch, cv::COLOR_BGR2GRAY);
  if (patch.depth() != CV_8U && patch.depth() != CV_16U) return {};
  return patch;
}

// The plates that `value` makes in `patch`: sets of that value that fill most of their box, are
// wider than tall, run round its edge (a drawn rectangle, not a flat stretch of anatomy or a
// shutter) and hold at least two letter-sized holes.
std::vector<InkPlate> plates_of_value(const cv::Mat& patch, int value, int min_height, int max_height) {
  const cv::Mat exact = patch == value;
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(exact, labels, stats, centroids, 8, CV_32S);
  std::vector<InkPlate> plates;
  for (int i = 1; i < count; ++i) {
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP), stats.at<int>(i, cv::CC_STAT_WIDTH),
                       stats.at<int>(i, cv::CC_STAT_HEIGHT));
    // Letters cover a fifth to a third of a plate's box; a margin of plate runs round them.
    const double fill = static_cast<double>(stats.at<int>(i, cv::CC_STAT_AREA)) / box.area();
    if (box.height < min_height + 2 || box.height > 2 * max_height || box.width < 2 * box.height || fill < 0.5) continue;
    const cv::Mat own = labels(box) == i;
    const int frame = 2 * (box.width + box.height) - 4;
    const int on_frame = cv::countNonZero(own.row(0)) + cv::countNonZero(own.row(own.rows - 1)) +
                         cv::countNonZero(own.col(0).rowRange(1, own.rows - 1)) +
                         cv::countNonZero(own.col(own.cols - 1).rowRange(1, own.rows - 1));
    if (on_frame < 0.8 * frame) continue;
    // The holes: what is not the plate inside it, one pixel in from its edge.
    const cv::Mat holes = own(cv::Rect(1, 1, box.width - 2, box.height - 2)) == 0;
    cv::Mat hole_labels, hole_stats, hole_centroids;
    const int holes_found = cv::connectedComponentsWithStats(holes, hole_labels, hole_stats, hole_centroids, 8, CV_32S);
    std::vector<int> heights;
    InkPlate plate;
    for (int j = 1; j < holes_found; ++j) {
      const int width = hole_stats.at<int>(j, cv::CC_STAT_WIDTH), height = hole_stats.at<int>(j, cv::CC_STAT_HEIGHT);
      if (height < min_height || height > max_height || height >= holes.rows) continue;
      plate.letters += std::max(1, width / std::max(1, height));
      heights.push_back(height);
    }
    if (plate.letters < 2) continue;
    std::sort(heights.begin(), heights.end());
    plate.value = value;
    plate.box = box;
    plate.letter_height = heights[heights.size() * 3 / 4];
    plates.push_back(plate);
  }
  return plates;
}

// Letters side by side on one row (half the smaller one's height shared, heights within 2x,
// gaps under 1.5 letter heights) are one line; chains of them too.
std::vector<InkLine> rows_of_letters(std::vector<cv::Rect> boxes) {
  std::sort(boxes.begin(), boxes.end(), [](const cv::Rect& a, const cv::Rect& b) { return a.x < b.x; });
  std::vector<int> group(boxes.size());
  for (size_t i = 0; i < boxes.size(); ++i) group[i] = static_cast<int>(i);
  auto root = [&](int i) {
    while (group[i] != i) i = group[i] = group[group[i]];
    return i;
  };
  for (size_t i = 0; i < boxes.size(); ++i) {
    for (size_t j = i + 1; j < boxes.size(); ++j) {
      const cv::Rect& a = boxes[i];
      const cv::Rect& b = boxes[j];
      const int taller = std::max(a.height, b.height), shorter = std::min(a.height, b.height);
      if (b.x - a.br().x > 1.5 * taller) break;  // sorted by left edge: later ones start further on
      const int shared = std::min(a.br().y, b.br().y) - std::max(a.y, b.y);
      if (2 * shared >= shorter && taller <= 2 * shorter) group[root(static_cast<int>(j))] = root(static_cast<int>(i));
    }
  }
  std::map<int, InkLine> by_group;
  for (size_t i = 0; i < boxes.size(); ++i) {
    InkLine& line = by_group[root(static_cast<int>(i))];
    line.box = line.box.empty() ? boxes[i] : (line.box | boxes[i]);
    line.letters += std::max(1, boxes[i].width / std::max(1, boxes[i].height));
    line.height = std::max(line.height, boxes[i].height);
  }
  std::vector<InkLine> lines;
  for (const auto& [group_root, line] : by_group) lines.push_back(line);
  return lines;
}

}  // namespace

std::vector<InkPlate> text_plates(const cv::Mat& stored, const cv::Rect& region_in, int min_height, int max_height) {
  const cv::Rect region = region_in & cv::Rect(0, 0, stored.cols, stored.rows);
  const cv::Mat patch = stored_patch(stored, region);
  std::vector<InkPlate> plates;
  if (patch.empty() || max_height < min_height) return plates;
  // A plate is among the commonest values of a band (its letters' ink may be commoner still).
  for (const Recurring& candidate : recurring_values(patch, 6)) {
    for (InkPlate plate : plates_of_value(patch, candidate.value, min_height, max_height)) {
      plate.box += region.tl();
      plates.push_back(plate);
    }
  }
  return plates;
}

std::vector<InkLine> constant_ink_lines(const cv::Mat& stored, const cv::Rect& region_in, int min_height, int max_height) {
  const cv::Rect region = region_in & cv::Rect(0, 0, stored.cols, stored.rows);
  const cv::Mat patch = stored_patch(stored, region);
  std::vector<InkLine> lines;
  if (patch.empty() || max_height < min_height) return lines;
  for (const Recurring& candidate : recurring_values(patch, 8)) {
    // Three letters of the smallest size hold a few tens of fully covered pixels at least.
    if (candidate.count < 4 * min_height) break;
    std::vector<cv::Rect> boxes;
    letters_of_value(patch, candidate.value, min_height, max_height, false, &boxes);
    // Ink is drawn as letters: nearly all its pixels lie in them. A value the noise clips to
    // (0 in a dark corner, the top of the range) is mostly specks, with letter-sized tangles
    // among them.
    const cv::Mat exact = patch == candidate.value;
    int in_letters = 0;
    for (const cv::Rect& box : boxes) in_letters += cv::countNonZero(exact(box));
    if (in_letters < 0.6 * cv::countNonZero(exact)) continue;
    for (InkLine line : rows_of_letters(boxes)) {
      if (line.letters < 3) continue;
      line.value = candidate.value;
      line.box += region.tl();
      lines.push_back(line);
    }
  }
  return lines;
}

InkPlate constant_ink_plate(const cv::Mat& stored, const cv::Rect& region, int min_height, int max_height) {
  InkPlate best;
  for (const InkPlate& plate : text_plates(stored, region, min_height, max_height))
    if (plate.letters > best.letters) best = plate;
  return best;
}

InkLetters letters_in_ink(const cv::Mat& stored, const cv::Rect& region_in, int value, int min_height, int max_height,
                          bool whole_letters) {
  const cv::Rect region = region_in & cv::Rect(0, 0, stored.cols, stored.rows);
  const cv::Mat patch = stored_patch(stored, region);
  if (patch.empty() || max_height < min_height) return {};
  // Where the value is not a spike it is the background's own level among the noise.
  const std::vector<Recurring> spikes = recurring_values(patch, SIZE_MAX);
  if (std::none_of(spikes.begin(), spikes.end(), [&](const Recurring& r) { return r.value == value; })) return {};
  InkLetters letters = letters_of_value(patch, value, min_height, max_height, whole_letters);
  letters.middle += region.y;
  letters.extent += region.tl();
  letters.marks += region.tl();
  return letters;
}

std::vector<InkLetters> constant_ink_candidates(const cv::Mat& stored, const cv::Rect& region_in, int min_height,
                                               int max_height, bool whole_letters) {
  const cv::Rect region = region_in & cv::Rect(0, 0, stored.cols, stored.rows);
  std::vector<InkLetters> found;
  const cv::Mat patch = stored_patch(stored, region);
  if (patch.empty() || max_height < min_height) return found;
  for (const Recurring& candidate : recurring_values(patch, 4)) {
    InkLetters letters = letters_of_value(patch, candidate.value, min_height, max_height, whole_letters);
    if (letters.count == 0) continue;
    letters.middle += region.y;
    letters.extent += region.tl();
    letters.marks += region.tl();
    found.push_back(letters);
  }
  // Ink covers more than the counters of its letters.
  std::stable_sort(found.begin(), found.end(), [](const InkLetters& a, const InkLetters& b) { return a.area > b.area; });
  return found;
}

InkLetters constant_ink_letters(const cv::Mat& stored, const cv::Rect& region, int min_height, int max_height,
                                bool whole_letters) {
  const auto found = constant_ink_candidates(stored, region, min_height, max_height, whole_letters);
  return found.empty() ? InkLetters{} : found.front();
}

}  // namespace medanon::pixel
