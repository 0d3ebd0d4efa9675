#include "pixel/phi_matching.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

namespace medanon::pixel {
namespace {

// Keywords (last path component) whose values identify the patient or the encounter
// (PS3.15 E.1-1 attributes that can appear as burned-in text).
const std::set<std::string> kIdentifyingKeywords = {
    "PatientName",         "PatientID",          "OtherPatientIDs",       "IssuerOfPatientID",
    "PatientBirthDate",    "PatientAddress",     "PatientTelephoneNumbers", "StudyDate",
    "SeriesDate",          "AcquisitionDate",    "ContentDate",           "AccessionNumber",
    "StudyID",             "InstitutionName",    "InstitutionAddress",    "ReferringPhysicianName",
    "PerformingPhysicianName", "OperatorsName",  "StationName",           "DeviceSerialNumber",
    "RequestedProcedureID", "ScheduledProcedureStepID", "PatientBirth", "StudyDate_DICOM"};

std::string trim_punctuation(const std::string& word) {
  size_t begin = 0, end = word.size();
  while (begin < end && std::ispunct(static_cast<unsigned char>(word[begin])) && word[begin] != '#') ++begin;
  while (end > begin && std::ispunct(static_cast<unsigned char>(word[end - 1])) && word[end - 1] != '#') --end;
  return word.substr(begin, end - begin);
}

std::string digits_of(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  return digits;
}

std::vector<std::string> tokens_of(const std::string& folded) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : folded) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      current += c;
    } else if (!current.empty()) {
      tokens.push_back(current), current.clear();
    }
  }
  if (!current.empty()) tokens.push_back(current);
  return tokens;
}

// A YYYYMMDD date as the digit strings overlays print it in (DD/MM/YYYY, MM/DD/YYYY, ISO,
// compact, two-digit years).
std::vector<std::string> date_digit_forms(const std::string& date) {
  if (date.size() != 8 || digits_of(date) != date) return {};
  const std::string y = date.substr(0, 4), m = date.substr(4, 2), d = date.substr(6, 2);
  return {date, d + m + y, m + d + y, d + m + y.substr(2), m + d + y.substr(2), y.substr(2) + m + d};
}

std::string last_component(const std::string& key) {
  const size_t slash = key.rfind('/');
  return slash == std::string::npos ? key : key.substr(slash + 1);
}

bool close_enough(const std::string& word, const std::string& token) {
  if (word == token) return true;
  if (word.size() < 4 || token.size() < 4) return false;
  const int allowed = std::min(word.size(), token.size()) >= 8 ? 2 : 1;
  return std::abs(static_cast<int>(word.size()) - static_cast<int>(token.size())) <= allowed &&
         edit_distance(word, token) <= allowed;
}

std::string header_match(const std::string& word, const IdentifyingValues& values) {
  const std::string digits = digits_of(word);
  for (const auto& [key, value] : values) {
    const std::string keyword = last_component(key);
    if (!kIdentifyingKeywords.count(keyword)) continue;
    const std::string folded = fold_for_matching(value);
    for (const std::string& token : tokens_of(folded)) {
      if (close_enough(word, token)) return "matches " + keyword;
    }
    if (digits.size() >= 4) {
      const std::string value_digits = digits_of(folded);
      if (value_digits.size() >= 4 && (value_digits.find(digits) != std::string::npos || close_enough(digits, value_digits)))
        return "digits match " + keyword;
      for (const std::string& form : date_digit_forms(value_digits)) {
        if (close_enough(digits, form)) return "date matches " + keyword;
      }
    }
  }
  return {};
}

std::string generic_pattern(const std::string& word) {
  static const std::regex date(R"(\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}[-/. ]?[A-Z]{3}[-/. ]?\d{2,4})");
  static const std::regex compact_date(R"((19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]))");
  if (word.find('^') != std::string::npos) return "DICOM person-name pattern";
  if (std::regex_search(word, date) || std::regex_match(word, compact_date)) return "date pattern";
  if (digits_of(word).size() >= 5) return "long digit run";
  return {};
}

bool in_list(const std::string& word, const std::vector<std::string>& list, bool fuzzy) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& entry) {
    return word == entry || (fuzzy && entry.size() >= 5 && close_enough(word, entry));
  });
}

// A technical marker up to OCR confusions; no edit distance: MAX, PAT and KEP are names, not
// MAS, LAT and KVP misread.
bool is_marker(const std::string& word, const std::vector<std::string>& markers) {
  const std::string form = confusion_form(word);
  return !form.empty() && std::any_of(markers.begin(), markers.end(),
                                      [&](const std::string& marker) { return confusion_form(marker) == form; });
}

// One slip from a marker of eight characters or more (`SEMI-EFRECT`, `PORTABLF`): no name, ID or
// date lies that close to one, so an unsure reading of it is still the marker.
bool long_marker_slip(const std::string& word, const std::vector<std::string>& markers) {
  return word.size() >= 7 && std::any_of(markers.begin(), markers.end(), [&](const std::string& marker) {
           return marker.size() >= 8 && edit_distance(word, marker) <= 1;
         });
}

bool short_number(const std::string& word) {
  static const std::regex number(R"(\d{1,3}([.,]\d{1,2})?)");
  return std::regex_match(word, number);
}

}  // namespace

const char* to_string(WordClass word_class) {
  switch (word_class) {
    case WordClass::phi: return "phi";
    case WordClass::technical: return "technical";
    case WordClass::label: return "label";
    case WordClass::unreadable: return "unreadable";
  }
  return "unreadable";
}

