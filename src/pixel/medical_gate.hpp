#pragma once
// Stage 2, the medical-image gate: is this a medical image at all, and of which body region?
// Decided from the evidence the file really carries: DICOM Modality, BodyPartExamined and
// descriptions, PhotometricInterpretation, and image statistics (colour saturation, bit depth,
// grey-level histogram shape, the chest radiograph's lung/mediastinum pattern).
// A learned classifier (a ViT image tower shared with the MAE issue) can refine this later.

#include <string>
#include <vector>

#include "pixel/pixel_image.hpp"

namespace medanon::pixel {

enum class Anatomy { chest, skull, dental, pelvic, other };
const char* to_string(Anatomy anatomy);

struct GateDecision {
  bool medical = false;
  Anatomy anatomy = Anatomy::other;
  std::string reason;                 // the deciding evidence, in words
  std::vector<std::string> evidence;  // everything that was weighed, for the audit
  double saturated_fraction = 0;      // share of pixels with visible colour
};

struct GateOptions {
  // Share of visibly coloured pixels above which a plain image is a photograph. Grey images
  // saved as RGB have none; ultrasound with a Doppler box has a few per cent.
  double max_saturated_fraction = 0.10;
  int saturation_threshold = 24;  // max(R,G,B) - min(R,G,B) that counts as coloured
  // A single grey level holding more than this share of the pixels: a blank or a document page.
  double max_single_level_fraction = 0.6;
  // 8-bit grey pictures that are not DICOM (where photographs and scans arrive): a share of
  // overview pixels with a strong edge above this is fine texture everywhere (a photograph of
  // grass, gravel, coins), which radiographs, blurred by scatter, mostly do not have (synth <=
  // 0.06); an image with a chest radiograph's layout passes above it (small noisy films reach 0.17).
  double max_edge_density = 0.10;
  // A bright page (this share near white) with dense fine strokes is a scanned document.
  double document_bright_share = 0.3, document_edge_density = 0.07;
};

GateDecision gate_image(const PixelImage& image, const GateOptions& options = {});

// The chest radiograph's signature in a grey image (MONOCHROME2 sense): two darker lung fields
// either side of a brighter mediastinum and spine. Exposed for tests.
bool looks_like_chest_radiograph(const cv::Mat& grey8);

// Colour pictures that are medical all the same (accepted instead of rejected as photographs):
// a fundus photograph (a reddish disc in a black circular aperture: dark corners) and stained
// tissue (histology: pink/purple/brown/blue stains on a bright slide, hardly any green). Exposed
// for tests; "" when neither.
std::string colour_medical_kind(const cv::Mat& bgr);

// Grey images saved with three identical channels become one channel; others are returned as is.
cv::Mat grey_if_achromatic(const cv::Mat& pixels, int saturation_threshold = 24);

}  // namespace medanon::pixel
