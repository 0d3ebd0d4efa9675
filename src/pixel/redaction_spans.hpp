#pragma once
// Which rectangles stage 6 fills: redacted words that belong together are filled as one span,
// so a date the detectors split at its hyphens ("2011", "-04-", "16") does not keep its hyphens,
// nor a name the letters between two readings.

#include <opencv2/core.hpp>

#include <vector>

#include "pixel/border_enhancement.hpp"
#include "pixel/pixel_pipeline.hpp"

namespace medanon::pixel {

// Spans over the redacted words of `words` (in line order). Two redacted words join when
//   - they are of one detected line and no kept or flagged word stands between them, or
//   - they stand on one row (rows overlapping, letters of similar height) at most
//     `row_gap_letters` letter heights apart, with no kept or flagged word between them: the
//     stroke detector can break a line where a few letters are faint ("HOSPITAL SANTA" seen
//     as "HOSPITAL S" and "TA"), and the letters in the break are PHI all the same;
// and in either case the joined span still lies wholly inside the border zone, or inside one
// line an overlay block brought into it (overlay_blocks.hpp).
std::vector<cv::Rect> redaction_spans(const std::vector<TextDetection>& words, const BorderGeometry& zone,
                                      double row_gap_letters = 2.0);

}  // namespace medanon::pixel
