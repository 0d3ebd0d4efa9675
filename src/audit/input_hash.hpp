#pragma once
// How the audit names an input without revealing it: hospital paths carry patient names, so
// the audit, the journals and the resume checks all identify an input by a keyed hash.

#include <string>

namespace medanon::audit {

// 32 hex digits of HMAC-SHA256(key, "path:" + path).
std::string input_path_hash(const std::string& key, const std::string& path);

}  // namespace medanon::audit
