#pragma once
// What medanon does with each class of object an archive holds (docs/archives.md has the table):
// every object gets the header profile; only images with pixels that can carry burned-in text
// go through the pixel stages; structured content is removed unless Clean Structured Content is
// selected; encapsulated documents (PDF, CDA, 3D models) are refused unless configured
// header-only, since their payload is free text and pictures no stage here can read.

#include <string>

namespace medanon::deid {

enum class ObjectFamily {
  image,                 // CT, MR, CR, DX, US, XA, SC, OT, NM, PET, RT Image, ...
  structured_report,     // SR (incl. CAD SR, dose reports)
  key_object,            // Key Object Selection: an SR-like list of references
  presentation_state,    // GSPS and friends: text annotations live in GraphicAnnotationSequence
  segmentation,          // SEG: 1-bit or fractional frames, no burned-in text
  rt_non_image,          // RT Structure Set, Plan, Dose, Treatment Records, Ion Plan, ...
  waveform,              // ECG, hemodynamic, audio
  encapsulated_document, // PDF, CDA, STL, OBJ, MTL
  other_non_image,       // raw data, registrations, measurements, any class without pixels
  media_directory,       // DICOMDIR: an index of a file set, not an instance
};

const char* to_string(ObjectFamily family);

struct ObjectPolicy {
  ObjectFamily family = ObjectFamily::image;
  bool pixel_stages = false;       // burned-in text detection and redaction run on its frames
  bool structured_content = false; // holds a Content Sequence tree (SR, KO)
  bool needs_pixel_data = false;   // an image class: missing Pixel Data is an error
  const char* why = "";            // the reason for the pixel policy, for the docs and the audit
};

// From the SOP Class UID (PS3.4 Annex B) and whether Pixel Data is present.
ObjectPolicy object_policy(const std::string& sop_class_uid, bool has_pixel_data);

}  // namespace medanon::deid
