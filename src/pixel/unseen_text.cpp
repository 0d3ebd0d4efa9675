#include "pixel/unseen_text.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <string>

#include "pixel/constant_ink.hpp"
#include "pixel/ink_reading.hpp"
#include "pixel/phi_matching.hpp"

namespace medanon::pixel {
namespace {

// The share of `box` that the words of `lines` cover that will stand as text: read with
// `min_confidence` or supported by a learned box (every word, with a negative one). A stroke
// word over a plate of small letters, unread and unsupported, is dropped as anatomy later; the
// plate's own reading must not be.
double covered(const cv::Rect& box, const std::vector<DetectedLine>& lines, float min_confidence) {
  cv::Mat mask = cv::Mat::zeros(box.size(), CV_8UC1);
  for (const DetectedLine& line : lines) {
    for (const TextDetection& word : line.words) {
      if (word.confidence < min_confidence && word.text_probability < 0) continue;
      const cv::Rect overlap = word.box & box;
      if (!overlap.empty()) mask(overlap - box.tl()).setTo(1);
    }
  }
  return static_cast<double>(cv::countNonZero(mask)) / std::max(1, box.area());
}

// One line read from the page of `box` (image pixels), its words found by Detector::stored. With
// `read_only`, only words read with `min_confidence` and three characters are kept.
DetectedLine read_box(const PixelImage& image, const BorderGeometry& zone, const cv::Rect& box, int letter_height,
                      float min_confidence, bool read_only, TesseractReader& reader) {
  TextDetection whole;
  whole.box = box;
  whole.in_border = true;
  DetectedLine line;
  line.in_border = true;
  for (const OcrWord& read : read_line_by_ink(image, {whole}, letter_height, reader)) {
    TextDetection word;
    word.box = read.box & box;
    if (word.box.empty() || (read_only && (read.confidence < min_confidence || alphanumerics(read.text) < 3))) continue;
    word.text = read.text;
    word.confidence = read.confidence;
    word.found_by = Detector::stored;
    word.in_border = zone.in_border(word.box);
    line.words.push_back(std::move(word));
  }
  return line;
}

// The lines of constant ink in `band`, found in windows as long as the band is deep (half
// overlapping): over a whole band a short line's ink is a few hundred pixels among the noise's,
// no spike.
std::vector<InkLine> ink_lines_in_band(const cv::Mat& stored, const cv::Rect& band, int min_height, int max_height) {
  const bool across = band.width >= band.height;
  const int depth = across ? band.height : band.width, length = across ? band.width : band.height;
  const int window = std::max(depth, 4 * max_height), step = window / 2;
  std::vector<InkLine> found;
  for (int start = 0; start < length; start += step) {
    const cv::Rect part = across ? cv::Rect(band.x + start, band.y, window, band.height) : cv::Rect(band.x, band.y + start, band.width, window);
    for (const InkLine& ink : constant_ink_lines(stored, part & band, min_height, max_height)) {
      // One line cut by two windows is one line: the same value, overlapping or touching.
      const auto same = std::find_if(found.begin(), found.end(), [&](const InkLine& other) {
        const cv::Rect grown(other.box.x - other.height, other.box.y, other.box.width + 2 * other.height, other.box.height);
        return other.value == ink.value && !(grown & ink.box).empty();
      });
      if (same == found.end()) {
        found.push_back(ink);
      } else {
        same->box |= ink.box;
        same->height = std::max(same->height, ink.height);
      }
    }
    if (start + window >= length) break;
  }
  return found;
}

}  // namespace

std::vector<DetectedLine> read_unseen_text(const PixelImage& image, const BorderGeometry& zone, const std::vector<DetectedLine>& found,
                                           int letter_height, float min_confidence, TesseractReader& reader) {
  std::vector<DetectedLine> lines;
  // Letters from 6 px (capitals of 8-px type) to a sixteenth of the image (large markers).
  const int min_height = 6;
  const int max_height = std::max(12, std::min(image.pixels.rows, image.pixels.cols) / 16);
  auto add = [&](const cv::Rect& box, bool read_only) {
    if (covered(box, found, min_confidence) >= 0.5 || covered(box, lines, min_confidence) >= 0.5) return;
    DetectedLine line = read_box(image, zone, box, letter_height, min_confidence, read_only, reader);
    // From a line of ink only words where no detector saw anything: a word another detector has
    // stands in its own line, beside its marker (`KVP 100` is technical, `100` alone is PHI).
    if (read_only) {
      line.words.erase(std::remove_if(line.words.begin(), line.words.end(),
                                      [&](const TextDetection& word) { return covered(word.box, found, -1) >= 0.5; }),
                       line.words.end());
    }
    if (!line.words.empty()) lines.push_back(std::move(line));
  };
  const cv::Rect whole(0, 0, image.pixels.cols, image.pixels.rows);
  for (const cv::Rect& band : zone.bands()) {
    // A plate is a drawn rectangle with letter-shaped holes: what is on it is text, read or not.
    for (const InkPlate& plate : text_plates(image.pixels, band, min_height, max_height)) add(plate.box, false);
    // A line of ink is read with half a letter's margin round it, as a page. Rows of one value
    // also occur where no text is (the contour bands of an 8-bit image's smooth anatomy, a
    // marker's letters): only what reads as words with confidence is taken from them.
    for (const InkLine& ink : ink_lines_in_band(image.pixels, band, min_height, max_height))
      add(cv::Rect(ink.box.x - ink.height / 2, ink.box.y - ink.height / 4, ink.box.width + ink.height, ink.box.height + ink.height / 2) & whole,
          true);
  }
  return lines;
}

}  // namespace medanon::pixel
