#pragma once
// Where the learned text detector looks: the four bands of the redaction zone, each run at one
// scale chosen from its depth, plus two things a band alone misses (issue #13's "words cut at the
// ends of the side bands"):
//  - each band is grown inward by a margin, and the side bands reach into the top and bottom ones,
//    so a line lying across a band's inner edge or a corner is seen whole, not cut in two;
//  - a line the network finds running to the inner edge of a side band is followed inward, strip
//    by strip along its rows, for as long as the network finds it continuing: the policy redacts
//    such a line to its last word (text_policy.hpp), and the stroke detector alone misses the
//    faint or small letters past the band.
// Boxes come back in image pixels; every one touches a band (what lies wholly past the zone only
// matters as the continuation of a line that starts in it).

#include <vector>

#include "pixel/border_enhancement.hpp"
#include "pixel/learned_text_detector.hpp"
#include "pixel/pixel_image.hpp"
#include "pixel/pixel_pipeline.hpp"

namespace medanon::pixel {

struct BandDetectionOptions {
  int band_rows = 384;            // a band's depth in network rows (LearnedTextOptions::band_rows)
  double inward_margin = 0.125;   // bands grown inward by this share of their depth
  double max_box_depth = 0.4;     // boxes deeper than this share of the band (and 64 px) are not text
  // Boxes less tall than this (image pixels) show no letters, whatever the network saw at its
  // scale: overlay letters are 8 px and more, while 5-6 px boxes sat on single specks of
  // text-free radiographs, where the letter test, at 2x, still saw a stroke.
  int min_letter_rows = 7;
  int follow_strips = 6;          // at most this many strips followed per line (each 512 network columns)
  int central_size = 1024;        // the centre's longer side in network pixels (never enlarged); 0: no central pass
  double large_unreadable_share = 0.01;  // PixelOptions::large_unreadable_share: unread regions this large go to review
};

std::vector<LearnedBox> detect_in_bands(LearnedTextDetector& detector, const PixelImage& image, const DetectionView& view,
                                        const BorderGeometry& zone, const EnhanceOptions& enhance,
                                        const BandDetectionOptions& options);

// The network's boxes on the row of `line` (image pixels), on a strip reaching `reach` letter
// heights past each end, scaled so the line's letters are about 20 network rows: where a line
// of central text really begins and ends, when the stroke detector saw only part of it.
std::vector<LearnedBox> learned_boxes_along(LearnedTextDetector& detector, const PixelImage& image,
                                            const DetectionView& view, const cv::Rect& line, double reach,
                                            const EnhanceOptions& enhance);

// Central text is flagged for review, never altered, but it must be found to be flagged: the
// stroke detector works on the detection view (a 2048-px image halved), where 12-18 px central
// letters are 6-9 px and were missed (7 of 16 central PHI words of a development set). The network
// runs once over the centre (the image inside the bands), its longer side scaled to
// `central_size` network pixels; line-shaped boxes with letters in them (letter_evidence.hpp)
// that no word covers and that touch no band become review words. Those lines are also the second
// witness for the other detectors' central candidates (drop_unwitnessed_central_candidates).
void flag_central_text(LearnedTextDetector& detector, const PixelImage& image, const DetectionView& view,
                       const BorderGeometry& zone, std::vector<TextDetection>& words, const EnhanceOptions& enhance,
                       const BandDetectionOptions& options);

// Central candidates (review words outside the zone, or straddling its inner edge) that no
// line-shaped learned box supports, that none of `lines` overlaps, that Tesseract did not read
// with confidence and that are smaller than `large_area` image pixels are anatomy: rib and
// vessel edges, read as 'yee' or '=' if at all, and the network's squarish boxes over a
// shoulder, which flagged most text-free radiographs for review. They are dropped, not flagged,
// as such words inside the zone are (text_policy.hpp); the large ones still go to a person.
void drop_unwitnessed_central_candidates(std::vector<TextDetection>& words, const std::vector<cv::Rect>& lines,
                                         double large_area);

// Central text is flagged for review, never altered; the reviewer must see the whole line. Each
// central line flagged for review gains, as review words, the boxes the network finds on its row
// that the stroke detector missed (the first name before a surname it saw).
void extend_central_review(LearnedTextDetector& detector, const PixelImage& image, const DetectionView& view,
                           std::vector<TextDetection>& words, const EnhanceOptions& enhance);

}  // namespace medanon::pixel
