// The shipped PS3.15 Table E.1-1: every action code, combined codes resolved by the IOD's
// Types, and each option changing exactly the attributes the standard says it changes.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "deid/profile_table.hpp"

namespace medanon::deid {
namespace {

const std::string kTable = std::string(MEDANON_SOURCE_DIR) + "/configs/deid/ps3.15-table-e1-1.tsv";
const std::string kTypes = std::string(MEDANON_SOURCE_DIR) + "/configs/deid/iod-types.tsv";
const std::string kCr = "1.2.840.10008.5.1.4.1.1.1";
const std::string kDx = "1.2.840.10008.5.1.4.1.1.1.1";
const std::string kUnlisted = "1.2.840.10008.5.1.4.1.1.7";  // Secondary Capture: no Types listed

ProfileOptions basic_only() {
  ProfileOptions options;
  options.retain_modified_dates = false;
  return options;
}

char code(const ProfileTable& table, const DcmTagKey& key, const std::string& sop_class = kCr) {
  const std::optional<Action> action = table.action_for(key.getGroup(), key.getElement(), sop_class);
  return action ? action_code(*action) : '-';
}

TEST(DeidProfileTable, HoldsTheWholeTableAndNamesItsEdition) {
  const ProfileTable table = ProfileTable::load(kTable, kTypes, basic_only());
  EXPECT_GE(table.size(), 600U);
  EXPECT_EQ(table.edition(), "2024b");
}

TEST(DeidProfileTable, GivesEachBasicProfileActionCode) {
  const ProfileTable table = ProfileTable::load(kTable, kTypes, basic_only());
  EXPECT_EQ(code(table, DCM_PatientAddress), 'X');
  EXPECT_EQ(code(table, DCM_PatientName), 'Z');
  EXPECT_EQ(code(table, DCM_AccessionNumber), 'Z');
  EXPECT_EQ(code(table, DCM_ContentSequence), 'D');
  EXPECT_EQ(code(table, DCM_SOPInstanceUID), 'U');
  EXPECT_EQ(code(table, DCM_ReferencedSOPInstanceUID), 'U');
  EXPECT_EQ(code(table, DCM_Modality), '-');  // not in the table: kept (PS3.15 E.1.1)
  EXPECT_EQ(code(table, DcmTagKey(0x6002, 0x3000)), 'X');  // Overlay Data, any overlay group
  EXPECT_EQ(code(table, DcmTagKey(0x5004, 0x0010)), 'X');  // curves
  EXPECT_EQ(action_code(table.private_action()), 'X');
}

TEST(DeidProfileTable, ResolvesCombinedCodesByTheTypeInTheIod) {
  const ProfileTable table = ProfileTable::load(kTable, kTypes, basic_only());
  // X/D Series Date: Type 3 in CR -> X; unknown IOD -> D (strictest, always conformant).
  EXPECT_EQ(code(table, DCM_SeriesDate, kCr), 'X');
  EXPECT_EQ(code(table, DCM_SeriesDate, kUnlisted), 'D');
  // Z/D Content Date: Type 2 in CR -> Z.
  EXPECT_EQ(code(table, DCM_ContentDate, kCr), 'Z');
  EXPECT_EQ(code(table, DCM_ContentDate, kUnlisted), 'D');
  // X/Z Acquisition Context Sequence: Type 2 in DX -> Z.
  EXPECT_EQ(code(table, DCM_AcquisitionContextSequence, kDx), 'Z');
  // X/Z/D Station Name: Type 3 in DX -> X.
  EXPECT_EQ(code(table, DCM_StationName, kDx), 'X');
  EXPECT_EQ(code(table, DCM_StationName, kUnlisted), 'D');
  // X/Z/U* Referenced Image Sequence: Type 3 in CR -> X; otherwise kept with its UIDs replaced.
  EXPECT_EQ(code(table, DCM_ReferencedImageSequence, kCr), 'X');
  EXPECT_EQ(code(table, DCM_ReferencedImageSequence, kUnlisted), 'U');
}

TEST(DeidProfileTable, ModifiedDatesOptionCleansDatesAndFullDatesKeepsThem) {
  ProfileOptions modified;
  const ProfileTable shifted = ProfileTable::load(kTable, kTypes, modified);
  EXPECT_EQ(code(shifted, DCM_StudyDate), 'C');
  EXPECT_EQ(code(shifted, DCM_AcquisitionDateTime), 'C');
  ProfileOptions full = basic_only();
  full.retain_full_dates = true;
  const ProfileTable kept = ProfileTable::load(kTable, kTypes, full);
  EXPECT_EQ(code(kept, DCM_StudyDate), 'K');
  ProfileOptions both;
  both.retain_full_dates = true;
  EXPECT_THROW(ProfileTable::load(kTable, kTypes, both), UsageError);
}

TEST(DeidProfileTable, EachRetainOptionKeepsItsAttributes) {
  ProfileOptions options = basic_only();
  options.retain_patient_characteristics = true;
  options.retain_device_identity = true;
  options.retain_institution_identity = true;
  options.retain_uids = true;
  const ProfileTable table = ProfileTable::load(kTable, kTypes, options);
  EXPECT_EQ(code(table, DCM_PatientSex), 'K');
  EXPECT_EQ(code(table, DCM_PatientAge), 'K');
  EXPECT_EQ(code(table, DCM_DeviceSerialNumber), 'K');
  EXPECT_EQ(code(table, DCM_StationName), 'K');
  EXPECT_EQ(code(table, DCM_InstitutionName), 'K');
  EXPECT_EQ(code(table, DCM_InstitutionAddress), 'K');
  EXPECT_EQ(code(table, DCM_StudyInstanceUID), 'K');
  EXPECT_EQ(code(table, DCM_PatientName), 'Z');  // no option keeps the name
}

TEST(DeidProfileTable, CleanDescriptorsAndSafePrivateOptionsClean) {
  ProfileOptions options = basic_only();
  options.clean_descriptors = true;
  options.retain_safe_private = true;
  const ProfileTable table = ProfileTable::load(kTable, kTypes, options);
  EXPECT_EQ(code(table, DCM_StudyDescription), 'C');
  EXPECT_EQ(code(table, DCM_ImageComments), 'C');
  EXPECT_EQ(action_code(table.private_action()), 'C');
}

TEST(DeidProfileTable, ReportsTheLineOfABadRow) {
  const std::filesystem::path bad =
      std::filesystem::temp_directory_path() / ("medanon_bad_table_" + std::to_string(::getpid()) + ".tsv");
  std::ofstream(bad) << "# comment\n(0010,0010)\tQ\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\tY\tPatient's Name\n";
  try {
    ProfileTable::load(bad.string(), kTypes, basic_only());
    FAIL() << "a bad action code was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(":2:"), std::string::npos) << e.what();
  }
  std::filesystem::remove(bad);
}

}  // namespace
}  // namespace medanon::deid
