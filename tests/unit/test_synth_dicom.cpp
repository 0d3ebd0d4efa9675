// The synthetic DICOM writer: every transfer syntax re-reads with DCMTK, carries the planted PHI
// where the returned map says, keeps the pixels (exactly where lossless) and is reproducible.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <opencv2/core.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "synth/dicom_writer.hpp"

namespace medanon::synth {
namespace {

namespace fs = std::filesystem;

// ---- fixtures -------------------------------------------------------------------------------

PatientIdentity make_patient() {
  PatientIdentity patient;
  patient.key = "P0007";
  patient.family_name = "GARCIA";
  patient.given_name = "MARIA";
  patient.patient_id = "40817263";
  patient.padchest_id = "9f1c0e";
  patient.birth_date = "19560314";
  patient.sex = 'F';
  patient.other_patient_id = "77120459";
  patient.address = "Calle Mayor 12, Alicante";
  patient.phone = "+34 965 123 456";
  return patient;
}

StudyIdentity make_study() {
  StudyIdentity study;
  study.study_instance_uid = "2.25.1111111111111111111";
  study.study_date = "20230411";
  study.study_time = "093015";
  study.accession_number = "ACC20230411007";
  study.study_id = "S7781";
  study.description = "TORAX PA MARIA GARCIA";
  study.referring_physician = "LOPEZ^JUAN";
  study.performing_physician = "RUIZ^ANA";
  study.operator_name = "MORENO^LUIS";
  study.institution = "HOSPITAL SAN JUAN";
  study.institution_address = "Avenida de la Salud 1, Alicante";
  study.station_name = "CRROOM2";
  study.device_serial = "SN-4471-A";
  study.manufacturer = "SYNTHVENDOR";
  study.model_name = "CR 2000";
  study.patient_age_years = 67;
  return study;
}

SeriesIdentity make_series() {
  SeriesIdentity series;
  series.series_instance_uid = "2.25.2222222222222222222";
  series.frame_of_reference_uid = "2.25.3333333333333333333";
  series.series_time = "093512";
  series.series_number = 3;
  series.projection = "PA";
  return series;
}

ImagePlan make_plan(const std::string& transfer_syntax, bool monochrome1, int bits_stored) {
  ImagePlan plan;
  plan.layout = Layout::dicom;
  plan.width = 64;
  plan.height = 48;
  plan.bits_stored = bits_stored;
  plan.monochrome1 = monochrome1;
  plan.transfer_syntax = transfer_syntax;
  plan.projection = "PA";
  plan.objects = {ObjectKind::pacemaker};
  plan.instance_number = 2;
  plan.sop_instance_uid = "2.25.4444444444444444444";
  return plan;
}

// A 64x48 gradient with a checker texture, using the whole range of `bits` bits.
RenderedImage make_image(int bits) {
  const int max_value = (1 << bits) - 1;
  cv::Mat pixels(48, 64, bits > 8 ? CV_16UC1 : CV_8UC1);
  for (int y = 0; y < pixels.rows; ++y) {
    for (int x = 0; x < pixels.cols; ++x) {
      const int ramp = (x * 63 + y * 17) * max_value / (63 * 63 + 47 * 17);
      const int value = std::min(max_value, ramp + (((x / 4 + y / 4) % 2) ? max_value / 16 : 0));
      if (bits > 8) {
        pixels.at<std::uint16_t>(y, x) = static_cast<std::uint16_t>(value);
      } else {
        pixels.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(value);
      }
    }
  }
  RenderedImage image;
  image.pixels = pixels;
  TextBox box;
  box.text = "GARCIA";
  box.field = "PatientName";
  box.phi = true;
  image.text.push_back(box);
  return image;
}

const std::vector<std::string> kReferenced = {"2.25.5555555555555555555", "2.25.6666666666666666666"};

struct WrittenFile {
  std::map<std::string, std::string> phi;
  RenderedImage image;
};

// A folder of the running test's own, removed with everything in it when the test ends.
class ScratchDir {
 public:
  ScratchDir() {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(test->test_suite_name()) + "." + test->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    path_ = fs::path(::testing::TempDir()) / ("medanon_dicom_" + std::to_string(::getpid()) + "_" + name);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;  // a destructor must not throw; a leftover temp folder is harmless
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

WrittenFile write_fixture(const fs::path& path, const std::string& syntax, bool monochrome1, int bits,
                          std::uint64_t seed = 42) {
  const PatientIdentity patient = make_patient();
  const StudyIdentity study = make_study();
  const SeriesIdentity series = make_series();
  const ImagePlan plan = make_plan(syntax, monochrome1, bits);
  WrittenFile written{{}, make_image(bits)};
  const DicomContext context{plan, patient, study, series, kReferenced};
  Rng rng = Rng::stream(seed, 0, Stream::dicom);
  written.phi = write_dicom(path.string(), context, written.image, rng);
  return written;
}

// ---- reading back ---------------------------------------------------------------------------

std::string trim_padding(std::string value) {
  while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
  return value;
}

// The value of one element as text. Private elements of an implicit-VR file come back as UN
// (DCMTK does not know our creators), so those are read as their raw bytes.
std::string element_text(DcmElement& element) {
  if (!DcmVR(element.ident()).isaString()) {
    Uint8* bytes = nullptr;
    if (element.getUint8Array(bytes).bad() || bytes == nullptr) return {};
    return trim_padding(std::string(reinterpret_cast<const char*>(bytes), element.getLength()));
  }
  OFString value;
  if (element.getOFStringArray(value).bad()) return {};
  return value.c_str();
}

// Resolves a PHI-map key such as "RequestAttributesSequence/ReferencedStudySequence/
// ReferencedSOPInstanceUID", "ReferencedImageSequence[1]/ReferencedSOPInstanceUID" or
// "(0029,1010)" against the dataset. Returns false when some step is missing.
bool find_by_key(DcmItem& root, const std::string& key, std::string& value) {
  std::vector<std::string> steps;
  std::stringstream stream(key);
  for (std::string step; std::getline(stream, step, '/');) steps.push_back(step);

  DcmItem* item = &root;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string name = steps[i];
    unsigned long index = 0;
    if (const auto bracket = name.find('['); bracket != std::string::npos) {
      index = std::stoul(name.substr(bracket + 1));
      name = name.substr(0, bracket);
    }
    DcmTagKey tag;
    if (name.front() == '(') {
      unsigned group = 0;
      unsigned element = 0;
      if (std::sscanf(name.c_str(), "(%x,%x)", &group, &element) != 2) return false;
      tag = DcmTagKey(static_cast<Uint16>(group), static_cast<Uint16>(element));
    } else {
      DcmTag found;
      if (DcmTag::findTagFromName(name.c_str(), found).bad()) return false;
      tag = found;
    }
    if (i + 1 < steps.size()) {
      DcmItem* child = nullptr;
      if (item->findAndGetSequenceItem(tag, child, static_cast<signed long>(index)).bad()) {
        return false;
      }
      item = child;
    } else {
      DcmElement* element = nullptr;
      if (item->findAndGetElement(tag, element).bad() || element == nullptr) return false;
      value = element_text(*element);
    }
  }
  return true;
}

int sequence_depth(DcmItem& item) {
  int deepest = 0;
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* element = item.getElement(i);
    if (element->ident() != EVR_SQ) continue;
    auto* sequence = static_cast<DcmSequenceOfItems*>(element);
    for (unsigned long j = 0; j < sequence->card(); ++j) {
      deepest = std::max(deepest, 1 + sequence_depth(*sequence->getItem(j)));
    }
  }
  return deepest;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Pixels in MONOCHROME2 sense, decoded by DCMTK to native little endian.
cv::Mat decoded_pixels(DcmDataset& dataset) {
  EXPECT_TRUE(dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).good());
  Uint16 rows = 0;
  Uint16 columns = 0;
  Uint16 bits_allocated = 0;
  Uint16 bits_stored = 0;
  OFString photometric;
  EXPECT_TRUE(dataset.findAndGetUint16(DCM_Rows, rows).good());
  EXPECT_TRUE(dataset.findAndGetUint16(DCM_Columns, columns).good());
  EXPECT_TRUE(dataset.findAndGetUint16(DCM_BitsAllocated, bits_allocated).good());
  EXPECT_TRUE(dataset.findAndGetUint16(DCM_BitsStored, bits_stored).good());
  EXPECT_TRUE(dataset.findAndGetOFString(DCM_PhotometricInterpretation, photometric).good());

