#pragma once
// Text on plates that no detector saw. Vendor overlays often draw their lines on a plate: a
// rectangle of one stored value (a white label box, a black strip). Grey letters on a white plate
// sit a few levels apart in the image's display window, too faint for the stroke detector and
// the network, yet the plate itself is exact: one value, round a rectangle, with letter-sized
// holes (constant_ink.hpp). Such plates in the border bands are read from their page
// (ink_reading.hpp) as lines of their own.

#include <vector>

#include "pixel/border_enhancement.hpp"
#include "pixel/dual_text_detection.hpp"
#include "pixel/pixel_image.hpp"
#include "pixel/tesseract_reader.hpp"

namespace medanon::pixel {

// The lines read from the plates in `zone`'s bands that the words of `found` (image pixels) read
// with `min_confidence` or supported by a learned box leave mostly uncovered, one line per plate, its words Tesseract's readings (found by Detector::plate),
// letters scaled to `letter_height` pixels to be read. A plate nothing can be read on adds
// nothing: a plate alone is a marker's or a blank label's as often as a line's.
std::vector<DetectedLine> read_text_plates(const PixelImage& image, const BorderGeometry& zone, const std::vector<DetectedLine>& found,
                                           int letter_height, float min_confidence, TesseractReader& reader);

}  // namespace medanon::pixel
