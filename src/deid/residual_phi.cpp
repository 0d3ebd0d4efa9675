#include "deid/residual_phi.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcstack.h>
#include <dcmtk/dcmdata/dcvr.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "input/dicom_value.hpp"

namespace medanon::deid {
namespace {

using input::string_of;

constexpr std::size_t kShortestNeedle = 3;  // shorter ones would hit ordinary words and numbers

// Placeholder values (test and anonymised inputs use them as names; the profile writes
// "ANONYMOUS" as its dummy): they identify nobody, and searching for them would flag the
// profile's own dummies.
const char* const kPlaceholders[] = {"ANONYMOUS", "ANONYMIZED", "ANONYMISED", "ANON", "UNKNOWN", "REMOVED",
                                     "NONE", "NULL", "PATIENT", "NAME"};

// Length of the valid UTF-8 sequence of 3 or 4 bytes starting at `at`, or 0.
std::size_t utf8_long_sequence(const std::string& text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const std::size_t length = lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (length == 0 || at + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[at + k]) & 0xC0) != 0x80) return 0;
  }
  return length;
}

// Upper case byte for byte (lengths, hence match positions, stay): ASCII, and the Latin-1
// letters (à..þ but ÷) both as UTF-8 (ISO_IR 192: C3 A0..BE -> C3 80..9E) and as ISO 8859-1
// bytes (ISO_IR 100: E0..FE -> C0..DE), the two character sets of European names in archives.
// "Martínez" in a comment must match the "MARTÍNEZ" of PatientName. A byte E0..F4 that opens a
// valid UTF-8 sequence is left alone, whatever the character set: both sides of a comparison go
// through this function, so a rare Latin-1 triple read as UTF-8 only loses its case folding.
std::string upper(std::string text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 'a' && byte <= 'z') {
      text[i] = static_cast<char>(byte - 0x20);
    } else if (byte == 0xC3 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0xA0 && next <= 0xBE && next != 0xB7) text[i + 1] = static_cast<char>(next - 0x20);
      ++i;
    } else if (const std::size_t length = utf8_long_sequence(text, i); length > 0) {
      i += length - 1;
    } else if (byte >= 0xE0 && byte <= 0xFE && byte != 0xF7) {
      text[i] = static_cast<char>(byte - 0x20);
    }
  }
  return text;
}

void add(std::vector<std::string>& needles, std::string value) {
  while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
  while (!value.empty() && value.front() == ' ') value.erase(value.begin());
  if (value.size() < kShortestNeedle) return;
  value = upper(value);
  for (const char* placeholder : kPlaceholders) {
    if (value == placeholder) return;
  }
  if (std::find(needles.begin(), needles.end(), value) == needles.end()) needles.push_back(value);
}

void add_name_parts(std::vector<std::string>& needles, const std::string& name) {
  std::string part;
  for (char c : name + "^") {
    if (c == '^' || c == '=' || c == ' ' || c == ',' || c == '\\') {
      add(needles, part);
      part.clear();
    } else {
      part += c;
    }
  }
}

void add_values(std::vector<std::string>& needles, const std::string& joined) {
  std::string value;
  for (char c : joined + "\\") {
    if (c == '\\') {
      add(needles, value);
      value.clear();
    } else {
      value += c;
    }
  }
}

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

// VRs whose value is free or semi-free text, where a match can be overwritten in place.
bool editable_text(DcmEVR vr) {
  switch (vr) {
    case EVR_AE: case EVR_LO: case EVR_LT: case EVR_PN: case EVR_SH: case EVR_ST: case EVR_UC: case EVR_UT:
    case EVR_UR: return true;
    default: return false;
  }
}

// VRs that cannot carry text at all.
bool binary_numbers(DcmEVR vr) {
  switch (vr) {
    case EVR_US: case EVR_SS: case EVR_UL: case EVR_SL: case EVR_FL: case EVR_FD: case EVR_OF: case EVR_OD:
    case EVR_OL: case EVR_OV: case EVR_SV: case EVR_UV: case EVR_AT: case EVR_xs: case EVR_lt: case EVR_ox:
    case EVR_px: case EVR_pixelSQ: case EVR_pixelItem: case EVR_SQ: case EVR_item: return true;
    default: return false;
  }
}

std::string where_of(DcmStack& stack, DcmElement& element) {
  std::string key;
  for (unsigned long level = stack.card(); level-- > 1;) {
    if (auto* sequence = dynamic_cast<DcmSequenceOfItems*>(stack.elem(level))) {
      DcmTag tag(sequence->getTag());
      key += std::string(tag.getTagName()) + "/";
    }
  }
  DcmTag tag(element.getTag());
  const bool named = !tag.isPrivate() && std::strcmp(tag.getTagName(), DcmTag_ERROR_TagName) != 0;
  return key + (named ? std::string(tag.getTagName()) : std::string(tag.toString().c_str()));
}

