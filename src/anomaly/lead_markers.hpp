#pragma once
// Lead laterality markers in foreign-object masks.
//
// The L or R a radiographer lays on the cassette is lead: dense and sharp-edged like metal, and
// in a corner where no normal image has anything, so the MAE's z-map and the object prior flag it
// as readily as a clip (issue #15: 15-20 % of marker pixels flagged, ~20x the background rate).
// It is a letter, though, which no implant is: a small mask component that Tesseract reads as a
// lone L or R with good confidence is a marker, not a foreign object. Read where the mask is,
// not searched for: a handful of small components per image, ~5 ms each.
//
// No torch types (the detector in mae/ calls this; the anonymize runner need not).

#include <opencv2/core.hpp>

#include <memory>
#include <string>
#include <vector>

#include "pixel/tesseract_reader.hpp"

namespace medanon::anomaly {

struct LeadMarkerOptions {
  bool enabled = true;
  // Tesseract's word confidence (0-100) from which a lone L or R is a marker. On the independent
  // corpus' tuning seeds (2601) no object component read L or R at all; markers read 87-93.
  double min_confidence = 70;
  // Components whose longer side is above this share of the image's shorter side are not read
  // (a marker is a letter, 3-8 % of the side; a larger component is anatomy or an object).
  double max_side = 0.12;
  // The letter's stroke width over its height, from which a reading is a letter and not a bent
  // wire or a tube (tuning seeds 2601: markers read L or R 0.146-0.33; tubes, wires and stent
  // grafts mostly below 0.09).
  double min_stroke_ratio = 0.1;
  pixel::TesseractOptions tesseract;  // the language data the pixel stages read too
};

// One component read as a marker: where it is (the image's pixels) and what it said.
struct LeadMarker {
  cv::Rect box;       // the component and the letter read, grown by a tenth of their size
  std::string text;   // "L" or "R"
  float confidence = 0;
};

class LeadMarkerReader {
 public:
  // Without Tesseract's language data the reader is unavailable (available() false, reason()
  // says why) and finds nothing: the masks then keep markers, as before.
  explicit LeadMarkerReader(const LeadMarkerOptions& options);
  ~LeadMarkerReader();
  LeadMarkerReader(const LeadMarkerReader&) = delete;
  LeadMarkerReader& operator=(const LeadMarkerReader&) = delete;

  bool available() const { return reader_ != nullptr; }
  const std::string& reason() const { return reason_; }

  // The components of `mask` (CV_8U, `image`'s size, non-zero = flagged) read as markers, in
  // `image` (grey, CV_8U or CV_16U, display polarity: bright metal).
  std::vector<LeadMarker> read(const cv::Mat& image, const cv::Mat& mask);

 private:
  LeadMarkerOptions options_;
  std::unique_ptr<pixel::TesseractReader> reader_;
  std::string reason_;
};

// The pages Tesseract is given for one component, in the order they are tried: the crop around
// it stretched to 8 bits and scaled to 64, then 96 px tall (never down), the letter black on
// white with a margin; at each size the letter is first the brighter class of an Otsu split of
// the part brighter than the first split (a lead letter on its plastic plate), then that part
// itself (a bare letter, which the second split would thin). Exposed for tests.
std::vector<cv::Mat> marker_pages(const cv::Mat& crop);

// The largest ink component of a marker page: its box (the page's pixels) and its stroke width
// over its height, ~1/7 for a block letter, ~1/25 for a 2-px wire; the ratio is 0 when the page
// holds no ink or the component reaches the crop's edge (it goes on outside: anatomy, a tube).
// Exposed for tests.
struct PageLetter {
  cv::Rect box;
  double stroke_ratio = 0;
};
PageLetter page_letter(const cv::Mat& page);

// `markers`' boxes as a CV_8U mask (255) of `size`; empty when there are none.
cv::Mat marker_mask(const std::vector<LeadMarker>& markers, cv::Size size);

}  // namespace medanon::anomaly
