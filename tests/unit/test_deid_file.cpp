// The per-file stage: every transfer syntax in and out with the pixel data untouched byte for
// byte, changed pixels re-encoded losslessly, the marks, bad input as results, the original
// left alone, and the custodian mapping private to its owner.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "deid/mapping_file.hpp"
#include "input/dicom_item.hpp"
#include "input/pixel_views.hpp"
#include "io/atomic_file.hpp"
#include "tests/unit/deid_corpus_fixture.hpp"
#include "tests/unit/dicom_values.hpp"

namespace medanon::deid {
namespace {

using namespace medanon::deid::testing;

using medanon::testing::value_of;

// The pixel data element's bytes as stored: the native value, or the encapsulated fragments.
std::vector<std::uint8_t> stored_pixel_bytes(const std::string& path) {
  DcmFileFormat file;
  EXPECT_TRUE(file.loadFile(path.c_str()).good()) << path;
  DcmElement* element = nullptr;
  EXPECT_TRUE(file.getDataset()->findAndGetElement(DCM_PixelData, element).good());
  auto* pixels = static_cast<DcmPixelData*>(element);
  std::vector<std::uint8_t> bytes;
  DcmPixelSequence* fragments = nullptr;
  const E_TransferSyntax syntax = file.getDataset()->getOriginalXfer();
  if (DcmXfer(syntax).isEncapsulated() && pixels->getEncapsulatedRepresentation(syntax, nullptr, fragments).good()) {
    for (unsigned long i = 0; i < fragments->card(); ++i) {
      DcmPixelItem* item = nullptr;
      fragments->getItem(item, i);
      Uint8* data = nullptr;
      item->getUint8Array(data);
      bytes.insert(bytes.end(), data, data + item->getLength());
    }
  } else {
    Uint8* data = nullptr;
    pixels->getUint8Array(data);
    bytes.assign(data, data + pixels->getLength());
  }
  return bytes;
}

// Decoded stored values of a one-frame grey image.
cv::Mat decoded_pixels(const std::string& path) {
  DcmFileFormat file;
  EXPECT_TRUE(file.loadFile(path.c_str()).good());
  DcmDataset& dataset = *file.getDataset();
  EXPECT_TRUE(dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).good());
  Uint16 rows = 0, columns = 0, bits = 0;
  dataset.findAndGetUint16(DCM_Rows, rows);
  dataset.findAndGetUint16(DCM_Columns, columns);
  dataset.findAndGetUint16(DCM_BitsAllocated, bits);
  if (bits == 8) {
    const Uint8* data = nullptr;
    dataset.findAndGetUint8Array(DCM_PixelData, data);
    return cv::Mat(rows, columns, CV_8UC1, const_cast<Uint8*>(data)).clone();
  }
  const Uint16* data = nullptr;
  dataset.findAndGetUint16Array(DCM_PixelData, data);
  return cv::Mat(rows, columns, CV_16UC1, const_cast<Uint16*>(data)).clone();
}

std::string input_of(const nlohmann::json& image) { return (deid_corpus() / image["path"].get<std::string>()).string(); }

nlohmann::json image_with_syntax(const std::string& syntax) {
  for (const auto& image : dicom_images()) {
    if (image["transfer_syntax"] == syntax) return image;
  }
  ADD_FAILURE() << "no image in " << syntax;
  return {};
}

TEST(DeidFile, EveryTransferSyntaxIsWrittenBackWithThePixelDataByteIdentical) {
  TestFolder out;
  const FileDeidentifier deidentifier(shipped_config(), test_key());
  std::set<std::string> syntaxes;
  for (const auto& image : dicom_images()) {
    const FileResult result = deidentifier.deidentify({input_of(image), out.path().string(), false, nullptr});
    ASSERT_TRUE(result.ok) << image["path"] << ": " << result.error;
    DcmFileFormat written;
    ASSERT_TRUE(written.loadFile(result.output_path.c_str()).good());
    EXPECT_EQ(DcmXfer(written.getDataset()->getOriginalXfer()).getXferID(), result.transfer_syntax_uid);
    EXPECT_EQ(stored_pixel_bytes(result.output_path), stored_pixel_bytes(input_of(image))) << image["path"];
    syntaxes.insert(image["transfer_syntax"].get<std::string>());
  }
  EXPECT_EQ(syntaxes.size(), 8U);
}

TEST(DeidFile, LeavesTheOriginalUntouched) {
  TestFolder out;
  const nlohmann::json image = dicom_images().front();
  const std::vector<std::uint8_t> before = io::read_bytes(input_of(image));
  ASSERT_TRUE(FileDeidentifier(shipped_config(), test_key()).deidentify({input_of(image), out.path().string()}).ok);
  EXPECT_EQ(io::read_bytes(input_of(image)), before);
}

TEST(DeidFile, MarksTheOutputAsDeidentifiedWithItsMethodCodes) {
  const FileDeidentifier deidentifier(shipped_config(), test_key());
  const std::string input = input_of(dicom_images().front());
  for (const bool cleaned : {false, true}) {
    TestFolder out;  // one output per folder: a second, different file of one instance is a duplicate
    const FileResult result = deidentifier.deidentify({input, out.path().string(), cleaned, nullptr});
    ASSERT_TRUE(result.ok) << result.error;
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(result.output_path.c_str()).good());
    DcmDataset& dataset = *file.getDataset();
    EXPECT_EQ(value_of(dataset, DCM_PatientIdentityRemoved), "YES");
    EXPECT_EQ(value_of(dataset, DCM_LongitudinalTemporalInformationModified), "MODIFIED");
    EXPECT_NE(value_of(dataset, DCM_DeidentificationMethod).find("2024b"), std::string::npos);
    std::set<std::string> codes;
    DcmItem* item = nullptr;
    for (long i = 0; dataset.findAndGetSequenceItem(DCM_DeidentificationMethodCodeSequence, item, i).good(); ++i) {
      codes.insert(value_of(*item, DCM_CodeValue));
      EXPECT_EQ(value_of(*item, DCM_CodingSchemeDesignator), "DCM");
    }
    EXPECT_TRUE(codes.count("113100") && codes.count("113107"));
    EXPECT_EQ(codes.count("113101"), cleaned ? 1U : 0U);  // Clean Pixel Data only when the pixel stage said so
    // The synth image has burned-in text: YES stays unless the pixel stage cleaned it.
    EXPECT_EQ(value_of(dataset, DCM_BurnedInAnnotation), cleaned ? "NO" : "YES");
    EXPECT_EQ(value_of(*file.getMetaInfo(), DCM_MediaStorageSOPInstanceUID), value_of(dataset, DCM_SOPInstanceUID));
  }
}

