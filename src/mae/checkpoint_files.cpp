#include "mae/checkpoint_files.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <vector>

namespace medanon::mae {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> checkpoints_oldest_first(const std::string& out) {
  static const std::regex name(R"(checkpoint-\d{8,}\.pth)");
  std::vector<fs::path> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(out, error)) {
    if (entry.is_regular_file() && std::regex_match(entry.path().filename().string(), name)) found.push_back(entry.path());
  }
  // Same width up to 10^8 steps; beyond that the longer name is the later one.
  std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
    const auto x = a.filename().string(), y = b.filename().string();
    return x.size() != y.size() ? x.size() < y.size() : x < y;
  });
  return found;
}

}  // namespace

std::string checkpoint_path(const std::string& out, std::int64_t iteration) {
  char name[64];
  std::snprintf(name, sizeof name, "checkpoint-%08lld.pth", static_cast<long long>(iteration));
  return (fs::path(out) / name).string();
}

std::string latest_checkpoint(const std::string& out) {
  const auto found = checkpoints_oldest_first(out);
  return found.empty() ? std::string() : found.back().string();
}

void remove_old_checkpoints(const std::string& out, int keep) {
  auto found = checkpoints_oldest_first(out);
  const std::size_t kept = static_cast<std::size_t>(std::max(1, keep));
  for (std::size_t i = 0; i + kept < found.size(); ++i) {
    std::error_code ignored;  // a file another run already removed is fine
    fs::remove(found[i], ignored);
  }
}

}  // namespace medanon::mae
