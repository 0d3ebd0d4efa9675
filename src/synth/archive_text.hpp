#pragma once
// How people write a patient's name and birth date in free text, and the byte encodings a
// DICOM Specific Character Set gives them: the variants the planted-PHI archive objects carry
// (archive_objects.hpp). Names are upper-case UTF-8 as the corpus makes them.

#include <string>

namespace medanon::synth {

// GARCIA -> GARCÍA: the first vowel after the first letter gets an accent (Á É Í Ó Ü), UTF-8.
std::string accented(const std::string& upper_name);

// Case of Latin-1 letters in UTF-8 text (ASCII and U+00C0..U+00DE / U+00E0..U+00FE).
std::string lower_utf8(const std::string& text);
std::string title_utf8(const std::string& text);  // first letter upper, the rest lower

// UTF-8 text of Latin-1 characters as ISO 8859-1 bytes (ISO_IR 100). Throws InternalError
// for characters outside Latin-1.
std::string latin1_from_utf8(const std::string& text);

// yyyymmdd in other written forms.
std::string date_dmy(const std::string& yyyymmdd, char separator);  // 02/03/1950, 02.03.1950
std::string date_iso(const std::string& yyyymmdd);                  // 1950-03-02
std::string date_month_first(const std::string& yyyymmdd);          // March 2, 1950
std::string date_day_month(const std::string& yyyymmdd);            // 2 Mar 1950

}  // namespace medanon::synth
