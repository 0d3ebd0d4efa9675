// The recursive walk over one dataset: each action code applied, rules applied three levels
// deep, private blocks removed (or kept from the allow-list), overlays, curves and icons gone.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <gtest/gtest.h>

#include "deid/dataset_deidentifier.hpp"
#include "deid/identity_values.hpp"
#include "tests/unit/dicom_values.hpp"

namespace medanon::deid {
namespace {

const std::string kTable = std::string(MEDANON_SOURCE_DIR) + "/configs/deid/ps3.15-table-e1-1.tsv";
const std::string kTypes = std::string(MEDANON_SOURCE_DIR) + "/configs/deid/iod-types.tsv";
const std::string kSecondaryCapture = "1.2.840.10008.5.1.4.1.1.7";  // no Types listed: strictest alternatives

using medanon::testing::value_of;

void put(DcmItem& item, const DcmTagKey& key, const std::string& value) {
  ASSERT_TRUE(item.putAndInsertString(key, value.c_str()).good());
}

DcmItem& append_item(DcmItem& parent, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  EXPECT_TRUE(parent.findOrCreateSequenceItem(sequence, item, -2).good());
  return *item;
}

// A private element of the block (group,0010) reserved for `creator` (PS3.5 7.8.1); the
// reservation is written too, as real files carry it.
void put_private(DcmItem& item, Uint16 group, Uint16 element, const char* creator, const std::string& value) {
  ASSERT_TRUE(item.putAndInsertString(DcmTag(DcmTagKey(group, 0x0010), DcmVR(EVR_LO)), creator).good());
  DcmTag tag(DcmTagKey(group, element), DcmVR(EVR_LO));
  tag.setPrivateCreator(creator);
  ASSERT_TRUE(item.putAndInsertString(tag, value.c_str()).good());
}

class DeidDataset : public ::testing::Test {
 protected:
  void SetUp() override {
    put(dataset_, DCM_SOPClassUID, kSecondaryCapture);
    put(dataset_, DCM_SOPInstanceUID, "1.2.3.4.100");
    put(dataset_, DCM_StudyInstanceUID, "1.2.3.4.1");
    put(dataset_, DCM_PatientName, "GARCIA^MARIA");
    put(dataset_, DCM_PatientID, "40817263");
    put(dataset_, DCM_PatientAddress, "Calle Mayor 12");
    put(dataset_, DCM_StudyDate, "20230411");
    put(dataset_, DCM_StudyTime, "093015");
    put(dataset_, DCM_SeriesDate, "20230411");
    put(dataset_, DCM_StationName, "CRROOM2");
    put(dataset_, DCM_StudyDescription, "TORAX PA MARIA GARCIA");
    put(dataset_, DCM_Modality, "CR");
    put(dataset_, DCM_PatientSex, "F");
  }

  DcmDataset& clean(const ProfileOptions& options, const SafePrivateList& safe = SafePrivateList()) {
    table_ = std::make_unique<ProfileTable>(ProfileTable::load(kTable, kTypes, options));
    InstanceContext context;
    context.sop_class_uid = value_of(dataset_, DCM_SOPClassUID);
    context.original_patient_id = value_of(dataset_, DCM_PatientID);
    context.date_shift_days = -10;
    context.scrub_needles = collect_identity_values(dataset_).scrub_needles;
    DatasetDeidentifier(*table_, pseudonyms_, safe, options).clean(dataset_, context, record_);
    return dataset_;
  }

