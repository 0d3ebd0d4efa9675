#pragma once
// Pseudonyms that need no coordination between ranks or runs: every replacement value is a
// keyed hash (HMAC-SHA256) of the original, so the same key and the same input give the same
// output anywhere, and without the key the originals cannot be recovered or confirmed.

#include <cstdint>
#include <string>
#include <vector>

namespace medanon::deid {

// The project's secret key, read from a file. Refuses a missing, short, or group/world-readable
// file (UsageError, all ranks) unless `insecure` (demos). The key bytes are never logged; the
// fingerprint identifies the key in audits and effective configurations.
class ProjectKey {
 public:
  static ProjectKey from_file(const std::string& path, bool insecure);
  static ProjectKey from_bytes(std::vector<std::uint8_t> bytes);  // tests
  // What jobs use: the key file, or with `insecure` and no file the fixed, publicly known demo
  // key (so demos and their evaluations agree without a key file).
  static ProjectKey for_job(const std::string& path, bool insecure);

  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  // 16 hex digits of HMAC(key, "medanon key fingerprint"): names the key, reveals nothing.
  std::string fingerprint() const;

 private:
  explicit ProjectKey(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  std::vector<std::uint8_t> bytes_;
};

inline constexpr std::size_t kMinimumKeyBytes = 16;

// PS3.5 9.1: 1 to 64 characters of digits and '.', no empty component ("1..2", ".1", "1.").
bool is_valid_uid(const std::string& uid);

// A UID the DICOM standard itself defines (PS3.6 Annex A: SOP classes, transfer syntaxes,
// well-known frames of reference...) and that DCMTK's dictionary names: exactly, not by prefix.
// "1.2.840.10008.1/../x" or "1.2.840.10008.999.<patient number>" are not well known.
bool is_well_known_uid(const std::string& uid);

class Pseudonymizer {
 public:
  explicit Pseudonymizer(ProjectKey key) : key_(std::move(key)) {}

  // "2.25.<decimal of the first 128 bits of HMAC(key, "uid:" + uid)>" (PS3.5 B.2: a UUID-derived
  // UID under 2.25; at most 44 characters). Only exact well-known UIDs (is_well_known_uid) are
  // returned unchanged: they name standard things (classes, transfer syntaxes), never a patient.
  // Anything else, malformed values included, is hashed, so the result is always a valid UID.
  std::string uid(const std::string& original) const;

  // "PX" + 12 base-32 characters (60 bits) of HMAC(key, "patient:" + id): fits SH/LO (16
  // characters), safe in file names.
  std::string patient_id(const std::string& original) const;

  // Days every date of this patient moves by (PS3.15 E.3.6, modified dates): between 1 and
  // 3652 days into the past, from HMAC(key, "date-shift:" + patient id).
  int date_shift_days(const std::string& original_patient_id) const;

  const ProjectKey& key() const { return key_; }

 private:
  ProjectKey key_;
};

}  // namespace medanon::deid
