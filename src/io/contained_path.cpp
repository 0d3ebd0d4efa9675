#include "io/contained_path.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "core/errors.hpp"

namespace medanon::io {
namespace {

namespace fs = std::filesystem;

fs::path resolved(const std::string& path) {
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  if (error) return fs::path(path).lexically_normal();
  fs::path canonical = fs::weakly_canonical(absolute, error);
  return error ? absolute.lexically_normal() : canonical.lexically_normal();
}

// The root of every output of a job is the same string: resolved once per thread (a resolution
// is a getcwd and one stat and readlink per component, a tenth of `deid`'s system calls per
// file). The path under it is still resolved each time: a link planted inside the tree is found.
const fs::path& resolved_root(const std::string& root) {
  thread_local std::string last;
  thread_local fs::path last_resolved;
  if (last.empty() || last != root) {
    last_resolved = resolved(root);
    last = root;
  }
  return last_resolved;
}

}  // namespace

bool is_safe_path_component(const std::string& name) {
  return !name.empty() && name.size() <= 255 && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

std::string join_under(const std::string& root, const std::vector<std::string>& components) {
  fs::path path(root);
  for (const std::string& component : components) {
    if (!is_safe_path_component(component)) {
      // The component may come from an input: its value is never quoted (it could be PHI).
      throw InputError("refused an output name that is not a plain file or folder name (" +
                       std::to_string(component.size()) + " bytes)");
    }
    path /= component;
  }
  // Plain names under the root can only leave it through a symbolic link among the parts that
  // exist: one lstat per existing part finds that without resolving the whole path (a getcwd,
  // and a stat and readlink per component of it, for every output). A link found, or an lstat
  // failing for another reason than a missing part, and the full resolution decides.
  bool plain = true;
  fs::path prefix(root);
  for (const std::string& component : components) {
    prefix /= component;
    struct stat info {};
    if (::lstat(prefix.c_str(), &info) != 0) {
      plain = plain && errno == ENOENT;
      break;  // nothing below a missing part exists yet
    }
    if (S_ISLNK(info.st_mode)) {
      plain = false;
      break;
    }
  }
  if (!plain) require_under(root, path.string(), "an output path");
  return path.string();
}

bool lies_under(const std::string& root, const std::string& path) {
  const fs::path& outer = resolved_root(root);
  const fs::path inner = resolved(path);
  auto outer_end = outer.end();
  if (outer_end != outer.begin() && std::prev(outer_end)->empty()) --outer_end;  // "dir/" ends in ""
  const auto [mismatch, rest] = std::mismatch(outer.begin(), outer_end, inner.begin(), inner.end());
  return mismatch == outer_end && rest != inner.end();
}

void require_under(const std::string& root, const std::string& path, const std::string& what) {
  if (!lies_under(root, path)) throw InputError(what + " would lie outside its output root; refused");
}

bool remove_under(const std::string& root, const std::string& path) {
  if (!lies_under(root, path)) return false;
  std::error_code ignored;
  return fs::remove(path, ignored);
}

}  // namespace medanon::io
