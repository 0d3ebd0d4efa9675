#pragma once
// Burned-in text is drawn by the modality's software after acquisition, with one stored value
// for its ink: the fully covered pixels of every letter hold exactly that value, whatever the
// background does under the line (a shutter edge, bone brightening towards the end of a line),
// and whatever the contrast. Anatomy carries the detector's noise: no stored value recurs there
// in letter-shaped sets. This is evidence that does not depend on how a font looks, only on how
// overlays are made; lossy compression (JPEG) blurs the ink away, and then this finds nothing.

#include <opencv2/core.hpp>

#include <vector>

namespace medanon::pixel {

// Letter-shaped sets of one recurring stored value in `region` of `stored` (CV_8UC1 or
// CV_16UC1, as stored; colour is taken as grey): the values that recur far more often than the
// values around them (a spike in the histogram) are taken in turn, and each connected set of
// pixels holding one of them that is `min_height` to `max_height` tall and not solid (a plate or
// a saturated patch is solid) counts as a letter, or as several when it is as many times wider
// than tall (letters a pixel apart join). The candidate value whose letters cover the most
// pixels gives the count, and its letters' height (the upper quartile: capitals and digits, not
// the x-height) and middle row.
struct InkLetters {
  int value = -1;         // the ink's stored value
  int count = 0;
  int pieces = 0;         // the letters' sets and the smaller ones (marks) of that value
  int height = 0;         // pixels
  double middle = 0;      // row, in `stored`'s pixels
  long long area = 0;     // pixels of the letters (after joining their pieces)
  cv::Rect extent;        // the letters' boxes together, in `stored`'s pixels
  cv::Rect marks;         // the same with the smaller sets of that value (full stops, hyphens)
};
// With `whole_letters`, a set touching the region's top or bottom row is not counted: it is part
// of something taller, or of the next line, cut by the region.
InkLetters constant_ink_letters(const cv::Mat& stored, const cv::Rect& region, int min_height, int max_height,
                                bool whole_letters = false);
// Every candidate value's letters, counted as above, most ink first (the first is
// constant_ink_letters'): a line may hold two inks (a label in grey, its value in white).
std::vector<InkLetters> constant_ink_candidates(const cv::Mat& stored, const cv::Rect& region, int min_height,
                                               int max_height, bool whole_letters = false);

// The letters of ink of one known `value` in `region`, counted as above.
InkLetters letters_in_ink(const cv::Mat& stored, const cv::Rect& region, int value, int min_height, int max_height,
                          bool whole_letters = false);

// A plate: a rectangle of one stored value that the modality draws under its text, with the
// letters in other values inside it (anti-aliased grey letters on a grey plate hold no one value
// of their own: the plate does): a set of one recurring value filling at least half its box and
// 80 % of the box's edge (a drawn rectangle, not a flat stretch of anatomy), at least twice as
// wide as tall, with letter-sized holes. The plate of `region` that holds the most holes
// `min_height` to `max_height` tall; none (value -1) without two of them.
struct InkPlate {
  int value = -1;
  cv::Rect box;           // the plate, in `stored`'s pixels
  int letters = 0;
  int letter_height = 0;  // the upper quartile of the holes' heights (capitals and digits)
};
InkPlate constant_ink_plate(const cv::Mat& stored, const cv::Rect& region, int min_height, int max_height);
// Every such plate of `region` (of the six commonest recurring values there).
std::vector<InkPlate> text_plates(const cv::Mat& stored, const cv::Rect& region, int min_height, int max_height);

// A line of letters of one recurring stored value: letters side by side on one row.
struct InkLine {
  int value = -1;
  cv::Rect box;    // in `stored`'s pixels
  int letters = 0;
  int height = 0;  // the tallest letter's
};
// The lines of three letters or more (counted as constant_ink_letters counts them) of each of
// the eight commonest recurring values of `region`.
std::vector<InkLine> constant_ink_lines(const cv::Mat& stored, const cv::Rect& region, int min_height, int max_height);

}  // namespace medanon::pixel