  DcmDataset dataset_;
  Pseudonymizer pseudonyms_{ProjectKey::from_bytes(std::vector<std::uint8_t>(32, 7))};
  std::unique_ptr<ProfileTable> table_;
  PseudonymRecord record_;
};

ProfileOptions basic_only() {
  ProfileOptions options;
  options.retain_modified_dates = false;
  return options;
}

TEST_F(DeidDataset, RemovesBlanksDummiesKeepsAndReplacesPerTheBasicProfile) {
  DcmDataset& out = clean(basic_only());
  EXPECT_FALSE(out.tagExists(DCM_PatientAddress));               // X
  EXPECT_TRUE(out.tagExists(DCM_PatientName));                   // Z: present, empty
  EXPECT_EQ(value_of(out, DCM_PatientName), "");
  EXPECT_EQ(value_of(out, DCM_SeriesDate), "19000101");          // X/D, Type unknown -> D
  EXPECT_EQ(value_of(out, DCM_StationName), "ANONYMOUS");        // X/Z/D -> D
  EXPECT_EQ(value_of(out, DCM_Modality), "CR");                  // not listed: K
  EXPECT_EQ(value_of(out, DCM_SOPInstanceUID), pseudonyms_.uid("1.2.3.4.100"));  // U
  EXPECT_EQ(value_of(out, DCM_SOPClassUID), kSecondaryCapture);
  EXPECT_EQ(value_of(out, DCM_PatientID), pseudonyms_.patient_id("40817263"));
  EXPECT_FALSE(out.tagExists(DCM_StudyDescription));
  EXPECT_EQ(record_.uids.at("1.2.3.4.100"), pseudonyms_.uid("1.2.3.4.100"));
  EXPECT_EQ(record_.patient_ids.at("40817263"), pseudonyms_.patient_id("40817263"));
}

TEST_F(DeidDataset, CountsEveryAttributeItRemovedOrChanged) {
  clean(basic_only());
  // Removed: PatientAddress, StudyDescription. Emptied: PatientName, StudyDate, StudyTime,
  // PatientSex. Dummy: SeriesDate, StationName. Pseudonyms: SOP/Study Instance UID, PatientID.
  // Kept: SOPClassUID, Modality.
  EXPECT_EQ(record_.attributes_changed, 11);
}

TEST_F(DeidDataset, ModifiedDatesShiftDatesAndKeepTimes) {
  DcmDataset& out = clean(ProfileOptions());
  EXPECT_EQ(value_of(out, DCM_StudyDate), "20230401");
  EXPECT_EQ(value_of(out, DCM_StudyTime), "093015");
}

TEST_F(DeidDataset, CleanDescriptorsScrubsTheInstancesOwnIdentifiers) {
  ProfileOptions options = basic_only();
  options.clean_descriptors = true;
  DcmDataset& out = clean(options);
  EXPECT_EQ(value_of(out, DCM_StudyDescription), "TORAX PA [x] [x]");
}

TEST_F(DeidDataset, RetainPatientCharacteristicsKeepsSex) {
  ProfileOptions options = basic_only();
  EXPECT_EQ(value_of(clean(options), DCM_PatientSex), "");
  SetUp();
  options.retain_patient_characteristics = true;
  EXPECT_EQ(value_of(clean(options), DCM_PatientSex), "F");
}

TEST_F(DeidDataset, AppliesEveryRuleThreeSequenceLevelsDeep) {
  // Level 1: a sequence not in the table; 2: Referenced Image Sequence (X/Z/U*, kept for
  // Secondary Capture); 3: a nested item with a name, a date, a UID and an address.
  DcmItem& level1 = append_item(dataset_, DCM_ScheduledProtocolCodeSequence);
  put(level1, DCM_CodeValue, "CXR1");
  DcmItem& level2 = append_item(level1, DCM_ReferencedImageSequence);
  put(level2, DCM_ReferencedSOPInstanceUID, "1.2.3.4.101");
  DcmItem& level3 = append_item(level2, DCM_ProtocolContextSequence);
  put(level3, DCM_PersonName, "LOPEZ^JUAN");
  put(level3, DCM_PatientAddress, "Calle Mayor 12");
  put(level3, DCM_ReferencedSOPInstanceUID, "1.2.3.4.100");
  put_private(level3, 0x0029, 0x1010, "SITE", "GARCIA^MARIA");

  clean(basic_only());
  DcmItem* deep = nullptr;
  ASSERT_TRUE(dataset_.findAndGetSequenceItem(DCM_ScheduledProtocolCodeSequence, deep, 0).good());
  EXPECT_EQ(value_of(*deep, DCM_CodeValue), "CXR1");
  ASSERT_TRUE(deep->findAndGetSequenceItem(DCM_ReferencedImageSequence, deep, 0).good());
  EXPECT_EQ(value_of(*deep, DCM_ReferencedSOPInstanceUID), pseudonyms_.uid("1.2.3.4.101"));
  ASSERT_TRUE(deep->findAndGetSequenceItem(DCM_ProtocolContextSequence, deep, 0).good());
  EXPECT_EQ(value_of(*deep, DCM_PersonName), "ANONYMOUS");  // D
  EXPECT_FALSE(deep->tagExists(DCM_PatientAddress));
  // The same original UID maps to the same pseudonym at any depth.
  EXPECT_EQ(value_of(*deep, DCM_ReferencedSOPInstanceUID), value_of(dataset_, DCM_SOPInstanceUID));
  EXPECT_FALSE(deep->tagExists(DcmTagKey(0x0029, 0x1010)));
  EXPECT_FALSE(deep->tagExists(DcmTagKey(0x0029, 0x0010)));
}

TEST_F(DeidDataset, RemovesPrivateAttributesWithTheirCreators) {
  put_private(dataset_, 0x0019, 0x1005, "VENDOR", "CRROOM2");
  put_private(dataset_, 0x0029, 0x1010, "SITE", "GARCIA^MARIA");
  clean(basic_only());
  for (unsigned long i = 0; i < dataset_.card(); ++i) {
    EXPECT_EQ(dataset_.getElement(i)->getTag().getGroup() % 2, 0) << dataset_.getElement(i)->getTag().toString();
  }
}

TEST_F(DeidDataset, RetainSafePrivateKeepsOnlyAllowListedAttributesAndTheirCreator) {
  put_private(dataset_, 0x0019, 0x1005, "VENDOR", "CRROOM2");
  put_private(dataset_, 0x0019, 0x1006, "VENDOR", "12.5");
  put_private(dataset_, 0x0029, 0x1010, "SITE", "GARCIA^MARIA");
  SafePrivateList safe;
  safe.add("VENDOR", 0x0019, 0x06);
  ProfileOptions options = basic_only();
  options.retain_safe_private = true;
  clean(options, safe);
  EXPECT_TRUE(dataset_.tagExists(DcmTagKey(0x0019, 0x1006)));
  EXPECT_EQ(value_of(dataset_, DcmTagKey(0x0019, 0x0010)), "VENDOR");
  EXPECT_FALSE(dataset_.tagExists(DcmTagKey(0x0019, 0x1005)));
  EXPECT_FALSE(dataset_.tagExists(DcmTagKey(0x0029, 0x1010)));
  EXPECT_FALSE(dataset_.tagExists(DcmTagKey(0x0029, 0x0010)));
}

TEST_F(DeidDataset, RemovesOverlaysCurvesAndIconImages) {
  const Uint16 overlay_rows = 4;
  ASSERT_TRUE(dataset_.putAndInsertUint16(DcmTagKey(0x6000, 0x0010), overlay_rows).good());
  put(dataset_, DcmTagKey(0x6000, 0x0022), "drawn by LOPEZ");
  put(dataset_, DcmTagKey(0x5000, 0x0022), "curve of GARCIA");
  DcmItem& icon = append_item(dataset_, DCM_IconImageSequence);
  ASSERT_TRUE(icon.putAndInsertUint16(DCM_Rows, 8).good());
  clean(basic_only());
  EXPECT_FALSE(dataset_.tagExists(DcmTagKey(0x6000, 0x0010)));
  EXPECT_FALSE(dataset_.tagExists(DcmTagKey(0x6000, 0x0022)));
  EXPECT_FALSE(dataset_.tagExists(DcmTagKey(0x5000, 0x0022)));
  EXPECT_FALSE(dataset_.tagExists(DCM_IconImageSequence));
}

TEST(DeidDummyValues, AreValidForTheirVr) {
  DcmDataset dataset;
  put(dataset, DCM_PatientAge, "067Y");
  put(dataset, DCM_AcquisitionDateTime, "20230411093512");
  put(dataset, DCM_StudyTime, "093015");
  for (const DcmTagKey& key : {DCM_PatientAge, DCM_AcquisitionDateTime, DCM_StudyTime}) {
    DcmElement* element = nullptr;
    ASSERT_TRUE(dataset.findAndGetElement(key, element).good());
    put_dummy_value(*element);
    EXPECT_TRUE(element->checkValue().good()) << key.toString();
  }
  EXPECT_EQ(value_of(dataset, DCM_PatientAge), "000Y");
  EXPECT_EQ(value_of(dataset, DCM_AcquisitionDateTime), "19000101000000");
}

}  // namespace
}  // namespace medanon::deid
