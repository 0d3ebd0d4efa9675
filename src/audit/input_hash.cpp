#include "audit/input_hash.hpp"

#include <cstdint>
#include <vector>

#include "deid/sha256.hpp"

namespace medanon::audit {

std::string input_path_hash(const std::string& key, const std::string& path) {
  const std::vector<std::uint8_t> key_bytes(key.begin(), key.end());
  return deid::to_hex(deid::hmac_sha256(key_bytes, "path:" + path)).substr(0, 32);
}

}  // namespace medanon::audit
