#pragma once
// A redacted line whose letters go on past what any detector boxed: the rest of an ID beyond a
// shutter edge (the background jumps from dark to white under it and the mid-grey letters turn
// from bright to dark), or digits fading over bright bone. Filled only as far as the boxes
// reach, the line leaked its last characters ('388-93' filled, '-3826' readable). Its fill
// grows along the row, one letter height at a time, for as long as the next step still shows
// letters (letter_evidence.hpp) and meets no word that is kept or flagged.

#include <vector>

#include "pixel/border_enhancement.hpp"
#include "pixel/pixel_pipeline.hpp"

namespace medanon::pixel {

// Adds, per end of each redacted line that letters continue, one redacted word over the
// continuation (at most `max_steps` steps of two letter heights).
void grow_redacted_line_ends(std::vector<TextDetection>& words, const PixelImage& image, const DetectionView& view,
                             const EnhanceOptions& enhance, int max_steps = 4);

}  // namespace medanon::pixel
