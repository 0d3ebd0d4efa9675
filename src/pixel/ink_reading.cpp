#include "pixel/ink_reading.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>

#include "pixel/constant_ink.hpp"
#include "pixel/phi_matching.hpp"

namespace medanon::pixel {

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
  const int min_height = std::max(4, line.height / 3), max_height = std::max(8, line.height * 3 / 2);
  // The page, made inverted (the letters bright on black) and turned at the end.
  cv::Mat page;
  int letters_tall = 0;
  const cv::Rect all(0, 0, grey.cols, grey.rows);
  // A plate first: its page keeps the letters' anti-aliased edges, which small letters need
  // (12-px serif `Exam 2022-06-21` reads `1 San 2022421` from its ink, whole from its plate).
  const InkPlate plate = constant_ink_plate(grey, all, min_height, max_height);
  if (plate.letters >= 2 && plate.letter_height >= 4) {
    // Inside the plate, each pixel as bright as it lies far from the plate's value; the plate
    // and all around it black.
    const cv::Rect inside(plate.box.x + 1, plate.box.y + 1, plate.box.width - 2, plate.box.height - 2);
    cv::Mat distance;
    cv::absdiff(grey(inside), cv::Scalar(plate.value), distance);
    distance.convertTo(distance, CV_32F);
    double farthest = 0;
    cv::minMaxLoc(distance, nullptr, &farthest);
    page = cv::Mat::zeros(grey.size(), CV_8UC1);
    distance.convertTo(page(inside), CV_8U, 255.0 / std::max(1.0, farthest));
    letters_tall = plate.letter_height;
  } else {
    // The ink's pixels bright on black, grown by one pixel to take back the letters'
    // anti-aliased edges. Nothing else holds the ink's value, so whatever lies behind the line
    // (bone, a shutter edge) is black. A second ink whose letters stand on the same row at the
    // same height is the same line's (`KVP` in one grey, its `125` in another): its letters
    // join the page.
    const std::vector<InkLetters> inks = constant_ink_candidates(grey, all, min_height, max_height);
    if (inks.empty() || inks.front().count < 2 || inks.front().height < 4) return found;
    const InkLetters& ink = inks.front();
    cv::Mat letters = grey == ink.value;
    for (const InkLetters& other : inks) {
      if (&other != &ink && other.count >= 2 && 3 * other.height >= 2 * ink.height &&
          2 * other.height <= 3 * ink.height && 2 * std::abs(other.middle - ink.middle) <= ink.height)
        letters |= grey == other.value;
    }
    cv::dilate(letters, page, cv::Mat());
    letters_tall = ink.height;
  }
  // Tesseract wants dark text on white.
  cv::bitwise_not(page, page);
  for (OcrWord word : read_line_at_scale(reader, page, letters_tall, letter_height)) {
    word.box = (word.box + region.tl()) & region;
    if (!word.box.empty()) found.push_back(std::move(word));
  }
  return found;
}

std::vector<TextDetection> merge_ink_reading(const std::vector<TextDetection>& words, const std::vector<OcrWord>& reading) {
  std::vector<TextDetection> merged;
  std::vector<bool> taken(words.size(), false), used(reading.size(), false);
  for (const OcrWord& read : reading) {
    // One or two characters from a page of a marker (`PA` read `NA`, `=`) would take a glyph
    // that the marker rule keeps unread and make it an unknown word: short readings are left.
    if (alphanumerics(read.text) < 3) continue;
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
      pieces += std::max(0.0F, words[i].confidence) * static_cast<double>(alphanumerics(words[i].text));
    }
    if (within.empty()) continue;
    const TextDetection& first = words[within.front()];
    const bool surer = within.size() == 1 && first.confidence >= 0
                           ? read.confidence > first.confidence
                           : read.confidence * static_cast<double>(alphanumerics(read.text)) > pieces;
    if (!surer) continue;
    used[static_cast<size_t>(&read - reading.data())] = true;
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
  // A detected word that two readings or more share out between them whole (`KVP 125` detected
  // as one word, read `au`; read `KVP` and `125` from the ink): each reading lies mostly on it,
  // together they span its columns with no gap wider than a space (the word's height: a word the
  // page missed would be left unread and unfilled), and they are worth more than it is.
  std::vector<size_t> order(reading.size());
  for (size_t r = 0; r < order.size(); ++r) order[r] = r;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return reading[a].box.x < reading[b].box.x; });
  for (size_t i = 0; i < words.size(); ++i) {
    if (taken[i]) continue;
    const cv::Rect& box = words[i].box;
    const int slack = std::max(2, box.height / 3);
    std::vector<size_t> parts;
    double worth = 0;
    for (size_t r : order) {
      const OcrWord& read = reading[r];
      if (used[r] || alphanumerics(read.text) < 2 || 2 * (box & read.box).area() < read.box.area()) continue;
      parts.push_back(r);
      worth += read.confidence * static_cast<double>(alphanumerics(read.text));
    }
    if (parts.size() < 2 || worth <= std::max(0.0F, words[i].confidence) * static_cast<double>(alphanumerics(words[i].text)))
      continue;
    // No stretch of the word left unread: from its start to its end no gap wider than a space.
    int reached = box.x + slack;
    for (size_t r : parts) {
      if (reading[r].box.x > reached) break;
      reached = std::max(reached, reading[r].box.br().x + box.height);
    }
    if (reached < box.br().x) continue;
    taken[i] = true;
    for (size_t r : parts) {
      used[r] = true;
      TextDetection word = words[i];
      word.text = reading[r].text;
      word.confidence = reading[r].confidence;
      word.found_by = Detector::both;
      word.box = cv::Rect(reading[r].box.x, std::min(box.y, reading[r].box.y), reading[r].box.width,
                          std::max(box.br().y, reading[r].box.br().y) - std::min(box.y, reading[r].box.y));
      merged.push_back(std::move(word));
    }
  }
  if (merged.empty()) return words;
  for (size_t i = 0; i < words.size(); ++i)
    if (!taken[i]) merged.push_back(words[i]);
  std::sort(merged.begin(), merged.end(), [](const TextDetection& a, const TextDetection& b) { return a.box.x < b.box.x; });
  return merged;
}

}  // namespace medanon::pixel
