#pragma once
// Are there letters inside a learned box? PP-OCRv4 also reports boxes, with high scores, over
// text-free anatomy: the texture of a bright neck or a dark shoulder after the display window,
// a pair of calcifications. Text shows as a row of separate strokes of one height; texture as
// blobs of any size or none at all. The count below is the anatomy guard's second witness for a
// box that no OCR reads (text_policy.hpp).

#include <opencv2/core.hpp>

#include "pixel/learned_text_detector.hpp"

namespace medanon::pixel {

// Letter widths of stroke components, of one polarity, inside `box` of `grey` (8-bit, as the
// network saw it): components at least a quarter of the box's height (DB's unclipped box is
// about as tall as the letters), that are strokes (fill 0.1-0.9), stand out of the noise around
// the box (2.5 robust sigmas of the stroke response) and share a row. The larger count of the
// two polarities.
double letter_widths_in_box(const cv::Mat& grey, const cv::Rect& box);

// Letters of one stored value inside `box` of the stored pixels (constant_ink.hpp), when there
// are at least two; else 0. The witness for large letters on a noisy detector, where the band's
// CLAHE makes the noise as strong as their strokes and the count above sees none: ink of one
// value is text whatever the noise around it, and anatomy has none.
int ink_letters_in_box(const cv::Mat& stored, const cv::Rect& box);

// Whether a learned box is evidence of text: something letter-like stands inside it (boxes not
// measured, letters < 0, are taken at the network's word). On the development sets every box
// over PHI showed at least one letter width, and the boxes the network put on text-free
// anatomy (a neck's texture, a shoulder, calcifications) none.
bool shows_letters(const LearnedBox& box);

}  // namespace medanon::pixel
