#include "pixel/learned_band_detection.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "pixel/letter_evidence.hpp"

namespace medanon::pixel {
namespace {

// The network over `region` of the image at `scale` network pixels per image pixel, boxes back
// in image pixels (clipped to the region).
std::vector<LearnedBox> detect_region(LearnedTextDetector& detector, const PixelImage& image, const DetectionView& view,
                                      const cv::Rect& region, double scale, const EnhanceOptions& enhance,
                                      const BandDetectionOptions& options) {
  std::vector<LearnedBox> found;
  if (region.width < 8 || region.height < 8) return found;
  const cv::Mat input = display_region(image, view, region, scale, enhance);
  for (LearnedBox box : detector.detect(input, cv::Rect(0, 0, input.cols, input.rows), 1.0)) {
    // Measured on the network's own input, where the letters are as large as it saw them.
    box.letters = static_cast<float>(letter_widths_in_box(input, box.box));
    const cv::Point tl(region.x + static_cast<int>(std::floor(box.box.x / scale)),
                       region.y + static_cast<int>(std::floor(box.box.y / scale)));
    const cv::Point br(region.x + static_cast<int>(std::ceil(box.box.br().x / scale)),
                       region.y + static_cast<int>(std::ceil(box.box.br().y / scale)));
    box.box = cv::Rect(tl, br) & region;
    if (box.letters < 1) box.letters = static_cast<float>(ink_letters_in_box(image.pixels, box.box));
    if (box.box.height < options.min_letter_rows) box.letters = 0;
    if (!box.box.empty()) found.push_back(box);
  }
  return found;
}

// A central box the network found, as a word for a person to look at (never altered).
TextDetection review_word(const LearnedBox& box, const char* why, int line) {
  TextDetection word;
  word.box = box.box;
  word.found_by = Detector::learned;
  word.word_class = WordClass::unreadable;
  word.why = why;
  word.text_probability = box.score;
  word.action = TextAction::review;
  word.line = line;
  return word;
}

bool same_row(const cv::Rect& a, const cv::Rect& b) {
  const int overlap = std::min(a.br().y, b.br().y) - std::max(a.y, b.y);
  return overlap >= 0.5 * std::min(a.height, b.height);
}

// Follows the line of `start` from a side band inward (`rightward` from the left band, leftward
// from the right one): a strip on its rows, 512 network columns long at the band's scale and
// overlapping the line's end by two letter heights, as often as the network finds the line
// reaching the strip's far end. Only boxes on the line's row that continue it (within two letter
// heights of its end) are kept: the rest of the strip is not the zone's business.
std::vector<LearnedBox> follow_line(LearnedTextDetector& detector, const PixelImage& image, const DetectionView& view,
                                    const LearnedBox& start, bool rightward, double scale, const EnhanceOptions& enhance,
                                    const BandDetectionOptions& options) {
  const cv::Rect whole(0, 0, image.pixels.cols, image.pixels.rows);
  std::vector<LearnedBox> followed;
  cv::Rect line = start.box;
  const int letter = std::max(4, start.box.height);
  // Network rows: three line heights, whole multiples of 32 so the strip's shape repeats.
  const int network_rows = std::max(64, 32 * static_cast<int>(std::ceil(3.0 * letter * scale / 32.0)));
  const int rows = static_cast<int>(std::lround(network_rows / scale)), columns = static_cast<int>(std::lround(512 / scale));
  for (int strip = 0; strip < options.follow_strips; ++strip) {
    const int end = rightward ? line.br().x : line.x;
    const int x = rightward ? end - 2 * letter : end + 2 * letter - columns;
    const cv::Rect region = cv::Rect(x, line.y + line.height / 2 - rows / 2, columns, rows) & whole;
    if (region.width < 2 * letter) break;
    bool grew = false;
    std::vector<LearnedBox> found = detect_region(detector, image, view, region, scale, enhance, options);
    // Nearest first, so a chain of words extends the line one gap at a time.
    std::sort(found.begin(), found.end(), [&](const LearnedBox& a, const LearnedBox& b) {
      return rightward ? a.box.x < b.box.x : a.box.br().x > b.box.br().x;
    });
    for (const LearnedBox& box : found) {
      if (!same_row(box.box, line)) continue;
      const int gap = rightward ? box.box.x - line.br().x : line.x - box.box.br().x;
      const bool extends = rightward ? box.box.br().x > line.br().x : box.box.x < line.x;
      if (gap > 2 * letter || !extends) continue;
      followed.push_back(box);
      line |= cv::Rect(box.box.x, line.y, box.box.width, line.height);
      grew = true;
    }
    // The line goes on only where the network saw it reach the strip's far end.
    const bool at_far_end = rightward ? line.br().x >= region.br().x - 3 * letter / 2 : line.x <= region.x + 3 * letter / 2;
    if (!grew || !at_far_end || region != (cv::Rect(x, region.y, columns, region.height) & whole)) break;
  }
  return followed;
}

}  // namespace

std::vector<LearnedBox> detect_in_bands(LearnedTextDetector& detector, const PixelImage& image, const DetectionView& view,
                                        const BorderGeometry& zone, const EnhanceOptions& enhance,
                                        const BandDetectionOptions& options) {
  std::vector<LearnedBox> found;
  const cv::Rect whole(0, 0, image.pixels.cols, image.pixels.rows);
  const std::vector<cv::Rect> bands = zone.bands();
  for (size_t side = 0; side < bands.size(); ++side) {  // top, bottom, then left, right
    const cv::Rect& band = bands[side];
    if (band.width < 8 || band.height < 8) continue;
    const bool horizontal = side < 2;
    const int depth = horizontal ? band.height : band.width;
    const double scale = std::clamp(static_cast<double>(options.band_rows) / depth, 0.2, 2.0);
    const int margin = static_cast<int>(std::lround(options.inward_margin * depth));
    cv::Rect region = band;
    if (side == 0) region.height += margin;
    if (side == 1) region.y -= margin, region.height += margin;
    if (side == 2) region.width += margin, region.y -= margin, region.height += 2 * margin;
    if (side == 3) region.x -= margin, region.width += margin, region.y -= margin, region.height += 2 * margin;
    region &= whole;
    // Overlay letters are at most a few tens of pixels: a "line" as deep as a good part of the
    // band is the shoulders or the clavicles seen as one huge word, which at band scales where
    // small letters show the network does report (with high scores).
    const int tallest = std::max(64, static_cast<int>(options.max_box_depth * depth));
    for (const LearnedBox& box : detect_region(detector, image, view, region, scale, enhance, options)) {
      if ((box.box & band).empty()) continue;  // wholly past the zone: not the zone's text
      if (std::min(box.box.height, box.box.width) > tallest) continue;
      found.push_back(box);
      // A line running out of a side band inward is followed to its end.
      if (!horizontal && box.box.width >= 1.5 * box.box.height) {
        // Letters cut by the region's edge fade from the network's map: a line ending within
        // about one and a half letter heights of the edge may go on past it.
        const int slack = std::max(4, box.box.height * 3 / 2);
        const bool reaches_edge = side == 2 ? box.box.br().x >= region.br().x - slack : box.box.x <= region.x + slack;
        if (reaches_edge) {
          for (const LearnedBox& more : follow_line(detector, image, view, box, side == 2, scale, enhance, options))
            found.push_back(more);
        }
      }
    }
  }
  return found;
}

std::vector<LearnedBox> learned_boxes_along(LearnedTextDetector& detector, const PixelImage& image,
                                            const DetectionView& view, const cv::Rect& line, double reach,
                                            const EnhanceOptions& enhance) {
  const int letter = std::max(4, line.height);
  const double scale = std::clamp(20.0 / letter, 0.25, 2.0);
  const int extra = static_cast<int>(std::lround(reach * letter));
  const cv::Rect strip = cv::Rect(line.x - extra, line.y - letter, line.width + 2 * extra, line.height + 2 * letter) &
                         cv::Rect(0, 0, image.pixels.cols, image.pixels.rows);
  std::vector<LearnedBox> on_row;
  for (const LearnedBox& box : detect_region(detector, image, view, strip, scale, enhance, BandDetectionOptions{})) {
    if (same_row(box.box, line)) on_row.push_back(box);
  }
  return on_row;
}

void drop_unwitnessed_central_candidates(std::vector<TextDetection>& words, const std::vector<cv::Rect>& lines,
                                         double large_area) {
  std::vector<TextDetection> kept;
  for (TextDetection& word : words) {
    const bool unwitnessed = !word.in_border && word.action == TextAction::review && word.text_probability < 0 &&
                             word.word_class == WordClass::unreadable && word.box.area() < large_area &&
                             std::none_of(lines.begin(), lines.end(), [&](const cv::Rect& line) {
                               return (line & word.box).area() > 0;
                             });
    if (!unwitnessed) kept.push_back(std::move(word));
  }
  words = std::move(kept);
}

void flag_central_text(LearnedTextDetector& detector, const PixelImage& image, const DetectionView& view,
                       const BorderGeometry& zone, std::vector<TextDetection>& words, const EnhanceOptions& enhance,
                       const BandDetectionOptions& options) {
  const cv::Rect centre(zone.left, zone.top, zone.image.width - zone.left - zone.right,
                        zone.image.height - zone.top - zone.bottom);
  if (options.central_size <= 0 || centre.width < 32 || centre.height < 32) return;
  const double scale = std::min(1.0, static_cast<double>(options.central_size) / std::max(centre.width, centre.height));
  const std::vector<cv::Rect> bands = zone.bands();
  // Overlay letters are at most a few tens of pixels; a taller "line" is anatomy.
  const int tallest = std::max(64, zone.image.height / 25);
  std::vector<LearnedBox> lines;
  for (const LearnedBox& box : detect_region(detector, image, view, centre, scale, enhance, options)) {
    if (box.box.width < 2 * box.box.height || box.box.height > tallest || !shows_letters(box)) continue;
    if (std::any_of(bands.begin(), bands.end(), [&](const cv::Rect& band) { return (band & box.box).area() > 0; })) continue;
    lines.push_back(box);
  }
  std::vector<cv::Rect> line_boxes;
  for (const LearnedBox& line : lines) line_boxes.push_back(line.box);
  drop_unwitnessed_central_candidates(words, line_boxes, options.large_unreadable_share * zone.image.area());
  int next_line = 0;
  for (const TextDetection& word : words) next_line = std::max(next_line, word.line + 1);
  std::vector<TextDetection> added;
  for (const LearnedBox& box : lines) {
    long long covered = 0;
    for (const TextDetection& word : words) covered += (word.box & box.box).area();
    if (2 * covered >= box.box.area()) continue;
    // A line of its own: extend_central_review follows it along its row.
    added.push_back(review_word(box, "central text the learned detector found", next_line++));
  }
  for (TextDetection& word : added) words.push_back(std::move(word));
}

void extend_central_review(LearnedTextDetector& detector, const PixelImage& image, const DetectionView& view,
                           std::vector<TextDetection>& words, const EnhanceOptions& enhance) {
  std::map<int, cv::Rect> central_lines;
  std::vector<cv::Rect> flagged;
  for (const TextDetection& word : words) {
    if (word.action != TextAction::review || word.in_border) continue;
    central_lines[word.line] |= word.box;
    flagged.push_back(word.box);
  }
  std::vector<TextDetection> added;
  for (const auto& [line, extent] : central_lines) {
    // Eight letter heights on each side: the stroke detector may have missed a whole word and
    // part of the next.
    for (const LearnedBox& box : learned_boxes_along(detector, image, view, extent, 8.0, enhance)) {
      long long covered = 0;
      for (const cv::Rect& seen : flagged) covered += (seen & box.box).area();
      if (2 * covered >= box.box.area()) continue;
      flagged.push_back(box.box);
      added.push_back(review_word(box, "on the row of central text flagged for review", line));
    }
  }
  for (TextDetection& word : added) words.push_back(std::move(word));
}

}  // namespace medanon::pixel
