#pragma once
// The identifying values of one instance, read before de-identification: used to scrub free
// text under the cleaning options (PS3.15 E.3.5 "C") and handed to the pixel stage, which looks
// for them in burned-in text. They never reach the audit or the logs.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <map>
#include <string>
#include <vector>

namespace medanon::deid {

struct IdentityValues {
  // Keyword -> value converted to UTF-8 following SpecificCharacterSet (PS3.5 6.1); values of
  // several items or multi-valued attributes are joined with '\'.
  std::map<std::string, std::string> utf8;
  // Strings to scrub from free text, in the dataset's own encoding: whole values plus name
  // components of three characters or more.
  std::vector<std::string> scrub_needles;
};

// Reads the patient, physician, operator, institution and study identifiers of `dataset`.
IdentityValues collect_identity_values(DcmItem& dataset);

// `text` with every case-insensitive occurrence of a needle replaced by "[x]" (never longer
// than the needle, so the value stays within its VR's length limit).
std::string scrub_text(const std::string& text, const std::vector<std::string>& needles);

}  // namespace medanon::deid
