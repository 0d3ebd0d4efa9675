// The residual-PHI check: the patient's own name parts, IDs and birth date in its written forms
// are found in any text value at any depth (private and unlisted ones included) and cleaned,
// while numbers, UIDs and the profile's own placeholders are left alone.

#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcdatset.h>

#include <algorithm>

#include "deid/residual_phi.hpp"
#include "tests/unit/dicom_values.hpp"

namespace medanon::deid {
namespace {

using medanon::testing::value_of;

TEST(ResidualPhi, BirthDatesAreSoughtInTheirUsualWrittenForms) {
  const std::vector<std::string> forms = written_date_forms("19500312");
  for (const char* form : {"19500312", "1950-03-12", "12/03/1950", "03/12/1950", "12.03.1950", "12-03-1950",
                                  "12 MAR 1950", "MARCH 12, 1950", "12/3/1950", "12MAR1950"}) {
    EXPECT_NE(std::find(forms.begin(), forms.end(), form), forms.end()) << form;
  }
  EXPECT_TRUE(written_date_forms("1950031").empty());
  EXPECT_TRUE(written_date_forms("19501312").empty());
}

TEST(ResidualPhi, TokensDoNotMatchInsideLongerNumbersOrWords) {
  EXPECT_TRUE(contains_token("FOLLOW-UP FOR MARIA GARCIA", "garcia"));
  EXPECT_FALSE(contains_token("ID 712345", "12345"));
  EXPECT_TRUE(contains_token("ID:12345.", "12345"));
  EXPECT_FALSE(contains_token("GARCIALEON", "GARCIA"));
  EXPECT_TRUE(contains_token("born 12/03/1950", "12/03/1950"));
}

// The names of ISO_IR 192 (UTF-8) and ISO_IR 100 (Latin-1) files: a comment writes "Martínez"
// where PatientName has "MARTÍNEZ" (found by the planted-archive test, tests/archives/).
TEST(ResidualPhi, AccentedNamesMatchInEitherCaseInUtf8AndLatin1) {
  EXPECT_TRUE(contains_token("seen Jos\xC3\xA9 Mart\xC3\xADnez today", "MART\xC3\x8DNEZ"));  // UTF-8
  EXPECT_TRUE(contains_token("seen Jos\xC3\xA9 Mart\xC3\xADnez today", "JOS\xC3\x89"));
  EXPECT_TRUE(contains_token("seen Jos\xE9 Mart\xEDnez today", "MART\xCDNEZ"));  // ISO 8859-1
  EXPECT_FALSE(contains_token("seen Jos\xC3\xA9 Martinez", "MART\xC3\x8DNEZ")) << "another letter, another name";
  // A CJK character (3 UTF-8 bytes, E5 B1 B1) is not Latin-1 "å" followed by two bytes.
  EXPECT_FALSE(contains_token("\xE5\xB1\xB1", "\xC5\xB1\xB1"));
}

// nibabel's Philips phantom is named "R3.2.2 Enhanced Dicom Phantom": its name part DICOM is in
// medanon's own DeidentificationMethod, which holds no input value and stays as written.
TEST(ResidualPhi, OwnDeidentificationMarksAreNotSearched) {
  DcmDataset original;
  original.putAndInsertString(DCM_PatientName, "R3.2.2 Enhanced Dicom Phantom");
  const PatientNeedles needles = patient_needles(original);
  DcmDataset output;
  output.putAndInsertString(DCM_DeidentificationMethod, "medanon DICOM PS3.15 2024b");
  output.putAndInsertString(DCM_ImageComments, "dicom phantom scan");
  const ResidualReport report = clean_residual_phi(output, needles);
  EXPECT_EQ(value_of(output, DCM_DeidentificationMethod), "medanon DICOM PS3.15 2024b");
  EXPECT_EQ(value_of(output, DCM_ImageComments), "[x] [x] scan");
}

TEST(ResidualPhi, FreeTextAtAnyDepthIsCleanedAndNumbersAreLeftAlone) {
  DcmDataset original;
  original.putAndInsertString(DCM_PatientName, "GARCIA^MARIA");
  original.putAndInsertString(DCM_PatientID, "12345");
  original.putAndInsertString(DCM_PatientBirthDate, "19500312");
  const PatientNeedles needles = patient_needles(original);

  DcmDataset output;
  output.putAndInsertString(DCM_PatientName, "ANONYMOUS");
  output.putAndInsertString(DCM_SeriesNumber, "12345");       // IS: a number, not the ID
  output.putAndInsertString(DCM_ContentDate, "19500312");     // DA equal to the birth date
  output.putAndInsertString(DCM_ImageComments, "seen 12.03.1950");
  DcmItem* content = nullptr;
  ASSERT_TRUE(output.findOrCreateSequenceItem(DCM_ContentSequence, content, -2).good());
  content->putAndInsertString(DCM_TextValue, "FOLLOW-UP FOR Maria Garcia BORN 12/03/1950, MRN 12345");
  output.putAndInsertString(DcmTag(0x0029, 0x0010, EVR_LO), "SITE");
  output.putAndInsertString(DcmTag(0x0029, 0x1001, EVR_LO), "garcia maria");

  const ResidualReport report = clean_residual_phi(output, needles);
  EXPECT_TRUE(report.remaining.empty());
  EXPECT_EQ(value_of(*content, DCM_TextValue), "FOLLOW-UP FOR [x] [x] BORN [x], MRN [x]");
  EXPECT_EQ(value_of(output, DCM_ImageComments), "seen [x]");
  EXPECT_EQ(value_of(output, DcmTagKey(0x0029, 0x1001)), "[x] [x]");
  EXPECT_FALSE(output.tagExists(DCM_ContentDate)) << "a date cannot hold [x]: the element goes";
  EXPECT_EQ(value_of(output, DCM_SeriesNumber), "12345");
  EXPECT_EQ(value_of(output, DCM_PatientName), "ANONYMOUS");
  EXPECT_EQ(report.cleaned, 4);
  for (const std::string& where : report.cleaned_in) EXPECT_EQ(where.find("GARCIA"), std::string::npos);
}

}  // namespace
}  // namespace medanon::deid