  DcmElement* element = nullptr;
  EXPECT_TRUE(dataset.findAndGetElement(DCM_PixelData, element).good());
  if (element == nullptr) return {};
  cv::Mat pixels;
  if (bits_allocated == 16) {
    Uint16* words = nullptr;
    EXPECT_TRUE(element->getUint16Array(words).good());
    pixels = cv::Mat(rows, columns, CV_16UC1, words).clone();
  } else {
    // 8-bit data may come back as OW (implicit VR); in little endian its bytes are in order.
    Uint8* bytes = nullptr;
    if (element->getUint8Array(bytes).bad()) {
      Uint16* words = nullptr;
      EXPECT_TRUE(element->getUint16Array(words).good());
      bytes = reinterpret_cast<Uint8*>(words);
    }
    pixels = cv::Mat(rows, columns, CV_8UC1, bytes).clone();
  }
  if (photometric == "MONOCHROME1") {
    const int max_value = (1 << bits_stored) - 1;
    pixels.convertTo(pixels, pixels.type(), -1.0, max_value);
  }
  return pixels;
}

// ---- every transfer syntax ------------------------------------------------------------------

struct RoundTripCase {
  std::string syntax;
  std::string expected_uid;
  int bits;
  bool monochrome1;
  std::string modality;  // "CR" or "DX": the writer draws it, the test finds a seed for each
};

// Readable failure messages instead of the parameter's raw bytes.
void PrintTo(const RoundTripCase& param, std::ostream* out) {
  *out << param.syntax << ", " << param.bits << " bit, " << (param.monochrome1 ? "MONOCHROME1, " : "MONOCHROME2, ")
       << param.modality;
}

std::string expected_uid(const std::string& syntax) {
  static const std::map<std::string, std::string> uids = {
      {kImplicitLittle, "1.2.840.10008.1.2"},      {kExplicitLittle, "1.2.840.10008.1.2.1"},
      {kExplicitBig, "1.2.840.10008.1.2.2"},       {kDeflatedLittle, "1.2.840.10008.1.2.1.99"},
      {kJpegBaseline, "1.2.840.10008.1.2.4.50"},   {kJpegLossless, "1.2.840.10008.1.2.4.70"},
      {kJpegLsLossless, "1.2.840.10008.1.2.4.80"}, {kRleLossless, "1.2.840.10008.1.2.5"}};
  return uids.at(syntax);
}

std::vector<RoundTripCase> round_trip_cases() {
  std::vector<RoundTripCase> cases;
  for (const std::string& syntax : all_transfer_syntaxes()) {
    const std::string uid = expected_uid(syntax);
    for (const char* modality : {"CR", "DX"}) {
      if (syntax != kJpegBaseline) {
        cases.push_back({syntax, uid, 12, false, modality});
        cases.push_back({syntax, uid, 12, true, modality});
        cases.push_back({syntax, uid, 16, false, modality});
      }
      cases.push_back({syntax, uid, 8, false, modality});
      cases.push_back({syntax, uid, 8, true, modality});
    }
  }
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<RoundTripCase>& info) {
  std::string name = info.param.syntax + "_" + std::to_string(info.param.bits) + "bit_" +
                     (info.param.monochrome1 ? "mono1_" : "mono2_") + info.param.modality;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

std::string modality_of(const fs::path& path) {
  DcmFileFormat file;
  OFString modality;
  if (file.loadFile(path.c_str()).bad()) return {};
  file.getDataset()->findAndGetOFString(DCM_Modality, modality);
  return modality.c_str();
}

// Writes the case's fixture with the first seed whose SOP class draw gives the case's modality.
WrittenFile write_as(const fs::path& path, const RoundTripCase& param, std::uint64_t& seed) {
  for (seed = 1; seed < 64; ++seed) {
    WrittenFile written = write_fixture(path, param.syntax, param.monochrome1, param.bits, seed);
    if (modality_of(path) == param.modality) return written;
  }
  ADD_FAILURE() << "no seed below 64 gives modality " << param.modality;
  return {};
}

// Longest value per VR (PS3.5 table 6.2-1), in bytes; our fixtures are ASCII. DCMTK 3.6.7's
// checkValue() does not check lengths of the character-string VRs (SH, LO, PN, ...), so the
// test does.
size_t max_value_length(DcmEVR vr) {
  switch (vr) {
    case EVR_AE:
    case EVR_CS:
    case EVR_SH:
    case EVR_DS:
    case EVR_TM:
      return 16;
    case EVR_AS:
      return 4;
    case EVR_DA:
      return 8;
    case EVR_IS:
      return 12;
    case EVR_DT:
      return 26;
    case EVR_LO:
    case EVR_PN:
    case EVR_UI:
      return 64;
    case EVR_ST:
      return 1024;
    case EVR_LT:
      return 10240;
    default:
      return 0;  // not a length-limited string VR
  }
}

// Every element's value fits its VR (DCMTK's checks plus the length limits above).
void expect_values_conform(DcmItem& item, const std::string& where) {
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* element = item.getElement(i);
    if (element->ident() == EVR_SQ) {
      auto* sequence = static_cast<DcmSequenceOfItems*>(element);
      for (unsigned long j = 0; j < sequence->card(); ++j) {
        expect_values_conform(*sequence->getItem(j), where + element->getTag().toString().c_str());
      }
      continue;
    }
    DcmTag tag = element->getTag();
    EXPECT_TRUE(element->checkValue().good()) << where << tag.toString() << " " << tag.getTagName();
    const size_t limit = max_value_length(element->ident());
    if (limit == 0) continue;
    OFString text;
    ASSERT_TRUE(element->getOFStringArray(text).good());
    std::stringstream values(text.c_str());
    const bool single = element->ident() == EVR_ST || element->ident() == EVR_LT;
    for (std::string value; std::getline(values, value, single ? '\0' : '\\');) {
      EXPECT_LE(value.size(), limit) << where << tag.toString() << " " << tag.getTagName();
    }
  }
}

class SynthDicomRoundTrip : public ::testing::TestWithParam<RoundTripCase> {
 protected:
  ScratchDir scratch_;
  fs::path path_ = scratch_.path() / "image.dcm";
};

TEST_P(SynthDicomRoundTrip, RereadsWithTheRequestedTransferSyntaxPhiAndPixels) {
  const RoundTripCase& param = GetParam();
  std::uint64_t seed = 0;
  const WrittenFile written = write_as(path_, param, seed);

  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path_.c_str()).good());
  OFString transfer_syntax_uid;
  ASSERT_TRUE(file.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, transfer_syntax_uid).good());
  EXPECT_EQ(transfer_syntax_uid.c_str(), param.expected_uid);
  EXPECT_EQ(file.getDataset()->getOriginalXfer(), DcmXfer(param.expected_uid.c_str()).getXfer());

  DcmDataset& dataset = *file.getDataset();
  OFString sop_class;
  EXPECT_TRUE(dataset.findAndGetOFString(DCM_SOPClassUID, sop_class).good());
  EXPECT_EQ(std::string(sop_class.c_str()),
            param.modality == "CR" ? UID_ComputedRadiographyImageStorage : UID_DigitalXRayImageStorageForPresentation);
  if (param.modality == "DX") {
    OFString shape;
    EXPECT_TRUE(dataset.findAndGetOFString(DCM_PresentationLUTShape, shape).good());
    EXPECT_EQ(std::string(shape.c_str()), param.monochrome1 ? "INVERSE" : "IDENTITY");
  }
  expect_values_conform(dataset, "");

  ASSERT_FALSE(written.phi.empty());
  for (const auto& [key, planted] : written.phi) {
    std::string found;
    ASSERT_TRUE(find_by_key(dataset, key, found)) << key << " missing";
    EXPECT_EQ(found, planted) << key;
  }

  const cv::Mat decoded = decoded_pixels(dataset);
  ASSERT_EQ(decoded.size(), written.image.pixels.size());
  ASSERT_EQ(decoded.type(), written.image.pixels.type());
  cv::Mat difference;
  cv::absdiff(decoded, written.image.pixels, difference);
  double largest = 0;
  cv::minMaxLoc(difference, nullptr, &largest);
  if (param.syntax == kJpegBaseline) {
    EXPECT_LT(cv::mean(difference)[0], 2.0);
    EXPECT_LE(largest, 16.0);
  } else {
    EXPECT_EQ(largest, 0.0);
  }
}

