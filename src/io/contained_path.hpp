#pragma once
// Output paths that cannot leave their root. Every path medanon writes or deletes under --out is
// built from values medanon generated (pseudonyms, keyed hashes, PadChest's own names) and is
// checked here before use: a value read from an input (a UID "1.2.840.10008.1/../../x") must
// never steer a write or a deletion outside the output root (docs/security.md).

#include <string>
#include <vector>

namespace medanon::io {

// One folder or file name: non-empty, at most 255 bytes, not "." or "..", no '/' and no NUL.
bool is_safe_path_component(const std::string& name);

// `root`/c1/c2/...; throws InputError when a component is unsafe or the result does not lie
// under `root`.
std::string join_under(const std::string& root, const std::vector<std::string>& components);

// True when `path` lies strictly under `root` after making both absolute, normalising ".." and
// resolving symbolic links of the parts that exist (a linked folder inside root that points
// elsewhere is outside).
bool lies_under(const std::string& root, const std::string& path);

// Throws InputError ("<what> would lie outside <its root>") unless lies_under(root, path).
void require_under(const std::string& root, const std::string& path, const std::string& what);

// Removes `path` (a file) only when it lies under `root`; returns whether a file was removed.
bool remove_under(const std::string& root, const std::string& path);

}  // namespace medanon::io
