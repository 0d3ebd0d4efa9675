// The rules behind issue #16, one by one, on inputs built here (the shell tests in this folder
// run the same attacks through the real binary): UID validity and the exact well-known list,
// paths that stay under their root, the pre-parse walk, header sizes, UN values, free text in
// kept sequences, the journal's claim/retry verdicts and the run identity.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcvrobow.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "deid/dataset_deidentifier.hpp"
#include "input/dicom_preflight.hpp"
#include "deid/pseudonyms.hpp"
#include "io/atomic_file.hpp"
#include "io/contained_path.hpp"
#include "io/image_header.hpp"
#include "io/manifest.hpp"
#include "audit/input_hash.hpp"
#include "audit/resume_state.hpp"

namespace medanon {
namespace {

namespace fs = std::filesystem;

struct Scratch {
  fs::path path = fs::temp_directory_path() / ("medanon-security-" + std::to_string(::getpid()) + "-" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  Scratch() { fs::create_directories(path); }
  ~Scratch() { fs::remove_all(path); }
};

TEST(Uids, OnlyDigitsAndDotsWithoutEmptyComponentsAreValid) {
  EXPECT_TRUE(deid::is_valid_uid("1.2.840.10008.1.2.1"));
  EXPECT_TRUE(deid::is_valid_uid("2.25.123"));
  for (const char* bad : {"", ".1", "1.", "1..2", "1.2/../3", "1.2.a", "1 .2"})
    EXPECT_FALSE(deid::is_valid_uid(bad)) << bad;
  EXPECT_FALSE(deid::is_valid_uid(std::string(65, '1')));
}

TEST(Uids, OnlyExactWellKnownUidsSurviveEverythingElseIsHashed) {
  const deid::Pseudonymizer pseudonyms(deid::ProjectKey::from_bytes(std::vector<std::uint8_t>(32, 7)));
  EXPECT_EQ(pseudonyms.uid("1.2.840.10008.1.2.1"), "1.2.840.10008.1.2.1");              // a transfer syntax
  EXPECT_EQ(pseudonyms.uid("1.2.840.10008.5.1.4.1.1.7"), "1.2.840.10008.5.1.4.1.1.7");  // a SOP class
  for (const char* hostile : {"1.2.840.10008.1/../../../ESCAPED", "1.2.840.10008.999.123456", "1.2.840.10008."}) {
    const std::string replaced = pseudonyms.uid(hostile);
    EXPECT_EQ(replaced.rfind("2.25.", 0), 0U) << hostile;
    EXPECT_TRUE(deid::is_valid_uid(replaced)) << replaced;
  }
}

TEST(ContainedPaths, NamesThatWalkOutAreRefusedAndLinksOutsideCount) {
  Scratch scratch;
  const std::string root = (scratch.path / "out").string();
  fs::create_directories(root);
  EXPECT_NO_THROW(io::join_under(root, {"PX", "2.25.1", "a.dcm"}));
  for (const char* bad : {"..", ".", "", "a/../../b", "x/y"}) {
    EXPECT_THROW(io::join_under(root, {"PX", bad}), InputError) << bad;
  }
  EXPECT_FALSE(io::lies_under(root, root + "/../elsewhere"));
  EXPECT_FALSE(io::lies_under(root, root));
  fs::create_directories(scratch.path / "outside");
  fs::create_directory_symlink(scratch.path / "outside", fs::path(root) / "link");
  EXPECT_FALSE(io::lies_under(root, root + "/link/file"));
  // join_under checks the parts that exist with lstat only: a link among them is still refused,
  // while plain folders and parts not yet made pass.
  EXPECT_THROW(io::join_under(root, {"link", "file"}), InputError);
  fs::create_directories(fs::path(root) / "PX" / "2.25.1");
  EXPECT_EQ(io::join_under(root, {"PX", "2.25.1", "2.25.2", "a.dcm"}), root + "/PX/2.25.1/2.25.2/a.dcm");
  fs::create_directory_symlink(scratch.path / "outside", fs::path(root) / "PX" / "2.25.1" / "deep");
  EXPECT_THROW(io::join_under(root, {"PX", "2.25.1", "deep", "a.dcm"}), InputError);
  std::ofstream(scratch.path / "outside" / "victim") << "x";
  EXPECT_FALSE(io::remove_under(root, root + "/../outside/victim"));
  EXPECT_TRUE(fs::exists(scratch.path / "outside" / "victim"));
}

TEST(TemporaryFiles, OnlyMedanonsOwnSuffixIsTemporary) {
  EXPECT_TRUE(io::is_temporary_path(io::temporary_path_for("images/0/a.png")));
  EXPECT_FALSE(io::is_temporary_path("images/0/study.tmp.42.png"));
  EXPECT_FALSE(io::is_temporary_path("images/0/a.png.tmp.42"));
  EXPECT_FALSE(io::is_temporary_path("a.png.medanon-tmp.12x"));
}

// Sequences nested `depth` deep, each with a defined length (the walk must follow lengths, not
// only delimiters), in explicit VR little endian with a meta header.
std::string nested_file(const fs::path& folder, int depth) {
  std::string body;
  for (int i = 0; i < depth; ++i) {
    std::string item = std::string("\xfe\xff\x00\xe0", 4) + std::string(4, '\0');
    const std::uint32_t item_length = static_cast<std::uint32_t>(body.size());
    std::memcpy(item.data() + 4, &item_length, 4);
    item += body;
    std::string sequence = std::string("\x40\x00\x30\xa7", 4) + "SQ" + std::string(2, '\0') + std::string(4, '\0');
    const std::uint32_t sequence_length = static_cast<std::uint32_t>(item.size());
    std::memcpy(sequence.data() + 8, &sequence_length, 4);
    body = sequence + item;
  }
  const std::string syntax = "1.2.840.10008.1.2.1";
  std::string meta = std::string("\x02\x00\x10\x00", 4) + "UI" + std::string(1, char(syntax.size() + 1)) +
                     std::string(1, '\0') + syntax + std::string(1, '\0');
  const fs::path path = folder / ("nested-" + std::to_string(depth) + ".dcm");
  std::ofstream(path, std::ios::binary) << std::string(128, '\0') << "DICM" << meta << body;
  return path.string();
}

// The preflight over a file's bytes, as load_dicom runs it.
std::string preflight(const std::string& path, const input::PreflightLimits& limits = {}) {
  const std::vector<std::uint8_t> bytes = io::read_bytes(path);
  return input::dicom_preflight_problem(bytes.data(), bytes.size(), limits);
}

TEST(Preflight, NestingBeyondTheLimitIsRefusedBeforeDcmtkReadsIt) {
  Scratch scratch;
  EXPECT_EQ(preflight(nested_file(scratch.path, 10)), "");
  EXPECT_NE(preflight(nested_file(scratch.path, 65)).find("nested deeper"), std::string::npos);
}

TEST(Preflight, ImagesLargerThanTheLimitAreRefusedFromTheirHeader) {
  Scratch scratch;
  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  dataset.putAndInsertUint16(DCM_Rows, 20000);
  dataset.putAndInsertUint16(DCM_Columns, 20000);
  dataset.putAndInsertString(DCM_NumberOfFrames, "3");
  const Uint8 pixels[2] = {0, 0};
  dataset.putAndInsertUint8Array(DCM_PixelData, pixels, 2);
  const std::string path = (scratch.path / "big.dcm").string();
  ASSERT_TRUE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
  EXPECT_NE(preflight(path, {64, 100000000}).find("too large"), std::string::npos);
  EXPECT_EQ(preflight(path, {64, 2000000000}), "");
}

TEST(ImageHeaders, PngJpegAndBmpSizesAreReadWithoutDecoding) {
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G',  '\r', '\n', 0x1a, '\n', 0,    0, 0, 13, 'I', 'H', 'D',
                                   'R',  0,   0,   0x4e, 0x20, 0,    0,    0x4e, 0x20, 1, 0, 0,  0,   0};
  ASSERT_TRUE(io::image_dimensions(png));
  EXPECT_EQ(io::image_dimensions(png)->width, 20000);
  EXPECT_THROW(io::decode_image_bytes(png, -1), InputError);
  const std::vector<std::uint8_t> jpeg = {0xff, 0xd8, 0xff, 0xe0, 0,    4,    0, 0, 0xff, 0xc0, 0,
                                          11,   8,    0x01, 0x00, 0x02, 0x00, 1, 1, 0x11, 0};
  ASSERT_TRUE(io::image_dimensions(jpeg));
  EXPECT_EQ(io::image_dimensions(jpeg)->height, 256);
  EXPECT_EQ(io::image_dimensions(jpeg)->width, 512);
  EXPECT_FALSE(io::image_dimensions({'n', 'o', 'p', 'e'}));
}

TEST(Manifest, FileNamesThatAreNotUtf8TravelUnchanged) {
  io::Manifest manifest;
  manifest.source = "tree";
  manifest.root = "/data";
  manifest.items.push_back({"/data/M\xfcller_\xe9.png", io::InputKind::png, "", "", {{"PatientID", "\xff\xfe"}}});
  const io::Manifest back = io::deserialize_manifest(io::serialize(manifest));
  ASSERT_EQ(back.items.size(), 1U);
  EXPECT_EQ(back.items[0].path, manifest.items[0].path);
  EXPECT_EQ(back.items[0].identifying.at("PatientID"), "\xff\xfe");
}

class DatasetRules : public ::testing::Test {
 protected:
  const std::string table_path = std::string(MEDANON_SOURCE_DIR) + "/configs/deid/ps3.15-table-e1-1.tsv";
  const std::string types_path = std::string(MEDANON_SOURCE_DIR) + "/configs/deid/iod-types.tsv";
  deid::ProfileOptions options;
  deid::ProfileTable table = deid::ProfileTable::load(table_path, types_path, options);
  deid::Pseudonymizer pseudonyms{deid::ProjectKey::from_bytes(std::vector<std::uint8_t>(32, 9))};
  deid::SafePrivateList safe;

