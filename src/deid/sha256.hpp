#pragma once
// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104): the pseudonyms' only cryptography, written
// here so the build needs no crypto library; checked against the FIPS 180-4 examples and the
// RFC 4231 test vectors (tests/unit/test_deid_sha256.cpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace medanon::deid {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void update(const std::uint8_t* data, std::size_t size);
  void update(const std::string& text);
  Digest finish();  // the object must not be used after finish()

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

Digest sha256(const std::string& message);

// HMAC with a key of any length; the message is the concatenation of `message`'s bytes.
Digest hmac_sha256(const std::vector<std::uint8_t>& key, const std::string& message);

std::string to_hex(const Digest& digest);

}  // namespace medanon::deid