TEST(DeidFile, RejectsEveryBadFileWithAReasonAndWritesNothing) {
  TestFolder out;
  const FileDeidentifier deidentifier(shipped_config(), test_key());
  int bad_dicom = 0;
  const nlohmann::json truth = deid_ground_truth();
  for (const auto& bad : truth["bad_files"]) {
    const std::string path = (deid_corpus() / bad["path"].get<std::string>()).string();
    if (path.size() < 4 || path.substr(path.size() - 4) != ".dcm") continue;
    const FileResult result = deidentifier.deidentify({path, out.path().string()});
    EXPECT_FALSE(result.ok) << path;
    EXPECT_FALSE(result.error.empty()) << path;
    ++bad_dicom;
  }
  EXPECT_EQ(bad_dicom, 5);
  EXPECT_TRUE(fs::is_empty(out.path()));
  EXPECT_FALSE(deidentifier.deidentify({"/nonexistent.dcm", out.path().string()}).ok);
}

// A file in a syntax nothing here decodes (MPEG-2 video): one explicit little endian corpus
// file whose pixel data is swapped for an encapsulated stream; the header is all that matters.
std::string write_undecodable_file(const fs::path& folder) {
  DcmFileFormat file;
  EXPECT_TRUE(file.loadFile(input_of(image_with_syntax("explicit-le")).c_str()).good());
  // DCMTK owns what is inserted into its containers (the pixel items, sequence and element).
  auto* sequence = new DcmPixelSequence(DcmTag(DCM_PixelSequenceTag));
  sequence->insert(new DcmPixelItem(DcmTag(DCM_PixelItemTag)));  // empty basic offset table
  auto* fragment = new DcmPixelItem(DcmTag(DCM_PixelItemTag));
  // SOC + a SIZ marker declaring one 12-bit component (T.800 A.5.1): no bits above BitsStored,
  // so header-only de-identification may copy it (deid/byte_hygiene.hpp).
  Uint8 stream[46] = {0xff, 0x4f, 0xff, 0x51, 0, 41};
  stream[41] = 1;     // Csiz
  stream[42] = 11;    // Ssiz: 12 bits, unsigned
  stream[43] = stream[44] = 1;
  fragment->putUint8Array(stream, sizeof stream);
  sequence->insert(fragment);
  auto* pixels = new DcmPixelData(DCM_PixelData);
  pixels->putOriginalRepresentation(EXS_MPEG2MainProfileAtMainLevel, nullptr, sequence);
  file.getDataset()->insert(pixels, /*replaceOld=*/OFTrue);
  const std::string path = (folder / "mpeg2.dcm").string();
  EXPECT_TRUE(file.saveFile(path.c_str(), EXS_MPEG2MainProfileAtMainLevel).good());
  return path;
}

