#include "pixel/plate_text.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>

#include "pixel/constant_ink.hpp"
#include "pixel/ink_reading.hpp"

namespace medanon::pixel {
namespace {

// The share of `box` that the words of `lines` cover that will stand as text: read with
// `min_confidence` or supported by a learned box. A stroke word over a plate of small letters,
// unread and unsupported, is dropped as anatomy later; the plate's own reading must not be.
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

}  // namespace

std::vector<DetectedLine> read_text_plates(const PixelImage& image, const BorderGeometry& zone, const std::vector<DetectedLine>& found,
                                           int letter_height, float min_confidence, TesseractReader& reader) {
  std::vector<DetectedLine> lines;
  // Letters from 6 px (capitals of 8-px type) to a sixteenth of the image (large markers).
  const int min_height = 6;
  const int max_height = std::max(12, std::min(image.pixels.rows, image.pixels.cols) / 16);
  for (const cv::Rect& band : zone.bands()) {
    for (const InkPlate& plate : text_plates(image.pixels, band, min_height, max_height)) {
      if (covered(plate.box, found, min_confidence) >= 0.5 || covered(plate.box, lines, min_confidence) >= 0.5) continue;
      TextDetection whole;
      whole.box = plate.box;
      whole.in_border = true;
      DetectedLine line;
      line.in_border = true;
      for (const OcrWord& read : read_line_by_ink(image, {whole}, letter_height, reader)) {
        TextDetection word;
        word.box = read.box & plate.box;
        if (word.box.empty()) continue;
        word.text = read.text;
        word.confidence = read.confidence;
        word.found_by = Detector::plate;
        word.in_border = zone.in_border(word.box);
        line.words.push_back(std::move(word));
      }
      if (!line.words.empty()) lines.push_back(std::move(line));
    }
  }
  return lines;
}

}  // namespace medanon::pixel
