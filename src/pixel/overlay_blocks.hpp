#pragma once
// PACS overlays are blocks of lines stacked from a corner or an edge. On a small film, or with
// a larger font, the block runs past the 15 % band: its last lines would count as central text
// and only be flagged, while they are as much overlay (a date, an accession number) as the
// lines above them. A line that continues a border block (same letter height, the next line
// down or up, aligned on the block's left edge, right edge or centre) joins the border zone;
// the block may grow up to `reach` times the band's depth from the edge, never further, so text
// truly in the middle of the film is still only flagged.

#include <vector>

#include "pixel/border_enhancement.hpp"
#include "pixel/dual_text_detection.hpp"

namespace medanon::pixel {

// Marks the words of lines that continue a border block as in the border. Returns how many
// lines joined.
int extend_overlay_blocks(std::vector<DetectedLine>& lines, const BorderGeometry& zone, double reach = 2.0);

}  // namespace medanon::pixel
