#pragma once
// Files written by PyTorch itself (Debian's /usr/bin/python3 with python3-torch), made once per
// build tree by tests/mae/make_fixtures.py and reused by every test process (ctest runs each
// test in its own process). Tests skip when that python is not installed.

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace medanon::test {

inline bool system_python_has_torch() {
  static const bool has = std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0;
  return has;
}

// The fixture folder; empty when it could not be made.
inline std::string mae_python_fixtures() {
  namespace fs = std::filesystem;
  const fs::path source = fs::path(MEDANON_SOURCE_DIR) / "tests" / "mae";
  std::string scripts;
  for (const char* name : {"make_fixtures.py", "reference_mae.py"}) {
    std::ifstream in(source / name);
    std::stringstream text;
    text << in.rdbuf();
    scripts += text.str();
  }
  // Keyed by the scripts' contents, so editing them makes fresh fixtures.
  const fs::path dir = fs::path(MEDANON_BINARY).parent_path() / "tests" / "mae-fixtures" /
                       std::to_string(std::hash<std::string>{}(scripts));
  if (fs::exists(dir / "equivalence.pth")) return dir.string();
  const fs::path staging = dir.string() + ".tmp" + std::to_string(::getpid());
  const std::string command =
      "/usr/bin/python3 " + (source / "make_fixtures.py").string() + " " + staging.string() + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) return "";
  std::error_code error;
  fs::rename(staging, dir, error);  // another process may have won the race: fine, same bytes
  if (error) fs::remove_all(staging, error);
  return dir.string();
}

}  // namespace medanon::test
