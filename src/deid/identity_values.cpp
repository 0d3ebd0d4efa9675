#include "deid/identity_values.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcspchrs.h>

#include <algorithm>
#include <cctype>

namespace medanon::deid {
namespace {

// Attributes whose values identify the patient or the people and places around the study.
const DcmTagKey kIdentifyingTags[] = {
    DCM_PatientName,        DCM_PatientID,           DCM_RETIRED_OtherPatientIDs, DCM_PatientBirthDate,
    DCM_PatientBirthName,   DCM_PatientMotherBirthName, DCM_PatientAddress,    DCM_PatientTelephoneNumbers,
    DCM_AccessionNumber,    DCM_StudyID,             DCM_ReferringPhysicianName, DCM_PerformingPhysicianName,
    DCM_OperatorsName,      DCM_NameOfPhysiciansReadingStudy, DCM_InstitutionName, DCM_InstitutionAddress,
    DCM_StationName,        DCM_DeviceSerialNumber,  DCM_RequestingPhysician,
};

// Needles shorter than this would scrub ordinary words ("DR", "PA").
constexpr std::size_t kShortestNeedle = 3;

bool is_person_name(const DcmTagKey& key) { return DcmTag(key).getEVR() == EVR_PN; }

void add_needle(std::vector<std::string>& needles, const std::string& value) {
  if (value.size() >= kShortestNeedle && std::find(needles.begin(), needles.end(), value) == needles.end()) {
    needles.push_back(value);
  }
}

// A person name's components (PS3.5 6.2: '^' between components, '=' between representations).
void add_name_components(std::vector<std::string>& needles, const std::string& name) {
  std::string component;
  for (char c : name + "^") {
    if (c == '^' || c == '=' || c == ' ' || c == ',' || c == '\\') {
      add_needle(needles, component);
      component.clear();
    } else {
      component += c;
    }
  }
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

IdentityValues collect_identity_values(DcmItem& dataset) {
  IdentityValues values;
  OFString charset;
  dataset.findAndGetOFStringArray(DCM_SpecificCharacterSet, charset);
  DcmSpecificCharacterSet converter;
  const bool convertible = converter.selectCharacterSet(charset).good();

  for (const DcmTagKey& key : kIdentifyingTags) {
    OFString raw;
    if (dataset.findAndGetOFStringArray(key, raw).bad() || raw.empty()) continue;
    const std::string value(raw.c_str());
    add_needle(values.scrub_needles, value);
    if (is_person_name(key)) add_name_components(values.scrub_needles, value);
    OFString utf8 = raw;
    if (convertible) converter.convertString(raw, utf8, is_person_name(key) ? "\\^=" : "\\");
    values.utf8[DcmTag(key).getTagName()] = utf8.c_str();
  }
  // Other IDs of the same patient, as the Patient Identification Module nests them.
  DcmItem* other = nullptr;
  for (unsigned long i = 0; dataset.findAndGetSequenceItem(DCM_OtherPatientIDsSequence, other, static_cast<long>(i)).good(); ++i) {
    const char* id = nullptr;
    if (other->findAndGetString(DCM_PatientID, id).good() && id != nullptr) add_needle(values.scrub_needles, id);
  }
  // Longest first, so "MARIA GARCIA" goes before "MARIA" leaves "[x] GARCIA" behind.
  std::sort(values.scrub_needles.begin(), values.scrub_needles.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return values;
}

std::string scrub_text(const std::string& text, const std::vector<std::string>& needles) {
  std::string result = text;
  for (const std::string& needle : needles) {
    const std::string wanted = upper(needle);
    std::string haystack = upper(result);
    for (std::size_t at = haystack.find(wanted); at != std::string::npos; at = haystack.find(wanted, at + 3)) {
      result.replace(at, needle.size(), "[x]");
      haystack.replace(at, needle.size(), "[X]");
    }
  }
  return result;
}

}  // namespace medanon::deid
