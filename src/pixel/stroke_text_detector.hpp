#pragma once
// Stage 4b, the detector that needs no OCR: text is thin strokes of one contrast, in letters of
// one height, standing side by side on a line. Morphological top-hat (bright text) and black-hat
// (dark text) isolate strokes thinner than the structuring element from the smooth anatomy and
// from uniform plates; connected components of letter size are chained into lines by height and
// alignment, and lines are split into words at the wider gaps. It is fast (a few ms on a
// 1024-row view), so it doubles as the triage that tells Tesseract where to look.

#include <opencv2/core.hpp>

#include <vector>

namespace medanon::pixel {

enum class Polarity { bright, dark };  // white-on-dark or dark-on-bright text
const char* to_string(Polarity polarity);

struct StrokeWord {
  cv::Rect box;  // view pixels
  int letters = 0;
};

struct StrokeLine {
  cv::Rect box;  // view pixels
  Polarity polarity = Polarity::bright;
  int letter_height = 0;  // median component height
  std::vector<StrokeWord> words;
  double contrast = 0;  // median top-hat response of its strokes (8-bit levels)
  // Opposite-polarity lines over the same place: between the letters of bright text on a plate
  // lie dark gaps the black-hat also finds, and the other way round. Which one is the text is
  // for OCR to say (see dual_text_detection.cpp); this line is the stroke detector's guess.
  std::vector<StrokeLine> rivals;
};

struct StrokeOptions {
  int structuring_element = 9;  // wider than any overlay stroke at working resolution
  int min_contrast = 18;        // 8-bit levels above the local background
  double noise_sigmas = 5.0;    // and this many robust noise sigmas of the region
  // Overlay capitals are >= 5 px even when shrunk; noise specks and wire glints are smaller.
  int min_letter_height = 8, max_letter_height = 80;
  double min_characters = 3;  // a line holds at least this many letter widths
  double word_gap = 0.45;       // gap, in letter heights, that separates words
};

// Lines of text candidates in `grey` (8-bit view) restricted to `region`, both polarities.
std::vector<StrokeLine> detect_stroke_text(const cv::Mat& grey, const cv::Rect& region, const StrokeOptions& options = {});

// The stroke response of one polarity: top-hat (bright) or black-hat (dark). Exposed so OCR can
// be fed clean strokes instead of the anatomy behind them.
cv::Mat stroke_response(const cv::Mat& grey, Polarity polarity, int structuring_element);

}  // namespace medanon::pixel