TEST(DeidFile, RejectsUndecodablePixelsUnlessHeaderOnlyIsConfigured) {
  TestFolder folder;
  const std::string input = write_undecodable_file(folder.path());
  const std::string out = (folder.path() / "out").string();
  const FileResult refused = FileDeidentifier(shipped_config(), test_key()).deidentify({input, out});
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.error.find("MPEG2"), std::string::npos) << refused.error;
  DeidConfig header_only = shipped_config();
  header_only.header_only_for_undecodable = true;
  const FileResult accepted = FileDeidentifier(header_only, test_key()).deidentify({input, out});
  ASSERT_TRUE(accepted.ok) << accepted.error;
  EXPECT_FALSE(accepted.pixels_decodable);
  EXPECT_EQ(accepted.warnings.size(), 1U);
  EXPECT_EQ(stored_pixel_bytes(accepted.output_path), stored_pixel_bytes(input));
}

TEST(DeidFile, NewPixelsAreReencodedLosslesslyInTheSourceSyntax) {
  TestFolder out;
  const FileDeidentifier deidentifier(shipped_config(), test_key());
  for (const std::string syntax : {"jpeg-lossless", "jpeg-ls-lossless", "rle", "explicit-be", "jpeg-baseline"}) {
    const std::string input = input_of(image_with_syntax(syntax));
    cv::Mat pixels = decoded_pixels(input);
    pixels(cv::Rect(0, 0, pixels.cols / 2, 10)).setTo(0);  // a redacted band
    const FileResult result = deidentifier.deidentify({input, out.path().string(), true, &pixels});
    ASSERT_TRUE(result.ok) << syntax << ": " << result.error;
    EXPECT_TRUE(result.pixels_reencoded);
    DcmFileFormat written;
    ASSERT_TRUE(written.loadFile(result.output_path.c_str()).good());
    const E_TransferSyntax expected =
        syntax == "jpeg-baseline" ? EXS_LittleEndianExplicit : DcmXfer(result.transfer_syntax_uid.c_str()).getXfer();
    EXPECT_EQ(written.getDataset()->getOriginalXfer(), expected) << syntax;  // lossy sources: no second generation
    EXPECT_EQ(cv::norm(decoded_pixels(result.output_path), pixels, cv::NORM_INF), 0.0) << syntax;
  }
}

TEST(DeidFile, RejectsNewPixelsOfTheWrongSize) {
  TestFolder out;
  const cv::Mat wrong(3, 3, CV_16UC1, cv::Scalar(0));
  const FileResult result = FileDeidentifier(shipped_config(), test_key())
                                .deidentify({input_of(dicom_images().front()), out.path().string(), true, &wrong});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("do not match"), std::string::npos);
}

TEST(DeidFile, CustodianMappingIsWrittenWithMode0600) {
  TestFolder out;
  const FileDeidentifier deidentifier(shipped_config(), test_key());
  MappingFile mapping;
  const nlohmann::json image = dicom_images().front();
  const FileResult result = deidentifier.deidentify({input_of(image), out.path().string()});
  mapping.add(result.pseudonyms);
  const std::string path = (out.path() / "mapping.tsv").string();
  mapping.write(path);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(image["phi"]["PatientID"].get<std::string>() + "\t" + result.pseudo_patient_id),
            std::string::npos);
  EXPECT_NE(text.find(image["phi"]["SOPInstanceUID"].get<std::string>() + "\t" + result.sop_instance_uid),
            std::string::npos);
}