std::vector<const std::string*> all_needles(const std::vector<const std::vector<std::string>*>& lists) {
  std::vector<const std::string*> all;
  for (const auto* list : lists) {
    for (const std::string& needle : *list) all.push_back(&needle);
  }
  // Longest first, so "12/03/1950" goes before "1950" could leave "12/03/[x]" behind.
  std::sort(all.begin(), all.end(), [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  return all;
}

// Positions of token matches of `needle` (upper case) in `haystack` (upper(text): every value
// is folded once, not once per needle; folding keeps lengths and which bytes are letters).
std::vector<std::size_t> token_matches(const std::string& haystack, const std::string& needle) {
  std::vector<std::size_t> at;
  if (needle.empty() || haystack.size() < needle.size()) return at;
  const char first = needle.front(), last = needle.back();
  for (std::size_t i = haystack.find(needle); i != std::string::npos; i = haystack.find(needle, i + 1)) {
    const bool left_ok =
        i == 0 || !((is_digit(first) && is_digit(haystack[i - 1])) || (is_letter(first) && is_letter(haystack[i - 1])));
    const std::size_t end = i + needle.size();
    const bool right_ok = end >= haystack.size() ||
                          !((is_digit(last) && is_digit(haystack[end])) || (is_letter(last) && is_letter(haystack[end])));
    if (left_ok && right_ok) at.push_back(i);
  }
  return at;
}

bool any_hit(const std::string& text, const std::vector<const std::string*>& needles) {
  const std::string haystack = upper(text);
  for (const std::string* needle : needles) {
    if (!token_matches(haystack, *needle).empty()) return true;
  }
  return false;
}

std::string scrubbed(std::string text, const std::vector<const std::string*>& needles) {
  for (const std::string* needle : needles) {
    for (std::vector<std::size_t> at = token_matches(upper(text), *needle); !at.empty();
         at = token_matches(upper(text), *needle)) {
      text.replace(at.front(), needle->size(), "[x]");
    }
  }
  return text;
}

const char* const kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const char* const kMonthNames[] = {"JANUARY", "FEBRUARY", "MARCH",     "APRIL",   "MAY",      "JUNE",
                                   "JULY",    "AUGUST",   "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"};

}  // namespace

std::vector<std::string> written_date_forms(const std::string& date) {
  if (date.size() != 8 || !std::all_of(date.begin(), date.end(), is_digit)) return {};
  const std::string yyyy = date.substr(0, 4), yy = date.substr(2, 2), mm = date.substr(4, 2), dd = date.substr(6, 2);
  const int month = std::stoi(mm), day = std::stoi(dd);
  if (month < 1 || month > 12 || day < 1 || day > 31) return {};
  const std::string m = std::to_string(month), d = std::to_string(day);
  std::vector<std::string> forms = {
      yyyy + mm + dd,           yyyy + "-" + mm + "-" + dd, yyyy + "/" + mm + "/" + dd, yyyy + "." + mm + "." + dd,
      dd + "/" + mm + "/" + yyyy, mm + "/" + dd + "/" + yyyy, dd + "." + mm + "." + yyyy, dd + "-" + mm + "-" + yyyy,
      mm + "-" + dd + "-" + yyyy, d + "/" + m + "/" + yyyy,  m + "/" + d + "/" + yyyy,  d + "." + m + "." + yyyy,
      dd + "/" + mm + "/" + yy, mm + "/" + dd + "/" + yy,   dd + "." + mm + "." + yy,   dd + mm + yyyy,
  };
  for (const std::string& name : {std::string(kMonths[month - 1]), std::string(kMonthNames[month - 1])}) {
    for (const std::string& day_form : {d, dd}) {
      forms.push_back(day_form + " " + name + " " + yyyy);  // 12 MAR 1950, 12 March 1950
      forms.push_back(day_form + "-" + name + "-" + yyyy);  // 12-Mar-1950
      forms.push_back(name + " " + day_form + ", " + yyyy); // March 12, 1950
      forms.push_back(name + " " + day_form + " " + yyyy);
    }
    forms.push_back(dd + name + yyyy);  // 12MAR1950
  }
  std::vector<std::string> unique;
  for (std::string& form : forms) add(unique, form);
  return unique;
}

bool contains_token(const std::string& text, const std::string& needle) {
  return !token_matches(upper(text), upper(needle)).empty();
}

PatientNeedles patient_needles(DcmItem& original) {
  PatientNeedles needles;
  for (const DcmTagKey& key : {DCM_PatientName, DCM_PatientBirthName, DCM_PatientMotherBirthName}) {
    add_name_parts(needles.names, string_of(original, key));
  }
  for (const DcmTagKey& key : {DCM_PatientID, DCM_RETIRED_OtherPatientIDs, DCM_AccessionNumber, DCM_RETIRED_MedicalRecordLocator}) {
    add_values(needles.ids, string_of(original, key));
  }
  DcmItem* other = nullptr;
  for (long i = 0; original.findAndGetSequenceItem(DCM_OtherPatientIDsSequence, other, i).good(); ++i) {
    add_values(needles.ids, string_of(*other, DCM_PatientID));
  }
  needles.birth_dates = written_date_forms(string_of(original, DCM_PatientBirthDate));
  for (const DcmTagKey& key : {DCM_PatientAddress, DCM_PatientTelephoneNumbers}) add_values(needles.others, string_of(original, key));
  return needles;
}

ResidualReport clean_residual_phi(DcmItem& item, const PatientNeedles& needles) {
  ResidualReport report;
  if (needles.empty()) return report;
  // Numbers, times, UIDs, ages and codes cannot hold a name or a written date, and short numeric
  // IDs would hit ordinary series and instance numbers there; dates are searched for the birth
  // date; every other VR (text, person names, and bytes no reader parsed) for everything.
  const std::vector<const std::string*> all =
      all_needles({&needles.names, &needles.ids, &needles.birth_dates, &needles.others});
  const std::vector<const std::string*> dates = all_needles({&needles.birth_dates});
  const std::vector<const std::string*> none;
  auto needles_for = [&](DcmEVR vr) -> const std::vector<const std::string*>& {
    switch (vr) {
      case EVR_IS: case EVR_DS: case EVR_TM: case EVR_UI: case EVR_AS: case EVR_CS: return none;
      case EVR_DA: case EVR_DT: return dates;
      default: return all;
    }
  };
  // medanon's own marks (PS3.15 X.3: DeidentificationMethod and its code sequence) are constant
  // text of this program: a phantom named "Enhanced DICOM Phantom" (nibabel's Philips file) made
  // "DICOM" of "medanon ... DICOM PS3.15 ..." a hit.
  auto our_mark = [](DcmStack& at) {
    for (unsigned long level = 0; level < at.card(); ++level) {
      const auto* object = at.elem(level);
      if (object != nullptr && (object->getTag() == DCM_DeidentificationMethod ||
                                object->getTag() == DCM_DeidentificationMethodCodeSequence)) {
        return true;
      }
    }
    return false;
  };
  std::vector<std::pair<DcmItem*, DcmTagKey>> doomed;
  std::vector<std::string> doomed_where;
  DcmStack stack;
  while (item.nextObject(stack, OFTrue).good()) {
    auto* element = dynamic_cast<DcmElement*>(stack.top());
    if (element == nullptr || element->isLeaf() == OFFalse || element->getTag() == DCM_PixelData) continue;
    if (our_mark(stack)) continue;
    const DcmEVR vr = element->getTag().getEVR();
    if (binary_numbers(vr) || element->getLength() == 0) continue;
    std::string text;
    if (element->isaString()) {
      OFString value;
      if (element->getOFStringArray(value).bad()) continue;
      text.assign(value.c_str(), value.length());
    } else {  // OB, OW, UN, ...: bytes that may be text a reader never parsed
      Uint8* bytes = nullptr;
      if (element->getUint8Array(bytes).bad() || bytes == nullptr) continue;
      text.assign(reinterpret_cast<const char*>(bytes), element->getLength());
    }
    if (!any_hit(text, needles_for(vr))) continue;
    const std::string where = where_of(stack, *element);
    if (element->isaString() && editable_text(vr)) {
      const std::string clean = scrubbed(text, all);
      if (element->putString(clean.c_str(), static_cast<Uint32>(clean.size())).good()) {
        ++report.cleaned;
        report.cleaned_in.push_back(where);
        continue;
      }
    }
    // Dates, codes, numbers and binary values: the whole element goes.
    auto* parent = stack.card() > 1 ? dynamic_cast<DcmItem*>(stack.elem(1)) : nullptr;
    if (parent == nullptr) {
      report.remaining.push_back(where);
      continue;
    }
    doomed.emplace_back(parent, element->getTag());
    doomed_where.push_back(where);
  }
  for (std::size_t i = 0; i < doomed.size(); ++i) {
    if (doomed[i].first->findAndDeleteElement(doomed[i].second).good()) {
      ++report.cleaned;
      report.cleaned_in.push_back(doomed_where[i]);
    } else {
      report.remaining.push_back(doomed_where[i]);
    }
  }
  // Verify: nothing of the patient left anywhere.
  stack.clear();
  while (item.nextObject(stack, OFTrue).good()) {
    auto* element = dynamic_cast<DcmElement*>(stack.top());
    if (element == nullptr || element->isLeaf() == OFFalse || element->getTag() == DCM_PixelData) continue;
    if (!element->isaString() || binary_numbers(element->getTag().getEVR()) || our_mark(stack)) continue;
    OFString value;
    if (element->getOFStringArray(value).good() && any_hit(value.c_str(), needles_for(element->getTag().getEVR()))) {
      report.remaining.push_back(where_of(stack, *element));
    }
  }
  return report;
}

}  // namespace medanon::deid