  void clean(DcmDataset& dataset) {
    deid::InstanceContext context;
    context.sop_class_uid = "1.2.840.10008.5.1.4.1.1.7";
    context.date_shift_days = -100;
    deid::PseudonymRecord record;
    deid::DatasetDeidentifier(table, pseudonyms, safe, options).clean(dataset, context, record);
  }
  static std::string value(DcmItem& item, const DcmTagKey& key) {
    OFString text;
    item.findAndGetOFStringArray(key, text);
    return text.c_str();
  }
};

TEST_F(DatasetRules, AStudyDateHeldAsUnIsReadWithItsDictionaryVrAndShifted) {
  DcmDataset dataset;
  auto* un = new DcmOtherByteOtherWord(DcmTag(DCM_StudyDate, DcmVR(EVR_UN)));
  const Uint8 date[8] = {'2', '0', '2', '0', '0', '3', '1', '5'};
  un->putUint8Array(date, 8);
  ASSERT_TRUE(dataset.insert(un).good());
  clean(dataset);
  DcmElement* element = nullptr;
  ASSERT_TRUE(dataset.findAndGetElement(DCM_StudyDate, element).good());
  EXPECT_EQ(element->ident(), EVR_DA);
  EXPECT_EQ(value(dataset, DCM_StudyDate), "20191206");
}

TEST_F(DatasetRules, FreeTextUidsAndUrlsTheTableDoesNotListAreCleanedInsideKeptSequences) {
  DcmDataset dataset;
  DcmItem* content = nullptr;
  ASSERT_TRUE(dataset.findOrCreateSequenceItem(DCM_ContentSequence, content, -2).good());
  content->putAndInsertString(DCM_TextValue, "Patient John Doe MRN123456");
  content->putAndInsertString(DCM_ValueType, "TEXT");
  DcmItem* annotation = nullptr;
  ASSERT_TRUE(dataset.findOrCreateSequenceItem(DCM_GraphicAnnotationSequence, annotation, -2).good());
  DcmItem* text = nullptr;
  ASSERT_TRUE(annotation->findOrCreateSequenceItem(DCM_TextObjectSequence, text, -2).good());
  text->putAndInsertString(DCM_UnformattedTextValue, "DOE^JOHN MRN123456 DOB 19600101");
  dataset.putAndInsertString(DcmTagKey(0x0008, 0x1167), "1.2.3.4.5");  // unlisted UID
  dataset.putAndInsertString(DCM_RetrieveURL, "https://pacs.example.org/MRN123456");
  clean(dataset);
  ASSERT_TRUE(dataset.findAndGetSequenceItem(DCM_ContentSequence, content, 0).good());
  EXPECT_EQ(value(*content, DCM_TextValue), "ANONYMOUS");
  EXPECT_EQ(value(*content, DCM_ValueType), "TEXT");  // codes are kept
  ASSERT_TRUE(dataset.findAndGetSequenceItem(DCM_GraphicAnnotationSequence, annotation, 0).good());
  ASSERT_TRUE(annotation->findAndGetSequenceItem(DCM_TextObjectSequence, text, 0).good());
  EXPECT_EQ(value(*text, DCM_UnformattedTextValue), "ANONYMOUS");
  EXPECT_EQ(value(dataset, DcmTagKey(0x0008, 0x1167)).rfind("2.25.", 0), 0U);
  EXPECT_FALSE(dataset.tagExists(DCM_RetrieveURL));
}

TEST_F(DatasetRules, ClassUidsOfTheStandardsRootStayInstanceUidsNeverDo) {
  DcmDataset dataset;
  dataset.putAndInsertString(DCM_SOPClassUID, "1.2.840.10008.5.1.4.1.1.999");  // newer than DCMTK's dictionary
  DcmItem* reference = nullptr;
  ASSERT_TRUE(dataset.findOrCreateSequenceItem(DCM_SourceImageSequence, reference, -2).good());
  reference->putAndInsertString(DCM_ReferencedSOPClassUID, "1.2.840.113619.4.30");  // a vendor's private class
  reference->putAndInsertString(DCM_ReferencedSOPInstanceUID, "1.2.840.10008.999.123456");
  clean(dataset);
  EXPECT_EQ(value(dataset, DCM_SOPClassUID), "1.2.840.10008.5.1.4.1.1.999");
  ASSERT_TRUE(dataset.findAndGetSequenceItem(DCM_SourceImageSequence, reference, 0).good());
  EXPECT_EQ(value(*reference, DCM_ReferencedSOPClassUID).rfind("2.25.", 0), 0U);
  EXPECT_EQ(value(*reference, DCM_ReferencedSOPInstanceUID).rfind("2.25.", 0), 0U);
}

TEST_F(DatasetRules, PrivateElementsOutsideAnyBlockAreRemoved) {
  DcmDataset dataset;
  dataset.putAndInsertString(DcmTag(DcmTagKey(0x0009, 0x0010), DcmVR(EVR_LO)), "ACME 1.0");
  dataset.putAndInsertString(DcmTag(DcmTagKey(0x0009, 0x0100), DcmVR(EVR_LO)), "DOE^JOHN MRN123456");
  clean(dataset);
  EXPECT_FALSE(dataset.tagExists(DcmTagKey(0x0009, 0x0100)));
  EXPECT_FALSE(dataset.tagExists(DcmTagKey(0x0009, 0x0010)));  // its block holds nothing kept
}

// --- resume ---------------------------------------------------------------------------------

audit::ItemRecord record_of(std::int64_t item, audit::ItemStatus status, int attempt, bool retryable, const io::Manifest& manifest) {
  audit::ItemRecord record;
  record.item = item;
  record.status = status;
  record.attempt = attempt;
  record.retryable = retryable;
  record.input_hash = audit::input_path_hash("key", manifest.items[static_cast<size_t>(item)].path);
  return record;
}

io::Manifest three_items() {
  io::Manifest manifest;
  for (const char* path : {"/in/a.png", "/in/b.png", "/in/c.png"})
    manifest.items.push_back({path, io::InputKind::png, "", "", {}});
  return manifest;
}

TEST(Journals, AnItemClaimedTwiceNeverFinishedIsFailedOnceClaimedIsRedone) {
  const io::Manifest manifest = three_items();
  const auto verdict = audit::judge_journals(
      {record_of(0, audit::ItemStatus::claimed, 0, false, manifest), record_of(1, audit::ItemStatus::claimed, 0, false, manifest),
       record_of(0, audit::ItemStatus::claimed, 1, false, manifest)},
      manifest, "key", 2);
  EXPECT_EQ(verdict.done, (std::set<std::int64_t>{0}));
  ASSERT_EQ(verdict.crashed.size(), 1U);
  EXPECT_NE(verdict.crashed[0].error.find("ended its rank in 2 attempts"), std::string::npos);
}

TEST(Journals, TransientFailuresAreRetriedOnceDeterministicOnesStand) {
  const io::Manifest manifest = three_items();
  const auto verdict = audit::judge_journals(
      {record_of(0, audit::ItemStatus::failed, 0, true, manifest), record_of(1, audit::ItemStatus::failed, 0, false, manifest),
       record_of(2, audit::ItemStatus::failed, 0, true, manifest), record_of(2, audit::ItemStatus::failed, 1, true, manifest)},
      manifest, "key", 2);
  EXPECT_EQ(verdict.done, (std::set<std::int64_t>{1, 2}));
  EXPECT_EQ(verdict.retried, 1);
}

TEST(Journals, ARecordWhoseInputHashIsAnotherItemsRefusesTheResume) {
  const io::Manifest manifest = three_items();
  audit::ItemRecord wrong = record_of(0, audit::ItemStatus::ok, 0, false, manifest);
  wrong.input_hash = audit::input_path_hash("another key", manifest.items[0].path);
  EXPECT_THROW(audit::judge_journals({wrong}, manifest, "key", 1), InputError);
}

TEST(RunIdentity, RunOnlySettingsMayChangeOutputShapingOptionsMayNot) {
  const io::Manifest manifest = three_items();
  const auto base = audit::identity_of(manifest, 0, 1, "abc", "threads=1\nflush-seconds=30\npadding=4\n");
  EXPECT_EQ(base.options,
            audit::identity_of(manifest, 0, 1, "abc", "threads=8\nflush-seconds=5\npadding=4\n").options);
  EXPECT_NE(base.options,
            audit::identity_of(manifest, 0, 1, "abc", "threads=1\nflush-seconds=30\npadding=7\n").options);
  EXPECT_NE(base.items, audit::identity_of(manifest, 1, 2, "abc", "").items);
}

}  // namespace
}  // namespace medanon
