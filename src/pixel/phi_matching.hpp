#pragma once
// Stage 5, PHI matching: is a recognised overlay word protected health information or technical
// text? Evidence, strongest first: the image's own identifying values (DICOM header, or the
// dataset's CSV row) matched with accent folding, digit extraction, date re-formatting and a
// small edit distance for OCR slips; then generic patterns (dates, long digit runs, DICOM
// "FAMILY^GIVEN" names); then the known technical markers and field labels. Anything else, and
// anything unreadable, is PHI: a missed name costs more than a redacted "PORTABLE".

#include <map>
#include <string>
#include <vector>

namespace medanon::pixel {

enum class WordClass { phi, technical, label, unreadable };
const char* to_string(WordClass word_class);

struct WordVerdict {
  WordClass word_class = WordClass::unreadable;
  std::string why;  // the evidence, e.g. "matches PatientName", "date pattern"
  bool is_phi() const { return word_class == WordClass::phi || word_class == WordClass::unreadable; }
};

struct PhiOptions {
  float min_confidence = 55;  // Tesseract word confidence below which a reading is not trusted
  // A reading that is a technical marker of >= 3 letters (up to OCR confusions: KVF, K¥P for KVP),
  // or a short number right after one, is trusted from this confidence on: Tesseract gives an
  // exactly read `mAs` or `KVP` 28-53 on thin anti-aliased fonts, and unread they were filled.
  float min_marker_confidence = 25;
  std::vector<std::string> technical_markers = {"L",      "R",      "PA",     "AP",     "LAT",   "LATERAL", "KV",
                                                "KVP",    "MA",     "MAS",    "PORTABLE", "PORT", "SUPINE", "ERECT",
                                                "SEMI-ERECT", "UPRIGHT", "DECUBITUS", "PRONE", "INSP", "EXP"};
  std::vector<std::string> labels = {"NAME",  "PATIENT", "PT", "ID",   "MRN",   "PID",       "NHC",
                                     "DOB",   "F.NAC",   "BORN", "DATE", "STUDY", "FECHA",    "ACC",
                                     "ACC#",  "ACCESSION", "SEX", "AGE"};
};

// The identifying values of one image, keyword -> value (DICOM keywords, nested ones as
// "Sequence/Keyword"); only identifying keywords are used, so "PA" in ViewPosition never makes
// the marker "PA" PHI.
using IdentifyingValues = std::map<std::string, std::string>;

// Verdicts for the words of one overlay line, in order. `confidences` are Tesseract's (0..100);
// short numbers count as technical only next to a technical marker ("KV 120", "mAs 2.5").
std::vector<WordVerdict> classify_line(const std::vector<std::string>& words, const std::vector<float>& confidences,
                                       const IdentifyingValues& values, const PhiOptions& options = {});

// Whether two words read side by side spell a hyphenated technical marker (`SEMI` `"ERECT`:
// Tesseract dropped the hyphen or read it as a quote); classify_line makes both technical, with
// split_marker_verdict(), and so does the pipeline for words the detectors put in two lines.
// With `overlapping` (two readings of one stretch that overlap on the image), the end of the
// first may be the start of the second too (`SEMI-E` `-ERECT`).
bool spell_a_marker(const std::string& first, const std::string& second, const IdentifyingValues& values,
                    const PhiOptions& options = {}, bool overlapping = false);
WordVerdict split_marker_verdict();

// Upper case, Latin-1 accents folded to ASCII (MUÑOZ -> MUNOZ, as overlays print them), other
// non-ASCII dropped. Exposed for tests.
std::string fold_for_matching(const std::string& utf8);

// The word with each glyph Tesseract confuses on overlay fonts replaced by one representative
// (F -> P, Y and U -> V, 0 and Q -> O, 1 | ! -> I, 5 $ -> S, 8 -> B, 4 -> A), after folding and
// trimming; a marker matches a reading when their confusion forms are equal. Exposed for tests.
std::string confusion_form(const std::string& word);

// The letters and digits in a reading (ASCII): how long a word it is, punctuation and OCR specks
// aside.
long alphanumerics(const std::string& text);

// Levenshtein distance.
int edit_distance(const std::string& a, const std::string& b);

}  // namespace medanon::pixel