std::string fold_for_matching(const std::string& utf8) {
  static const char* const kLatin1 =  // U+00C0 .. U+00FF, upper-cased
      "AAAAAAACEEEEIIII"
      "DNOOOOOxOUUUUYPS"
      "AAAAAAACEEEEIIII"
      "DNOOOOO/OUUUUYPY";
  std::string folded;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    if (byte < 0x80) {
      folded += static_cast<char>(std::toupper(byte));
    } else if (byte == 0xC2 && i + 1 < utf8.size() && static_cast<unsigned char>(utf8[i + 1]) == 0xA5) {
      folded += 'Y', ++i;  // Tesseract reads a Y or V of an overlay font as the yen sign
    } else if (byte == 0xC3 && i + 1 < utf8.size()) {
      const auto next = static_cast<unsigned char>(utf8[++i]);
      if (next >= 0x80 && next <= 0xBF) folded += kLatin1[next - 0x80];
    }
  }
  return folded;
}

std::string confusion_form(const std::string& word) {
  std::string form = trim_punctuation(fold_for_matching(word));
  for (char& c : form) {
    switch (c) {
      case 'F': c = 'P'; break;
      case 'Y': case 'U': c = 'V'; break;
      case '0': case 'Q': c = 'O'; break;
      case '1': case '|': case '!': c = 'I'; break;
      case '5': case '$': c = 'S'; break;
      case '8': c = 'B'; break;
      case '4': c = 'A'; break;
      default: break;
    }
  }
  return form;
}

long alphanumerics(const std::string& text) {
  return std::count_if(text.begin(), text.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

int edit_distance(const std::string& a, const std::string& b) {
  std::vector<int> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

bool spell_a_marker(const std::string& first, const std::string& second, const IdentifyingValues& values,
                    const PhiOptions& options, bool overlapping) {
  const std::string a = trim_punctuation(fold_for_matching(first)), b = trim_punctuation(fold_for_matching(second));
  auto marker = [&](const std::string& joined) {
    return joined.size() >= 5 && in_list(joined, options.technical_markers, false) && header_match(joined, values).empty();
  };
  if (marker(a + "-" + b)) return true;
  if (!overlapping) return false;
  // An end of `a` that `b` starts with, read twice; each word keeps a character of its own.
  const size_t shorter = std::min(a.size(), b.size());
  for (size_t shared = 1; shared < shorter; ++shared) {
    if (a.compare(a.size() - shared, shared, b, 0, shared) == 0 && marker(a + b.substr(shared))) return true;
  }
  return false;
}

WordVerdict split_marker_verdict() { return {WordClass::technical, "technical marker (read as two words at its hyphen)"}; }

std::vector<WordVerdict> classify_line(const std::vector<std::string>& words, const std::vector<float>& confidences,
                                       const IdentifyingValues& values, const PhiOptions& options) {
  std::vector<WordVerdict> verdicts(words.size());
  std::vector<bool> number(words.size(), false);
  for (size_t i = 0; i < words.size(); ++i) {
    WordVerdict& verdict = verdicts[i];
    const std::string folded = fold_for_matching(words[i]);
    const std::string word = trim_punctuation(folded);
    const float confidence = i < confidences.size() ? confidences[i] : 0.0F;
    const bool marker = is_marker(word, options.technical_markers) && header_match(word, values).empty();
    if ((marker && (word.size() >= 5 || (word.size() >= 3 && confidence >= options.min_marker_confidence) ||
                    confidence >= options.min_confidence)) ||
        (confidence >= options.min_marker_confidence && long_marker_slip(word, options.technical_markers) &&
         header_match(word, values).empty())) {
      // What the pixels say whatever Tesseract's confidence for a long marker (PORTABLE,
      // SUPINE), from a low one for a short marker (mAs, KVP): no name, ID or date reads as one
      // by chance. Unread, the fail-safe filled these on text-free radiographs. Two letters
      // (PA, FA) need full confidence: a fragment of a name reads as two letters easily.
      verdict = {WordClass::technical, in_list(word, options.technical_markers, false)
                                           ? "technical marker (spelled exactly)"
                                           : "technical marker (read with an OCR confusion)"};
    } else if (word.empty() || confidence < options.min_confidence) {
      verdict = {WordClass::unreadable, "not read with confidence: treated as PHI"};
      number[i] = confidence >= options.min_marker_confidence && short_number(word);  // a value if a marker precedes
    } else if (const std::string why = header_match(word, values); !why.empty()) {
      verdict = {WordClass::phi, why};
    } else if (const std::string pattern = generic_pattern(folded); !pattern.empty()) {
      verdict = {WordClass::phi, pattern};
    } else if (in_list(word, options.technical_markers, true)) {
      verdict = {WordClass::technical, "technical marker"};
    } else if (in_list(word, options.labels, false)) {
      verdict = {WordClass::label, "field label"};
    } else if (short_number(word)) {
      number[i] = true;
      verdict = {WordClass::phi, "number without a technical marker"};
    } else {
      verdict = {WordClass::phi, "unknown overlay word: treated as PHI"};
    }
  }
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (spell_a_marker(words[i], words[i + 1], values, options)) verdicts[i] = verdicts[i + 1] = split_marker_verdict();
  }
  // Exposure factors follow their marker: "KV 120", "mAs 2.5".
  for (size_t i = 1; i < words.size(); ++i) {
    if (number[i] && verdicts[i - 1].word_class == WordClass::technical)
      verdicts[i] = {WordClass::technical, "value of technical marker"};
  }
  return verdicts;
}

}  // namespace medanon::pixel