// Several inputs of one SOP Instance UID: the first is written, a different one is a duplicate
// and is not written, the same input again (a resumed item) is simply done.
TEST(DeidFile, ASecondDifferentFileOfOneInstanceIsADuplicateAndNeverOverwrites) {
  TestFolder out;
  const FileDeidentifier deidentifier(shipped_config(), test_key());
  const std::string input = input_of(dicom_images().front());
  const FileResult first = deidentifier.deidentify({input, out.path().string()});
  ASSERT_TRUE(first.ok) << first.error;
  const std::vector<std::uint8_t> written = io::read_bytes(first.output_path);

  const FileResult again = deidentifier.deidentify({input, out.path().string()});
  EXPECT_TRUE(again.ok) << again.error;
  EXPECT_TRUE(again.already_written);
  EXPECT_FALSE(again.duplicate);

  // The same instance with other content (here: another pixel-stage verdict, so other marks).
  const FileResult other = deidentifier.deidentify({input, out.path().string(), /*pixels_cleaned=*/true, nullptr});
  EXPECT_FALSE(other.ok);
  EXPECT_TRUE(other.duplicate);
  EXPECT_NE(other.error.find("duplicate"), std::string::npos);
  EXPECT_EQ(io::read_bytes(first.output_path), written);
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out.path())) files += entry.is_regular_file();
  EXPECT_EQ(files, 1U) << "no temporary file is left behind";
}

// A dataset without preamble and meta header is written back as a PS3.10 file.
TEST(DeidFile, BareDatasetsAreWrittenAsPart10Files) {
  TestFolder out;
  DcmFileFormat source;
  ASSERT_TRUE(source.loadFile(input_of(image_with_syntax("explicit-le")).c_str()).good());
  const std::string bare = (out.path() / "bare.dcm").string();
  ASSERT_TRUE(source.getDataset()->saveFile(bare.c_str(), EXS_LittleEndianImplicit).good());
  const FileResult result = FileDeidentifier(shipped_config(), test_key()).deidentify({bare, (out.path() / "out").string()});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(result.bare_input);
  const std::vector<std::uint8_t> bytes = io::read_bytes(result.output_path);
  ASSERT_GT(bytes.size(), 132U);
  EXPECT_EQ(std::string(bytes.begin() + 128, bytes.begin() + 132), "DICM");
  DcmFileFormat written;
  ASSERT_TRUE(written.loadFile(result.output_path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_fileOnly).good());
  EXPECT_EQ(value_of(*written.getMetaInfo(), DCM_TransferSyntaxUID), UID_LittleEndianImplicitTransferSyntax);
}

// PS3.15 E.1-1 lets the Content Sequence go; without Clean Structured Content it does, and
// encapsulated documents are refused unless configured header-only.
TEST(DeidFile, StructuredContentGoesAndDocumentsAreRefusedByDefault) {
  TestFolder out;
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(input_of(dicom_images().front()).c_str()).good());
  DcmDataset& dataset = *file.getDataset();
  dataset.findAndDeleteElement(DCM_PixelData);
  dataset.putAndInsertString(DCM_SOPClassUID, UID_BasicTextSRStorage);
  DcmItem* content = nullptr;
  ASSERT_TRUE(dataset.findOrCreateSequenceItem(DCM_ContentSequence, content, -2).good());
  content->putAndInsertString(DCM_TextValue, "free text");
  const std::string sr = (out.path() / "sr.dcm").string();
  ASSERT_TRUE(file.saveFile(sr.c_str(), EXS_LittleEndianExplicit).good());
  const FileResult removed = FileDeidentifier(shipped_config(), test_key()).deidentify({sr, (out.path() / "a").string()});
  ASSERT_TRUE(removed.ok) << removed.error;
  EXPECT_EQ(removed.object_family, "structured report");
  // The method codes an output claims (DeidentificationMethodCodeSequence).
  const auto method_codes_of = [](const std::string& path) {
    DcmFileFormat written;
    EXPECT_TRUE(written.loadFile(path.c_str()).good());
    std::vector<std::string> codes;
    DcmItem* item = nullptr;
    for (int i = 0; written.getDataset()->findAndGetSequenceItem(DCM_DeidentificationMethodCodeSequence, item, i).good();
         ++i) {
      codes.push_back(value_of(*item, DCM_CodeValue));
    }
    return codes;
  };
  const std::string csc = "113104";  // Clean Structured Content Option (PS3.15 E.3.4)
  DcmFileFormat written;
  ASSERT_TRUE(written.loadFile(removed.output_path.c_str()).good());
  EXPECT_FALSE(written.getDataset()->tagExists(DCM_ContentSequence));
  const std::vector<std::string> removed_codes = method_codes_of(removed.output_path);
  EXPECT_EQ(std::count(removed_codes.begin(), removed_codes.end(), csc), 0);
  EXPECT_EQ(std::count(removed_codes.begin(), removed_codes.end(), "113100"), 1);

  // With Clean Structured Content the content stays, cleaned, and the option is claimed.
  DeidConfig clean = shipped_config();
  clean.clean_structured_content = true;
  const FileResult cleaned = FileDeidentifier(clean, test_key()).deidentify({sr, (out.path() / "d").string()});
  ASSERT_TRUE(cleaned.ok) << cleaned.error;
  DcmFileFormat kept;
  ASSERT_TRUE(kept.loadFile(cleaned.output_path.c_str()).good());
  EXPECT_TRUE(kept.getDataset()->tagExists(DCM_ContentSequence));
  const std::vector<std::string> cleaned_codes = method_codes_of(cleaned.output_path);
  EXPECT_EQ(std::count(cleaned_codes.begin(), cleaned_codes.end(), csc), 1);

  dataset.putAndInsertString(DCM_SOPClassUID, UID_EncapsulatedPDFStorage);
  const std::string pdf = (out.path() / "pdf.dcm").string();
  ASSERT_TRUE(file.saveFile(pdf.c_str(), EXS_LittleEndianExplicit).good());
  const FileResult refused = FileDeidentifier(shipped_config(), test_key()).deidentify({pdf, (out.path() / "b").string()});
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.error.find("encapsulated document"), std::string::npos) << refused.error;
  DeidConfig keep = shipped_config();
  keep.keep_documents_header_only = true;
  EXPECT_TRUE(FileDeidentifier(keep, test_key()).deidentify({pdf, (out.path() / "c").string()}).ok);
}

