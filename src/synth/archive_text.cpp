#include "synth/archive_text.hpp"

#include <array>

#include "core/errors.hpp"

namespace medanon::synth {
namespace {

constexpr unsigned char kLatin1Lead = 0xC3;  // UTF-8 lead byte of U+00C0..U+00FF

bool is_c3_upper(unsigned char next) { return next >= 0x80 && next <= 0x9E && next != 0x97; }  // not ×
bool is_c3_lower(unsigned char next) { return next >= 0xA0 && next <= 0xBE && next != 0xB7; }  // not ÷

const std::array<const char*, 12> kMonths = {"January", "February", "March",     "April",   "May",      "June",
                                             "July",    "August",   "September", "October", "November", "December"};

int month_of(const std::string& yyyymmdd) {
  if (yyyymmdd.size() != 8) throw InternalError("not a yyyymmdd date");
  return std::stoi(yyyymmdd.substr(4, 2));
}

std::string day_without_zero(const std::string& yyyymmdd) { return std::to_string(std::stoi(yyyymmdd.substr(6, 2))); }

}  // namespace

std::string accented(const std::string& upper_name) {
  // Á É Í Ó Ü as the second UTF-8 byte after 0xC3.
  static const std::string vowels = "AEIOU";
  static const unsigned char accents[] = {0x81, 0x89, 0x8D, 0x93, 0x9C};
  for (size_t i = 1; i < upper_name.size(); ++i) {
    const size_t which = vowels.find(upper_name[i]);
    if (which == std::string::npos) continue;
    return upper_name.substr(0, i) + static_cast<char>(kLatin1Lead) + static_cast<char>(accents[which]) +
           upper_name.substr(i + 1);
  }
  return upper_name;  // no vowel after the first letter (rare): stays ASCII
}

std::string lower_utf8(const std::string& text) {
  std::string out = text;
  for (size_t i = 0; i < out.size(); ++i) {
    const auto byte = static_cast<unsigned char>(out[i]);
    if (byte >= 'A' && byte <= 'Z') {
      out[i] = static_cast<char>(byte + 32);
    } else if (byte == kLatin1Lead && i + 1 < out.size() && is_c3_upper(static_cast<unsigned char>(out[i + 1]))) {
      out[i + 1] = static_cast<char>(static_cast<unsigned char>(out[i + 1]) + 0x20);
      ++i;
    }
  }
  return out;
}

std::string title_utf8(const std::string& text) {
  std::string out = lower_utf8(text);
  if (out.empty()) return out;
  const auto first = static_cast<unsigned char>(out[0]);
  if (first >= 'a' && first <= 'z') {
    out[0] = static_cast<char>(first - 32);
  } else if (first == kLatin1Lead && out.size() > 1 && is_c3_lower(static_cast<unsigned char>(out[1]))) {
    out[1] = static_cast<char>(static_cast<unsigned char>(out[1]) - 0x20);
  }
  return out;
}

std::string latin1_from_utf8(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      out.push_back(static_cast<char>(byte));
    } else if ((byte == 0xC2 || byte == 0xC3) && i + 1 < text.size()) {
      // U+0080..U+00FF: two bytes 110000xx 10xxxxxx.
      out.push_back(static_cast<char>(((byte & 0x03) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F)));
      ++i;
    } else {
      throw InternalError("a character outside ISO 8859-1 in a synthetic name");
    }
  }
  return out;
}

std::string date_dmy(const std::string& yyyymmdd, char separator) {
  const std::string s(1, separator);
  return yyyymmdd.substr(6, 2) + s + yyyymmdd.substr(4, 2) + s + yyyymmdd.substr(0, 4);
}

std::string date_iso(const std::string& yyyymmdd) {
  return yyyymmdd.substr(0, 4) + "-" + yyyymmdd.substr(4, 2) + "-" + yyyymmdd.substr(6, 2);
}

std::string date_month_first(const std::string& yyyymmdd) {
  return std::string(kMonths.at(static_cast<size_t>(month_of(yyyymmdd) - 1))) + " " + day_without_zero(yyyymmdd) +
         ", " + yyyymmdd.substr(0, 4);
}

std::string date_day_month(const std::string& yyyymmdd) {
  return day_without_zero(yyyymmdd) + " " +
         std::string(kMonths.at(static_cast<size_t>(month_of(yyyymmdd) - 1))).substr(0, 3) + " " +
         yyyymmdd.substr(0, 4);
}

}  // namespace medanon::synth
