#pragma once
// A redacted line whose letters go on past what any detector boxed: the rest of an ID beyond a
// shutter edge (the background jumps from dark to white under it and the mid-grey letters turn
// from bright to dark), digits fading over bright bone, a faint last word. Filled only as far as
// the boxes reach, the line leaked its last characters ('388-93' filled, '-3826' readable).
//
// Its fill grows along the row for as long as the pixels past its end hold letters of constant
// ink (constant_ink.hpp): one letter in an ink the line's own filled letters are drawn in, or
// two in another recurring value (the next word may be drawn in another grey), and it meets no
// word that is kept or flagged. The fill ends at the last such letter. Anatomy never grows a
// line: its noise repeats no value in letter shapes, whatever the contrast of the text was, and
// a line whose own letters show no constant ink (a JPEG-compressed overlay) does not grow.
// Central lines flagged for review grow the same way, as review: the name's last word the
// detectors missed goes to the person with the rest.

#include <vector>

#include "pixel/pixel_pipeline.hpp"

namespace medanon::pixel {

// Adds, per end of each redacted PHI line that letters continue, one redacted word over the
// continuation, and per end of each central line flagged for review, one review word (at most
// `max_letters` letter heights long).
void grow_line_ends(std::vector<TextDetection>& words, const PixelImage& image, int max_letters = 16);

}  // namespace medanon::pixel