// Redacted frames of multi-frame, colour, signed and JPEG 2000 files (pydicom's test files) go
// back losslessly: JPEG 2000 as JPEG 2000 Lossless, RLE as RLE, and decode to exactly the
// frames that were handed in.
TEST(DeidFile, RedactedFramesOfEveryKindAreWrittenBackLosslessly) {
  const std::string root = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";
  if (!fs::exists(root + "MR_small_jp2klossless.dcm")) GTEST_SKIP() << "python3-pydicom's test files are not installed";
  const FileDeidentifier deidentifier(shipped_config(), test_key());
  const std::vector<std::pair<std::string, E_TransferSyntax>> cases = {
      {"MR_small_jp2klossless.dcm", EXS_JPEG2000LosslessOnly},  // signed, JPEG 2000
      {"SC_rgb_rle_2frame.dcm", EXS_RLELossless},               // colour, 2 frames
      {"SC_ybr_full_422_uncompressed.dcm", EXS_LittleEndianExplicit},
      {"CT_small.dcm", EXS_LittleEndianExplicit},
  };
  for (const auto& [name, expected_syntax] : cases) {
    TestFolder out;
    input::LoadResult loaded = input::load_dicom(root + name);
    ASSERT_TRUE(loaded.ok) << name;
    const input::DecodedPixels decoded = input::decode_pixels(loaded.item);
    ASSERT_TRUE(decoded.ok) << name << ": " << decoded.reason;
    std::vector<cv::Mat> frames;
    for (const cv::Mat& frame : decoded.frames) {
      cv::Mat redacted = frame.clone();
      cv::Mat mask = cv::Mat::zeros(frame.size(), CV_8UC1);
      mask(cv::Rect(0, 0, frame.cols / 2, 6)).setTo(255);
      DcmDataset& dataset = loaded.item.dataset();
      input::fill_black(redacted, mask, decoded, dataset);
      frames.push_back(redacted);
    }
    FileRequest request{root + name, out.path().string(), true, nullptr};
    request.item = &loaded.item;
    request.new_frames = &frames;
    request.decoded = &decoded;
    const FileResult result = deidentifier.deidentify(request);
    ASSERT_TRUE(result.ok) << name << ": " << result.error;
    input::LoadResult written = input::load_dicom(result.output_path);
    ASSERT_TRUE(written.ok) << name;
    EXPECT_EQ(written.item.source_syntax, expected_syntax) << name;
    const input::DecodedPixels back = input::decode_pixels(written.item);
    ASSERT_TRUE(back.ok) << name << ": " << back.reason;
    ASSERT_EQ(back.frames.size(), frames.size()) << name;
    for (size_t f = 0; f < frames.size(); ++f) {
      EXPECT_EQ(cv::norm(back.frames[f], frames[f], cv::NORM_INF), 0.0) << name << " frame " << f;
    }
  }
}

}  // namespace
}  // namespace medanon::deid
