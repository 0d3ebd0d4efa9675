#include "deid/pseudonyms.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "core/errors.hpp"
#include "deid/sha256.hpp"

namespace medanon::deid {
namespace {

// Decimal digits of a 128-bit number given as 16 big-endian bytes (long division by 10).
std::string decimal_of_128_bits(const Digest& digest) {
  std::array<std::uint8_t, 16> number{};
  std::copy(digest.begin(), digest.begin() + 16, number.begin());
  std::string digits;
  bool nonzero = true;
  while (nonzero) {
    unsigned remainder = 0;
    nonzero = false;
    for (std::uint8_t& byte : number) {
      const unsigned current = (remainder << 8) | byte;
      byte = static_cast<std::uint8_t>(current / 10);
      remainder = current % 10;
      nonzero = nonzero || byte != 0;
    }
    digits.insert(digits.begin(), static_cast<char>('0' + remainder));
  }
  return digits;
}

std::uint64_t first_64_bits(const Digest& digest) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | digest[i];
  return value;
}

}  // namespace

bool is_valid_uid(const std::string& uid) {
  if (uid.empty() || uid.size() > 64 || uid.front() == '.' || uid.back() == '.') return false;
  for (size_t i = 0; i < uid.size(); ++i) {
    const char c = uid[i];
    if (c == '.' ? uid[i + 1] == '.' : (c < '0' || c > '9')) return false;
  }
  return true;
}

bool is_well_known_uid(const std::string& uid) {
  return uid.rfind("1.2.840.10008.", 0) == 0 && is_valid_uid(uid) && dcmFindNameOfUID(uid.c_str(), nullptr) != nullptr;
}

ProjectKey ProjectKey::from_file(const std::string& path, bool insecure) {
  struct stat info {};
  if (path.empty()) throw UsageError("no project key file given (--key FILE)", Scope::all_ranks);
  if (::stat(path.c_str(), &info) != 0) {
    throw UsageError("project key file " + path + " does not exist (create one: head -c 32 /dev/urandom > " + path +
                         " && chmod 600 " + path + ")",
                     Scope::all_ranks);
  }
  // Anyone who can read the key can re-identify by hashing candidate IDs and UIDs.
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0 && !insecure) {
    throw UsageError("project key file " + path + " is accessible to group or others (chmod 600 " + path +
                         ", or --insecure-key for demos)",
                     Scope::all_ranks);
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw UsageError("cannot read project key file " + path, Scope::all_ranks);
  if (bytes.size() < kMinimumKeyBytes) {
    throw UsageError("project key file " + path + " holds " + std::to_string(bytes.size()) + " bytes; at least " +
                         std::to_string(kMinimumKeyBytes) + " are needed",
                     Scope::all_ranks);
  }
  return ProjectKey(std::move(bytes));
}

ProjectKey ProjectKey::from_bytes(std::vector<std::uint8_t> bytes) { return ProjectKey(std::move(bytes)); }

ProjectKey ProjectKey::for_job(const std::string& path, bool insecure) {
  if (path.empty() && insecure) return from_bytes(std::vector<std::uint8_t>(32, 0x5A));
  return from_file(path, insecure);
}

std::string ProjectKey::fingerprint() const {
  return to_hex(hmac_sha256(bytes_, "medanon key fingerprint")).substr(0, 16);
}

std::string Pseudonymizer::uid(const std::string& original) const {
  if (is_well_known_uid(original)) return original;
  return "2.25." + decimal_of_128_bits(hmac_sha256(key_.bytes(), "uid:" + original));
}

std::string Pseudonymizer::patient_id(const std::string& original) const {
  static const char* alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // no I, O, 0, 1: read aloud safely
  std::uint64_t bits = first_64_bits(hmac_sha256(key_.bytes(), "patient:" + original));
  std::string id = "PX";
  for (int i = 0; i < 12; ++i) {
    id += alphabet[bits & 31];
    bits >>= 5;
  }
  return id;
}

int Pseudonymizer::date_shift_days(const std::string& original_patient_id) const {
  const std::uint64_t bits = first_64_bits(hmac_sha256(key_.bytes(), "date-shift:" + original_patient_id));
  return -static_cast<int>(1 + bits % 3652);
}

}  // namespace medanon::deid
