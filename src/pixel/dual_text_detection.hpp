#pragma once
// Stage 4, both detectors together. The stroke detector finds candidate lines everywhere; each
// candidate line is cropped from the detection copy (its stroke response, inverted to dark on
// light and scaled to Tesseract's favourite letter height) and read by Tesseract with SetImage
// on the crop, never SetRectangle on the whole image; the word boxes are moved back by the
// crop's offset and scale. Stroke words and OCR words with IoU >= merge_iou become one
// detection "found by both"; a stroke word mostly covered by OCR words takes their readings.
// Boxes of the learned detector that no stroke line explains become candidate lines of their
// own (read by Tesseract in both polarities; what stays unread is a "learned" word), and every
// word records the learned score of the box that covers it: the anatomy guard's evidence.

#include <vector>

#include "pixel/border_enhancement.hpp"
#include "pixel/pixel_pipeline.hpp"

namespace medanon::pixel {

struct DetectedLine {
  std::vector<TextDetection> words;  // left to right; verdicts and actions not yet set
  bool in_border = false;
};

std::vector<DetectedLine> detect_text_lines(const DetectionView& view, cv::Size image_size, const PixelOptions& options,
                                            TesseractReader* reader, double& ocr_seconds,
                                            const std::vector<LearnedBox>& learned_in_view = {});

// The baseline the benchmark compares against: Tesseract's own page layout over the whole
// detection copy (at full resolution), every word its own line, no stroke triage.
std::vector<DetectedLine> detect_text_whole_image(const DetectionView& view, cv::Size image_size,
                                                  const PixelOptions& options, TesseractReader& reader,
                                                  double& ocr_seconds);

double intersection_over_union(const cv::Rect& a, const cv::Rect& b);

}  // namespace medanon::pixel
