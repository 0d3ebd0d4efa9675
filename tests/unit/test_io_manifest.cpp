// The manifest: PadChest CSV (RFC 4180 as pandas writes it), folder trees and file lists give a
// deterministic item order; unsafe names, symlinks and non-images never become items; the
// broadcast form round-trips, identifying values included.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"
#include "io/csv.hpp"
#include "io/manifest.hpp"

namespace medanon::io {
namespace {

namespace fs = std::filesystem;

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("medanon-manifest-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const fs::path& path, const std::string& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
  }
  fs::path root_;
};

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + "rest";

TEST(Csv, ReadsQuotedCommasQuotesAndNewlines) {
  std::istringstream in("a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,x\n");
  std::vector<std::string> fields;
  ASSERT_TRUE(read_csv_record(in, fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"a", "b,c", "say \"hi\"", "two\nlines"}));
  ASSERT_TRUE(read_csv_record(in, fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"last", "", "x"}));
  EXPECT_FALSE(read_csv_record(in, fields));
}

TEST(Csv, RefusesAnUnterminatedQuote) {
  std::istringstream in("a,\"never closed\n");
  std::vector<std::string> fields;
  EXPECT_THROW(read_csv_record(in, fields), InputError);
}

TEST_F(ManifestTest, PadChestRowsAreSortedAndCarryTheirIdentifyingColumns) {
  write(root_ / "labels.csv",
        "ImageID,ImageDir,StudyDate_DICOM,StudyID,PatientID,PatientBirth,Labels\n"
        "b.png,1,20140120,S2,P2,1933.0,\"['normal', 'pacemaker']\"\n"
        "a.png,1,20150301,S1,P1,,\"['normal']\"\n");
  const Manifest m = manifest_from_padchest((root_ / "labels.csv").string(), root_.string());
  ASSERT_EQ(m.items.size(), 2u);
  EXPECT_EQ(m.source, "padchest");
  EXPECT_EQ(m.items[0].padchest_id, "a.png");
  EXPECT_EQ(m.items[0].path, (root_ / "1" / "a.png").string());
  EXPECT_EQ(m.items[0].identifying.at("PatientID"), "P1");
  EXPECT_EQ(m.items[0].identifying.count("PatientBirth"), 0u);  // empty cells are not values
  EXPECT_EQ(m.items[1].identifying.at("StudyDate_DICOM"), "20140120");
  EXPECT_EQ(m.items[1].identifying.at("PatientBirth"), "1933.0");

  const Manifest back = deserialize_manifest(serialize(m));
  ASSERT_EQ(back.items.size(), 2u);
  EXPECT_EQ(back.items[1].identifying, m.items[1].identifying);
  EXPECT_EQ(back.items[1].path, m.items[1].path);
}

TEST_F(ManifestTest, PadChestNamesThatLeaveTheRootAreRefused) {
  write(root_ / "labels.csv", "ImageID,ImageDir\nx.png,..\n");
  EXPECT_THROW(manifest_from_padchest((root_ / "labels.csv").string(), root_.string()), InputError);
  write(root_ / "labels.csv", "ImageID,ImageDir\n../../etc/passwd,1\n");
  EXPECT_THROW(manifest_from_padchest((root_ / "labels.csv").string(), root_.string()), InputError);
  write(root_ / "labels.csv", "ImageDir,Other\n1,2\n");
  EXPECT_THROW(manifest_from_padchest((root_ / "labels.csv").string(), root_.string()), InputError);
}

TEST_F(ManifestTest, TreesFollowNoLinkAndSkipWhatIsNotAnImage) {
  write(root_ / "in" / "b" / "scan.png", kPng);
  write(root_ / "in" / "a" / "notes.txt", "patient notes");
  write(root_ / "in" / "DICOMDIR", std::string(128, '\0') + "DICM");
  write(root_ / "in" / "a" / "image", std::string(128, '\0') + "DICM" + "rest");  // no extension, DICOM by content
  write(root_ / "outside" / "secret.png", kPng);
  fs::create_directory_symlink(root_ / "outside", root_ / "in" / "link-to-outside");
  fs::create_directory_symlink(root_ / "in", root_ / "in" / "b" / "loop");
  const Manifest m = manifest_from_tree((root_ / "in").string());
  ASSERT_EQ(m.items.size(), 2u);
  EXPECT_EQ(m.items[0].path, (root_ / "in" / "a" / "image").string());
  EXPECT_EQ(m.items[0].kind, InputKind::dicom);
  EXPECT_EQ(m.items[1].path, (root_ / "in" / "b" / "scan.png").string());
  EXPECT_EQ(m.items[1].kind, InputKind::png);
}

TEST_F(ManifestTest, ListsKeepTheirOrderAndResolveRelativePaths) {
  write(root_ / "z.png", kPng);
  write(root_ / "list.txt", "# inputs\nz.png\n\n" + (root_ / "y.dcm").string() + "\r\n");
  const Manifest m = manifest_from_list((root_ / "list.txt").string());
  ASSERT_EQ(m.items.size(), 2u);
  EXPECT_EQ(m.items[0].path, (root_ / "z.png").string());
  EXPECT_EQ(m.items[1].path, (root_ / "y.dcm").string());
  EXPECT_EQ(m.items[1].kind, InputKind::dicom);  // missing file: classified by its extension
}

}  // namespace
}  // namespace medanon::io