TEST_P(SynthDicomRoundTrip, SameInputsGiveByteIdenticalFiles) {
  const RoundTripCase& param = GetParam();
  const fs::path again = path_.string() + ".again";
  std::uint64_t seed = 0;
  write_as(path_, param, seed);
  write_fixture(again, param.syntax, param.monochrome1, param.bits, seed);
  const std::string first = read_bytes(path_);
  ASSERT_GT(first.size(), 132u);
  EXPECT_TRUE(first == read_bytes(again));
}

TEST_P(SynthDicomRoundTrip, DcmdumpReadsTheFileWithoutErrors) {
  if (std::system("command -v dcmdump >/dev/null 2>&1") != 0) GTEST_SKIP() << "no dcmdump";
  std::uint64_t seed = 0;
  write_as(path_, GetParam(), seed);
  const fs::path log = path_.string() + ".dump";
  const std::string command = "dcmdump -q '" + path_.string() + "' > '" + log.string() + "' 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0);
  const std::string dump = read_bytes(log);
  EXPECT_EQ(dump.find("E: "), std::string::npos) << dump;
  EXPECT_NE(dump.find("GARCIA^MARIA"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(AllTransferSyntaxes, SynthDicomRoundTrip, ::testing::ValuesIn(round_trip_cases()), case_name);

// ---- structure ------------------------------------------------------------------------------

class SynthDicomStructure : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = scratch_.path() / "structure.dcm";
    written_ = write_fixture(path_, kExplicitLittle, false, 12);
    ASSERT_TRUE(file_.loadFile(path_.c_str()).good());
  }
  DcmDataset& dataset() { return *file_.getDataset(); }

  ScratchDir scratch_;
  fs::path path_;
  WrittenFile written_;
  DcmFileFormat file_;
};

TEST_F(SynthDicomStructure, NestsSequencesAtLeastThreeDeepWithPhiAtTheThirdLevel) {
  EXPECT_GE(sequence_depth(dataset()), 3);
  std::string name;
  ASSERT_TRUE(find_by_key(dataset(),
                          "RequestAttributesSequence/ScheduledProtocolCodeSequence/"
                          "ProtocolContextSequence/PersonName",
                          name));
  EXPECT_EQ(name, "LOPEZ^JUAN");
  std::string study_uid;
  ASSERT_TRUE(find_by_key(dataset(),
                          "RequestAttributesSequence/ReferencedStudySequence/"
                          "ReferencedSOPInstanceUID",
                          study_uid));
  EXPECT_EQ(study_uid, "2.25.1111111111111111111");
}

TEST_F(SynthDicomStructure, CarriesPrivateCreatorsAndPrivateElements) {
  std::string value;
  ASSERT_TRUE(find_by_key(dataset(), "(0029,0010)", value));
  EXPECT_EQ(value, "MEDANON SYNTH 1.0");
  ASSERT_TRUE(find_by_key(dataset(), "(0029,1010)", value));
  EXPECT_EQ(value, "GARCIA^MARIA");
  ASSERT_TRUE(find_by_key(dataset(), "(0029,1011)", value));
  EXPECT_EQ(value, "40817263");
  ASSERT_TRUE(find_by_key(dataset(), "(0029,1020)", value));
  EXPECT_EQ(value, "19560314");
  ASSERT_TRUE(find_by_key(dataset(), "(0019,0010)", value));
  EXPECT_FALSE(value.empty());
  ASSERT_TRUE(find_by_key(dataset(), "(0019,1005)", value));
  EXPECT_EQ(value, "CRROOM2");
  ASSERT_TRUE(find_by_key(dataset(), "RequestAttributesSequence/(0029,0010)", value));
  EXPECT_EQ(value, "MEDANON SYNTH 1.0");
  ASSERT_TRUE(find_by_key(dataset(), "RequestAttributesSequence/(0029,1030)", value));
  EXPECT_EQ(value, "MARIA GARCIA");
}

TEST_F(SynthDicomStructure, ReferencedImageSequenceCarriesTheOtherImagesOfTheStudy) {
  DcmItem* item = nullptr;
  EXPECT_TRUE(dataset().findAndGetSequenceItem(DCM_ReferencedImageSequence, item, 2).bad());
  for (size_t i = 0; i < kReferenced.size(); ++i) {
    std::string uid;
    const std::string key = "ReferencedImageSequence[" + std::to_string(i) + "]/ReferencedSOPInstanceUID";
    ASSERT_TRUE(find_by_key(dataset(), key, uid));
    EXPECT_EQ(uid, kReferenced[i]);
    EXPECT_EQ(written_.phi.at(key), kReferenced[i]);
  }
}

TEST_F(SynthDicomStructure, WritesIdentityAndImageAttributesAsPlanned) {
  OFString value;
  const auto text = [&](const DcmTagKey& tag) {
    value.clear();
    dataset().findAndGetOFStringArray(tag, value);
    return std::string(value.c_str());
  };
  EXPECT_EQ(text(DCM_PatientName), "GARCIA^MARIA");
  EXPECT_EQ(text(DCM_PatientAge), "067Y");
  EXPECT_EQ(text(DCM_SOPInstanceUID), "2.25.4444444444444444444");
  EXPECT_EQ(text(DCM_BodyPartExamined), "CHEST");
  EXPECT_EQ(text(DCM_ViewPosition), "PA");
  EXPECT_EQ(text(DCM_BurnedInAnnotation), "YES");
  EXPECT_EQ(text(DCM_PhotometricInterpretation), "MONOCHROME2");
  EXPECT_NE(text(DCM_ImageComments).find("MARIA GARCIA"), std::string::npos);
  const std::string modality = text(DCM_Modality);
  const std::string sop_class = text(DCM_SOPClassUID);
  if (modality == "CR") {
    EXPECT_EQ(sop_class, UID_ComputedRadiographyImageStorage);
  } else {
    EXPECT_EQ(modality, "DX");
    EXPECT_EQ(sop_class, UID_DigitalXRayImageStorageForPresentation);
  }
  Uint16 bits = 0;
  ASSERT_TRUE(dataset().findAndGetUint16(DCM_BitsStored, bits).good());
  EXPECT_EQ(bits, 12);
  ASSERT_TRUE(dataset().findAndGetUint16(DCM_HighBit, bits).good());
  EXPECT_EQ(bits, 11);
  OFString media_uid;
  ASSERT_TRUE(file_.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, media_uid).good());
  EXPECT_EQ(std::string(media_uid.c_str()), "2.25.4444444444444444444");
}

