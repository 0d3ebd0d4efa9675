#pragma once
// A small synthetic corpus shared by the de-identification tests (generated once per test
// binary run), a test key, and a FileDeidentifier over the shipped tables.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "deid/file_deidentifier.hpp"
#include "tests/unit/test_corpus.hpp"

namespace medanon::deid::testing {

namespace fs = std::filesystem;

// 24 images, 18 in the DICOM archive: the first eight cover every transfer syntax, and
// patients have several studies, series and instances.
inline const fs::path& deid_corpus() {
  static const medanon::testing::TemporaryCorpus corpus("deid_corpus", 24, 7, 128, 0.75);
  return corpus.dir;
}

inline nlohmann::json deid_ground_truth() {
  std::ifstream in(deid_corpus() / "ground_truth.json");
  return nlohmann::json::parse(in);
}

inline std::vector<nlohmann::json> dicom_images() {
  std::vector<nlohmann::json> images;
  const nlohmann::json truth = deid_ground_truth();  // kept alive: the loop runs over a part of it
  for (const auto& image : truth["images"]) {
    if (image["layout"] == "dicom") images.push_back(image);
  }
  return images;
}

inline DeidConfig shipped_config() {
  DeidConfig config;
  config.profile_table = std::string(MEDANON_SOURCE_DIR) + "/configs/deid/ps3.15-table-e1-1.tsv";
  config.iod_types = std::string(MEDANON_SOURCE_DIR) + "/configs/deid/iod-types.tsv";
  return config;
}

inline ProjectKey test_key() { return ProjectKey::from_bytes(std::vector<std::uint8_t>(32, 0x5a)); }

// A folder of the running test's own, removed when the test ends.
class TestFolder {
 public:
  TestFolder() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("medanon_deid_" + std::to_string(::getpid()) + "_" + test->test_suite_name() + "_" + test->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TestFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TestFolder(const TestFolder&) = delete;
  TestFolder& operator=(const TestFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace medanon::deid::testing
