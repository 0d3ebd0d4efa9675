#pragma once
// Which detected words are altered (issue #13's policy, docs/pixel-text.md):
//   - PHI wholly inside the redaction zone is redacted; technical markers are kept.
//   - Whole lines: a line holding PHI that touches the zone is redacted to its last word, even
//     past the zone. Detected lines on one row (the stroke detector breaks a line where the
//     background changes under it, at a collimator or shutter edge) and lines one learned box
//     spans are one line.
//   - Anatomy guard: a word nothing reads (no confident OCR) and no learned box supports is not
//     filled: rib, spine and diaphragm edges look like strokes to the stroke detector. Such a
//     region is flagged for review when large, dropped as not text when small. Without the
//     learned detector (degraded) unread stroke words are still filled, large regions flagged.
//   - Central text that touches no PHI line of the zone is flagged for review, never altered.

#include <vector>

#include "pixel/border_enhancement.hpp"
#include "pixel/pixel_pipeline.hpp"

namespace medanon::pixel {

// A hyphenated marker that the detectors put in two lines (`SEMI` | `"ERECT`: the gap where the
// hyphen is thin broke the line) is one marker: two words side by side on one row, at most 1.5
// letter heights apart, that spell it (spell_a_marker) are both technical; so are two readings
// of it that overlap (`SEMI-E` over `-ERECT`). Runs after each line is classified, before
// decide_text_actions.
void keep_split_markers(std::vector<TextDetection>& words, const IdentifyingValues& values, const PhiOptions& options);

// Sets action (and in_border for whole-line members) of every word; removes the words the
// anatomy guard drops. `learned` are the learned detector's boxes in image pixels;
// `learned_ran` says whether it ran at all.
void decide_text_actions(std::vector<TextDetection>& words, const std::vector<LearnedBox>& learned,
                         const BorderGeometry& zone, const PixelOptions& options, bool learned_ran);

}  // namespace medanon::pixel
