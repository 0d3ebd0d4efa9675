#pragma once
// The last check before an output is written: every value of the de-identified file that can
// hold text (any VR but binary numbers and pixel data, at any depth, public, private or unknown,
// meta header included) is searched for this patient's own identifying values as they stood in
// the input: name parts, IDs, and the birth date in its usual written forms. A hit is cleaned
// where the VR allows (the match becomes "[x]"), otherwise the value or element goes; what
// cannot be cleaned quarantines the file. Only attribute names reach the report, never values.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>
#include <vector>

namespace medanon::deid {

// What to look for, in the dataset's own encoding (ASCII-compatible character sets compare
// case-insensitively; other bytes exactly).
struct PatientNeedles {
  std::vector<std::string> names;        // components of PatientName, birth names, mother's birth name (3+ chars)
  std::vector<std::string> ids;          // PatientID, other IDs, accession number, medical record locator
  std::vector<std::string> birth_dates;  // 19500312, 1950-03-12, 12/03/1950, 03/12/1950, 12.03.1950, 12 MAR 1950, ...
  std::vector<std::string> others;       // address, telephone numbers (whole values)
  bool empty() const { return names.empty() && ids.empty() && birth_dates.empty() && others.empty(); }
};

// Read from the input dataset before de-identification.
PatientNeedles patient_needles(DcmItem& original);

// Every written form of a DA birth date (yyyymmdd) the check looks for; empty when not a date.
std::vector<std::string> written_date_forms(const std::string& yyyymmdd);

// Whether `text` holds `needle` as a token: case-insensitive, and a digit (letter) match may
// not continue a run of digits (letters) on either side, so "1234" is not found in "712345".
bool contains_token(const std::string& text, const std::string& needle);

struct ResidualReport {
  int cleaned = 0;                     // values changed or removed
  std::vector<std::string> cleaned_in; // "Keyword" or "Sequence/Keyword" of each, no values
  std::vector<std::string> remaining;  // where a hit survived cleaning: the file must not be written
};

// Cleans `item` (a dataset or meta header) in place and reports where.
ResidualReport clean_residual_phi(DcmItem& item, const PatientNeedles& needles);

}  // namespace medanon::deid
