#pragma once
// Burned-in text as scanners, PACS exports and technologists leave it on radiographs:
// patient name, ID, birth date, study date, accession and institution (PHI), and technical
// markers (L, R, PA, AP, KV 120, mAs 2.5, PORTABLE). Mostly in the border bands, sometimes
// near the centre; white-on-dark and dark-on-bright; several fonts, scales and contrasts.

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "synth/random.hpp"
#include "synth/records.hpp"

namespace medanon::synth {

struct TextLine {
  std::string field;               // see TextBox::field
  std::vector<std::string> words;  // rendered left to right, one space apart
  std::vector<bool> phi;           // per word: labels such as "DOB:" are not PHI
};

// Chooses which lines this image carries (from the text stream): a random subset of the PHI
// fields in varying formats (e.g. "GARCIA, MARIA", "14/03/1956", "ID 40817263") plus markers.
std::vector<TextLine> compose_text_lines(const PatientIdentity& patient, const StudyIdentity& study,
                                         const ImagePlan& plan, Rng& rng);

// Renders `lines` into `pixels` (CV_16UC1 or CV_8UC1, values in [0, max_value]) and returns one
// box per rendered word with the tight bounding box of its glyph pixels. Lines are placed in the
// border bands (outer 15 % of each side) unless the plan puts one near the centre; boxes never
// overlap each other and stay inside the image.
std::vector<TextBox> burn_text(cv::Mat& pixels, int max_value, const std::vector<TextLine>& lines,
                               Rng& rng);

}  // namespace medanon::synth