// ---- refusals -------------------------------------------------------------------------------

TEST(SynthDicomWriter, RefusesJpegBaselineFor16BitPixels) {
  const ScratchDir scratch;
  const fs::path path = scratch.path() / "baseline16.dcm";
  EXPECT_THROW(write_fixture(path, kJpegBaseline, false, 12), InternalError);
}

TEST(SynthDicomWriter, RefusesUnknownTransferSyntaxNames) {
  const ScratchDir scratch;
  const fs::path path = scratch.path() / "unknown.dcm";
  EXPECT_THROW(write_fixture(path, "jpeg-2000", false, 12), InternalError);
}

TEST(SynthDicomWriter, ReportsUnwritablePathsAsInternalError) {
  const ScratchDir scratch;
  const fs::path path = scratch.path() / "no such folder" / "x.dcm";
  EXPECT_THROW(write_fixture(path, kExplicitLittle, false, 12), InternalError);
}

TEST(SynthDicomWriter, LeavesEmptyIdentityValuesOutOfThePlantedPhi) {
  const ScratchDir scratch;
  const PatientIdentity patient = make_patient();
  StudyIdentity study = make_study();
  study.description.clear();
  const SeriesIdentity series = make_series();
  const ImagePlan plan = make_plan(kExplicitLittle, false, 12);
  const DicomContext context{plan, patient, study, series, {}};
  Rng rng = Rng::stream(42, 0, Stream::dicom);
  const auto phi = write_dicom((scratch.path() / "x.dcm").string(), context, make_image(12), rng);
  EXPECT_EQ(phi.count("StudyDescription"), 0u);
  EXPECT_EQ(phi.count("ReferencedImageSequence[0]/ReferencedSOPInstanceUID"), 0u);
  for (const auto& [key, value] : phi) EXPECT_FALSE(value.empty()) << key;
}

TEST(SynthDicomWriter, ListsEightDistinctTransferSyntaxes) {
  const std::vector<std::string>& names = all_transfer_syntaxes();
  EXPECT_EQ(names.size(), 8u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 8u);
}

}  // namespace
}  // namespace medanon::synth
