#pragma once
// A folder of this test process under the temporary directory, removed with everything in it
// when the object is destroyed. Held in a function-local static, it lives until the process ends,
// so a test binary leaves nothing behind in /tmp (ctest runs each binary in its own process).

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace medanon::testing {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix)
      : path_(std::filesystem::temp_directory_path() / (prefix + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace medanon::testing
