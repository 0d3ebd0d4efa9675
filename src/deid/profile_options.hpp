#pragma once
// The PS3.15 Annex E profile and the options a job selects (PS3.15 E.3), and the codes that
// name them in DeidentificationMethodCodeSequence (PS3.16 CID 7050).

#include <string>
#include <vector>

namespace medanon::deid {

// The option columns of PS3.15 Table E.1-1 that medanon implements, in the table's order.
enum class ProfileOption {
  retain_safe_private,             // E.3.10, with an allow-list of private attributes
  retain_uids,                     // E.3.9
  retain_device_identity,          // E.3.8
  retain_institution_identity,     // E.3.12
  retain_patient_characteristics,  // E.3.7
  retain_full_dates,               // E.3.6: dates and times kept as they are
  retain_modified_dates,           // E.3.6: dates shifted per patient, intervals kept
  clean_descriptors,               // E.3.5
};
inline constexpr int kProfileOptionCount = 8;

struct ProfileOptions {
  bool retain_safe_private = false;
  bool retain_uids = false;
  bool retain_device_identity = false;
  bool retain_institution_identity = false;
  bool retain_patient_characteristics = false;
  bool retain_full_dates = false;
  bool retain_modified_dates = true;
  bool clean_descriptors = false;
  // Clean Pixel Data (E.3.1): the job runs the pixel stage. It is claimed in an output file
  // only for images the pixel stage reports as cleaned or verified.
  bool clean_pixel_data = true;
  // The job's key is the public demo key (--insecure-key without --key): anyone can recompute
  // every pseudonym, so every output says so in DeidentificationMethod.
  bool public_demo_key = false;

  bool enabled(ProfileOption option) const;
};

// Throws UsageError (all ranks) for contradictory options (both date options).
void validate(const ProfileOptions& options);

// A coded entry of CID 7050 "De-identification Method" (PS3.16), scheme DCM.
struct MethodCode {
  const char* value;
  const char* meaning;
};

// What was done to this object beyond the options: the Clean Pixel Data and Clean Structured
// Content options are claimed only for objects they were applied to.
struct AppliedCleaning {
  bool pixels = false;              // the pixel stage cleaned or verified this image
  bool structured_content = false;  // this object's structured content was kept and cleaned
};

// 113100 (the Basic Profile) followed by the code of each option in use; Clean Pixel Data
// (113101) and Clean Structured Content (113104) only where `applied` says so.
std::vector<MethodCode> method_codes(const ProfileOptions& options, AppliedCleaning applied);

}  // namespace medanon::deid
