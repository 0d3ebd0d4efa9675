#include "pixel/ink_reading.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>

#include "pixel/constant_ink.hpp"

namespace medanon::pixel {
namespace {

long characters(const std::string& text) {
  return std::count_if(text.begin(), text.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

}  // namespace

std::vector<OcrWord> read_line_by_ink(const PixelImage& image, const std::vector<TextDetection>& words, int letter_height,
                                      TesseractReader& reader) {
  std::vector<OcrWord> found;
  if (words.empty()) return found;
  cv::Rect line;
  for (const TextDetection& w : words) line = line.empty() ? w.box : (line | w.box);
  const cv::Rect whole(0, 0, image.pixels.cols, image.pixels.rows);
  const int pad = std::max(4, line.height / 2);
  const cv::Rect region = cv::Rect(line.x - pad, line.y - pad / 2, line.width + 2 * pad, line.height + pad) & whole;
  if (region.width < 8 || region.height < 8) return found;
  cv::Mat grey = image.pixels(region);
  if (image.is_colour()) cv::cvtColor(grey, grey, cv::COLOR_BGR2GRAY);
  const InkLetters ink = constant_ink_letters(grey, cv::Rect(0, 0, grey.cols, grey.rows), std::max(4, line.height / 3),
                                              std::max(8, line.height * 3 / 2));
  if (ink.count < 2 || ink.height < 4) return found;
  // The page: the ink's pixels black on white, grown by one pixel to take back the letters'
  // anti-aliased edges. Nothing else holds the ink's value, so whatever lies behind the line
  // (bone, a shutter edge) is white.
  cv::Mat page;
  cv::dilate(grey == ink.value, page, cv::Mat());
  cv::bitwise_not(page, page);
  const double factor = std::clamp(static_cast<double>(letter_height) / ink.height, 0.5, 6.0);
  cv::resize(page, page, cv::Size(), factor, factor, factor < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
  const int margin = letter_height / 2;
  cv::copyMakeBorder(page, page, margin, margin, margin, margin, cv::BORDER_CONSTANT, cv::Scalar(255));
  for (OcrWord word : reader.read_line(page)) {
    const cv::Rect in_region(cvFloor((word.box.x - margin) / factor), cvFloor((word.box.y - margin) / factor),
                             cvCeil(word.box.width / factor), cvCeil(word.box.height / factor));
    word.box = (in_region + region.tl()) & region;
    if (!word.box.empty()) found.push_back(std::move(word));
  }
  return found;
}

std::vector<TextDetection> merge_ink_reading(const std::vector<TextDetection>& words, const std::vector<OcrWord>& reading) {
  std::vector<TextDetection> merged;
  std::vector<bool> taken(words.size(), false);
  for (const OcrWord& read : reading) {
    // One or two characters from a page of a marker (`PA` read `NA`, `=`) would take a glyph
    // that the marker rule keeps unread and make it an unknown word: short readings are left.
    if (characters(read.text) < 3) continue;
    // The detected words lying within the reading's columns, to a third of their height, and
    // mostly on its rows. A detected word reaching further stays as it was: a reading may be a
    // label or a marker that is kept, and `Born:` must not keep the `24-` of the date its
    // detected word ran into. One word read before is replaced only by a surer reading (`mAs`
    // read `InAs` on the page stays `mAs`); pieces of a word (`POR`, an unread stretch, `LE`)
    // by a reading worth more than they are together (confidence times characters).
    std::vector<size_t> within;
    double pieces = 0;
    for (size_t i = 0; i < words.size(); ++i) {
      const cv::Rect& box = words[i].box;
      const int slack = std::max(2, box.height / 3);
      if (taken[i] || box.x < read.box.x - slack || box.br().x > read.box.br().x + slack ||
          2 * (box & read.box).area() < box.area())
        continue;
      within.push_back(i);
      pieces += std::max(0.0F, words[i].confidence) * static_cast<double>(characters(words[i].text));
    }
    if (within.empty()) continue;
    const TextDetection& first = words[within.front()];
    const bool surer = within.size() == 1 && first.confidence >= 0
                           ? read.confidence > first.confidence
                           : read.confidence * static_cast<double>(characters(read.text)) > pieces;
    if (!surer) continue;
    TextDetection word = words[within.front()];  // polarity, line and border as the words'
    word.text = read.text;
    word.confidence = read.confidence;
    word.found_by = Detector::both;
    int top = read.box.y, bottom = read.box.br().y;
    for (size_t i : within) {
      taken[i] = true;
      top = std::min(top, words[i].box.y), bottom = std::max(bottom, words[i].box.br().y);
      word.in_border = word.in_border || words[i].in_border;
    }
    word.box = cv::Rect(read.box.x, top, read.box.width, bottom - top);
    merged.push_back(std::move(word));
  }
  if (merged.empty()) return words;
  for (size_t i = 0; i < words.size(); ++i)
    if (!taken[i]) merged.push_back(words[i]);
  std::sort(merged.begin(), merged.end(), [](const TextDetection& a, const TextDetection& b) { return a.box.x < b.box.x; });
  return merged;
}

}  // namespace medanon::pixel
