#pragma once
// Text in the border bands that no detector saw, found by its stored values. Burned-in text is
// drawn by software with exact values (constant_ink.hpp): its letters in one stored value, or a
// plate of one value round letters of others (a white label box, a black strip). Grey letters on
// a white plate, or bright letters a noisy background drowns, can sit a few levels apart in the
// image's display window, too faint for the stroke detector and the network, yet their stored
// values are exact. Such plates and lines of constant ink are read from their page
// (ink_reading.hpp) as lines of their own.

#include <vector>

#include "pixel/border_enhancement.hpp"
#include "pixel/dual_text_detection.hpp"
#include "pixel/pixel_image.hpp"
#include "pixel/tesseract_reader.hpp"

namespace medanon::pixel {

// The lines read from the plates and the lines of constant ink in `zone`'s bands that the words
// of `found` (image pixels) read with `min_confidence` or supported by a learned box leave mostly
// uncovered, one line each, its words Tesseract's readings (found by Detector::stored), letters
// scaled to `letter_height` pixels to be read. What nothing can be read on adds nothing: a plate
// alone is a marker's or a blank label's as often as a line's.
std::vector<DetectedLine> read_unseen_text(const PixelImage& image, const BorderGeometry& zone, const std::vector<DetectedLine>& found,
                                           int letter_height, float min_confidence, TesseractReader& reader);

}  // namespace medanon::pixel
