#pragma once
// A second reading of a border line, from its stored pixels. Tesseract reads lines in the
// detection view: reduced to ~1000 rows, one display window for the whole image, the anatomy
// taken away by a stroke response. Where a line crosses bright bone or a shutter edge, that
// response breaks the letters there, and Tesseract reads the word in pieces (`POR` .. `LE` for
// PORTABLE, `VP` for KVP, `JPINE` for SUPINE), each an "unknown word" that is filled. Burned-in
// text has one stored value (constant_ink.hpp): its pixels black and every other value white,
// at full resolution, the line is clean dark text on white whatever lies behind it. Letters drawn
// on a plate of one value (grey on grey, anti-aliased: no letter pixel holds one value) are read
// the same way from the plate's value.

#include <opencv2/core.hpp>

#include <vector>

#include "pixel/pixel_image.hpp"
#include "pixel/pixel_pipeline.hpp"
#include "pixel/tesseract_reader.hpp"

namespace medanon::pixel {

// The words of the line that `words` (image pixels, one detected line) make up, read from the
// page of its constant ink or plate, letters scaled to `letter_height` pixels. Empty when the line
// has neither (JPEG, or not text) or Tesseract reads nothing there. Boxes are image pixels.
std::vector<OcrWord> read_line_by_ink(const PixelImage& image, const std::vector<TextDetection>& words, int letter_height,
                                      TesseractReader& reader);

// `words` with the ink reading merged in. A reading of three characters or more replaces the
// detected words that lie within its columns (to a third of their height) when it is the better
// reading: surer than the one word read before, or worth more (confidence times characters) than
// the pieces of a word together. It takes its columns and their rows. A detected word reaching
// past the reading stays as it was (a kept reading never covers what it did not read; an unread
// word is still filled), and readings over no detected word are left out: this reads again, it
// does not detect. Two readings or more that together span a detected word, each lying mostly
// on it, replace it when they are worth more (`KVP` and `125` for one word read `au`).
std::vector<TextDetection> merge_ink_reading(const std::vector<TextDetection>& words, const std::vector<OcrWord>& reading);

}  // namespace medanon::pixel
