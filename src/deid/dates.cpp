#include "deid/dates.hpp"

#include <cstdint>
#include <sstream>
#include <vector>

namespace medanon::deid {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's civil-date
// algorithms, exact for all years used here).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& year, unsigned& month, unsigned& day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned day_of_era = static_cast<unsigned>(z - era * 146097);
  const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  day = day_of_year - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);
}

bool all_digits(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

std::string two_digits(unsigned value) { return std::string(1, char('0' + value / 10)) + char('0' + value % 10); }

// "YYYYMMDD" (the first `precision` characters of it: 4, 6 or 8) shifted; nullopt if invalid.
std::optional<std::string> shift_ymd(const std::string& text, int days) {
  const std::size_t precision = text.size();
  if ((precision != 4 && precision != 6 && precision != 8) || !all_digits(text)) return std::nullopt;
  const std::int64_t year = std::stoll(text.substr(0, 4));
  const unsigned month = precision >= 6 ? static_cast<unsigned>(std::stoul(text.substr(4, 2))) : 1;
  const unsigned day = precision == 8 ? static_cast<unsigned>(std::stoul(text.substr(6, 2))) : 1;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  std::int64_t shifted_year = 0;
  unsigned shifted_month = 0;
  unsigned shifted_day = 0;
  civil_from_days(days_from_civil(year, month, day) + days, shifted_year, shifted_month, shifted_day);
  if (shifted_year < 0 || shifted_year > 9999) return std::nullopt;
  std::string year_text = std::to_string(shifted_year);
  while (year_text.size() < 4) year_text.insert(year_text.begin(), '0');
  std::string result = year_text + two_digits(shifted_month) + two_digits(shifted_day);
  return result.substr(0, precision);
}

std::vector<std::string> split_values(const std::string& value) {
  std::vector<std::string> parts;
  std::stringstream stream(value);
  std::string part;
  while (std::getline(stream, part, '\\')) parts.push_back(part);
  if (!value.empty() && value.back() == '\\') parts.emplace_back();
  return parts;
}

std::string join_values(const std::vector<std::string>& parts) {
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) joined += (i ? "\\" : "") + parts[i];
  return joined;
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

}  // namespace

std::optional<std::string> shift_date(const std::string& value, int days) {
  std::vector<std::string> parts = split_values(value);
  for (std::string& part : parts) {
    part = trimmed(part);
    if (part.empty()) continue;
    if (part.size() != 8) return std::nullopt;
    const std::optional<std::string> shifted = shift_ymd(part, days);
    if (!shifted) return std::nullopt;
    part = *shifted;
  }
  return join_values(parts);
}

std::optional<std::string> shift_date_time(const std::string& value, int days) {
  std::vector<std::string> parts = split_values(value);
  for (std::string& part : parts) {
    part = trimmed(part);
    if (part.empty()) continue;
    std::size_t date_digits = 0;
    while (date_digits < part.size() && date_digits < 8 && part[date_digits] >= '0' && part[date_digits] <= '9') {
      ++date_digits;
    }
    if (date_digits < 8 && date_digits != 4 && date_digits != 6) return std::nullopt;
    const std::optional<std::string> shifted = shift_ymd(part.substr(0, date_digits), days);
    if (!shifted) return std::nullopt;
    part = *shifted + part.substr(date_digits);
  }
  return join_values(parts);
}

}  // namespace medanon::deid
