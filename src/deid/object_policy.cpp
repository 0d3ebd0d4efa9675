#include "deid/object_policy.hpp"

namespace medanon::deid {
namespace {

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// The storage SOP classes of PS3.4 B.5 share this root.
constexpr const char* kStorage = "1.2.840.10008.5.1.4.1.1.";

}  // namespace

const char* to_string(ObjectFamily family) {
  switch (family) {
    case ObjectFamily::image: return "image";
    case ObjectFamily::structured_report: return "structured report";
    case ObjectFamily::key_object: return "key object selection";
    case ObjectFamily::presentation_state: return "presentation state";
    case ObjectFamily::segmentation: return "segmentation";
    case ObjectFamily::rt_non_image: return "radiotherapy object";
    case ObjectFamily::waveform: return "waveform";
    case ObjectFamily::encapsulated_document: return "encapsulated document";
    case ObjectFamily::other_non_image: return "non-image object";
    case ObjectFamily::media_directory: return "media directory";
  }
  return "object";
}

ObjectPolicy object_policy(const std::string& uid, bool has_pixel_data) {
  ObjectPolicy policy;
  const std::string storage = kStorage;
  const std::string rest = starts_with(uid, kStorage) ? uid.substr(storage.size()) : std::string();
  auto in_family = [&rest](const char* family) {
    const std::string prefix = std::string(family) + ".";
    return rest == family || rest.rfind(prefix, 0) == 0;
  };
  if (uid == "1.2.840.10008.1.3.10") {
    policy.family = ObjectFamily::media_directory;
    policy.why = "a DICOMDIR indexes a file set by the original names and UIDs: it is not de-identified but left "
                 "out (build a new one over the outputs)";
  } else if (uid == "1.2.840.10008.5.1.4.1.1.88.59") {
    policy.family = ObjectFamily::key_object;
    policy.structured_content = true;
    policy.why = "references and a title code; its text items are structured content";
  } else if (in_family("88")) {
    policy.family = ObjectFamily::structured_report;
    policy.structured_content = true;
    policy.why = "no pixels; the report text is structured content";
  } else if (in_family("11")) {
    policy.family = ObjectFamily::presentation_state;
    policy.why = "no pixels; its text annotations are header attributes";
  } else if (rest == "66.4" || rest == "66.7") {
    policy.family = ObjectFamily::segmentation;
    policy.why = "binary or fractional label frames carry no burned-in text; header only";
  } else if (rest == "481.1") {
    policy.family = ObjectFamily::image;  // RT Image: a portal or simulator radiograph
    policy.pixel_stages = true;
    policy.needs_pixel_data = true;
    policy.why = "a radiograph: burned-in text stages";
  } else if (in_family("481")) {
    policy.family = ObjectFamily::rt_non_image;
    policy.why = has_pixel_data ? "a dose grid (numbers, not a picture): header only" : "no pixels";
  } else if (in_family("9")) {
    policy.family = ObjectFamily::waveform;
    policy.why = "no pixels; waveform samples carry no text";
  } else if (in_family("104")) {
    policy.family = ObjectFamily::encapsulated_document;
    policy.why = "an encapsulated document (PDF, CDA, 3D model): its payload is free text or pictures no stage here "
                 "can read or clean";
  } else if (rest == "30" || rest == "67" || in_family("66")) {
    policy.family = ObjectFamily::other_non_image;
    policy.why = has_pixel_data ? "parametric values, not a picture: header only" : "no pixels";
  } else if (!rest.empty() || has_pixel_data) {
    policy.family = ObjectFamily::image;
    policy.pixel_stages = has_pixel_data;
    policy.needs_pixel_data = !rest.empty();
    policy.why = "an image: burned-in text stages";
  } else {
    policy.family = ObjectFamily::other_non_image;  // a private or unknown class without pixels
    policy.why = "no pixels";
  }
  return policy;
}

}  // namespace medanon::deid
