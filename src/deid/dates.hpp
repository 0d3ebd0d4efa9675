#pragma once
// Date shifting for the Retain Longitudinal Temporal Information with Modified Dates option
// (PS3.15 E.3.6): every date of a patient moves by the same number of days, so intervals
// within the patient (age at study, follow-up times) survive. Times of day are kept.

#include <optional>
#include <string>

namespace medanon::deid {

// A DA value (PS3.5 6.2 "YYYYMMDD", several values separated by '\') shifted by `days`;
// nullopt when a value is not a valid date.
std::optional<std::string> shift_date(const std::string& value, int days);

// A DT value ("YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]") with its date part shifted; the time and
// the offset are kept. A value of reduced precision is shifted as the first day of its month
// or year and keeps its precision. nullopt when malformed.
std::optional<std::string> shift_date_time(const std::string& value, int days);

}  // namespace medanon::deid
