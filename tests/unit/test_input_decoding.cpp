// input/: a file's kind from its bytes, one parse per DICOM (PS3.10 files and bare datasets),
// every frame decoded to stored values (signed, multi-frame, colour models, JPEG 2000), views
// the pixel stages handle, and redaction carried back into stored values. Real files: the
// test set Debian's python3-pydicom ships (skipped where it is not installed).

#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "input/dicom_item.hpp"
#include "input/file_kind.hpp"
#include "input/jpeg2000.hpp"
#include "input/pixel_views.hpp"

namespace medanon::input {
namespace {

namespace fs = std::filesystem;

const fs::path kPydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

std::string pydicom_file(const std::string& name) {
  const fs::path path = kPydicom / name;
  if (!fs::exists(path)) return {};
  return path.string();
}

#define PYDICOM_OR_SKIP(variable, name)                                              \
  const std::string variable = pydicom_file(name);                                   \
  if (variable.empty()) GTEST_SKIP() << "python3-pydicom's test files are not installed"

DecodedPixels decode(const std::string& path, LoadResult& loaded) {
  loaded = load_dicom(path);
  EXPECT_TRUE(loaded.ok) << path << ": " << loaded.reason;
  if (!loaded.ok) return {};
  return decode_pixels(loaded.item);
}

TEST(InputKind, RecognisesFilesByTheirBytesBeforeTheirNames) {
  unsigned char part10[132] = {};
  std::memcpy(part10 + 128, "DICM", 4);
  EXPECT_EQ(kind_from_bytes(part10, sizeof part10), FileKind::dicom);
  const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  EXPECT_EQ(kind_from_bytes(png, sizeof png), FileKind::png);
  const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0};
  EXPECT_EQ(kind_from_bytes(jpeg, sizeof jpeg), FileKind::jpeg);
  // (0008,0005) CS explicit little endian, as a bare dataset starts.
  const unsigned char bare[] = {0x08, 0x00, 0x05, 0x00, 'C', 'S', 0x0a, 0x00};
  EXPECT_EQ(kind_from_bytes(bare, sizeof bare), FileKind::dicom_bare);
  const unsigned char text[] = {'P', 'a', 't', 'i', 'e', 'n', 't', ' '};
  EXPECT_EQ(kind_from_bytes(text, sizeof text), FileKind::unknown);
  EXPECT_EQ(kind_from_extension("a/b/IMAGE.DCM"), FileKind::dicom_bare);
}

TEST(InputDicom, BareDatasetsAreReadWithoutPreambleOrMetaHeader) {
  PYDICOM_OR_SKIP(path, "ExplVR_LitEndNoMeta.dcm");
  EXPECT_EQ(sniff_file(path), FileKind::dicom_bare);
  const LoadResult loaded = load_dicom(path);
  ASSERT_TRUE(loaded.ok) << loaded.reason;
  EXPECT_EQ(loaded.item.kind, FileKind::dicom_bare);
  EXPECT_FALSE(loaded.item.sop_class_uid.empty());
}

TEST(InputDicom, SignedCtIsDecodedSignExtendedAndViewedThroughItsWindow) {
  PYDICOM_OR_SKIP(path, "CT_small.dcm");
  LoadResult loaded;
  const DecodedPixels pixels = decode(path, loaded);
  ASSERT_TRUE(pixels.ok) << pixels.reason;
  ASSERT_EQ(pixels.frames.size(), 1U);
  EXPECT_TRUE(pixels.description.is_signed);
  EXPECT_EQ(pixels.frames[0].type(), CV_16SC1);
  double low = 0, high = 0;
  cv::minMaxLoc(pixels.frames[0], &low, &high);
  EXPECT_LT(low, high);
  bool stored = true;
  const pixel::PixelImage view = frame_view(pixels, pixels.frames[0], loaded.item.dataset(), stored);
  EXPECT_FALSE(stored);
  EXPECT_EQ(view.pixels.type(), CV_8UC1);
  cv::minMaxLoc(view.pixels, &low, &high);
  EXPECT_GT(high - low, 100) << "the window spreads the tissue over the 8-bit range";
}

TEST(InputDicom, EveryFrameOfAMultiFrameColourImageIsDecoded) {
  PYDICOM_OR_SKIP(path, "SC_rgb_rle_2frame.dcm");
  LoadResult loaded;
  const DecodedPixels pixels = decode(path, loaded);
  ASSERT_TRUE(pixels.ok) << pixels.reason;
  ASSERT_EQ(pixels.frames.size(), 2U);
  EXPECT_EQ(pixels.frames[0].type(), CV_8UC3);
  EXPECT_GT(cv::norm(pixels.frames[0], pixels.frames[1], cv::NORM_INF), 0) << "pydicom's second frame is the inverse";
  const std::vector<int> first = first_equal_frame({pixels.frames[0], pixels.frames[1], pixels.frames[0].clone()});
  EXPECT_EQ(first, (std::vector<int>{0, 1, 0}));
}

TEST(InputDicom, Ybr422IsExpandedAndPackedBackUnchanged) {
  PYDICOM_OR_SKIP(path, "SC_ybr_full_422_uncompressed.dcm");
  LoadResult loaded;
  const DecodedPixels pixels = decode(path, loaded);
  ASSERT_TRUE(pixels.ok) << pixels.reason;
  EXPECT_EQ(pixels.photometric, "YBR_FULL_422");
  const Uint8* stored = nullptr;
  unsigned long length = 0;
  ASSERT_TRUE(loaded.item.dataset().findAndGetUint8Array(DCM_PixelData, stored, &length).good());
  const std::vector<std::uint8_t> packed = native_bytes(pixels.frames, pixels);
  ASSERT_LE(packed.size(), length);
  EXPECT_TRUE(std::equal(packed.begin(), packed.end(), stored));
}

TEST(InputDicom, Jpeg2000FramesDecodeToTheSameValuesAsTheUncompressedFile) {
  PYDICOM_OR_SKIP(j2k, "MR_small_jp2klossless.dcm");
  PYDICOM_OR_SKIP(native, "MR_small.dcm");
  LoadResult a, b;
  const DecodedPixels compressed = decode(j2k, a);
  const DecodedPixels plain = decode(native, b);
  ASSERT_TRUE(compressed.ok) << compressed.reason;
  ASSERT_TRUE(plain.ok) << plain.reason;
  EXPECT_EQ(cv::norm(compressed.frames[0], plain.frames[0], cv::NORM_INF), 0.0);
}

// 8-bit samples in an OW element of a big endian file (PS3.5 8.1.1 packs them into words):
// decoded in the order DCMTK's own renderer (dcm2pnm) shows them.
TEST(InputDicom, BigEndianEightBitColourMatchesDcmtksRendering) {
  PYDICOM_OR_SKIP(path, "ExplVR_BigEnd.dcm");
  const fs::path ppm = fs::temp_directory_path() / ("medanon_be_" + std::to_string(::getpid()) + ".ppm");
  ASSERT_EQ(std::system(("dcm2pnm --write-raw-pnm '" + path + "' '" + ppm.string() + "' > /dev/null 2>&1").c_str()), 0);
  cv::Mat rendered = cv::imread(ppm.string(), cv::IMREAD_COLOR);  // BGR
  fs::remove(ppm);
  ASSERT_FALSE(rendered.empty());
  LoadResult loaded;
  const DecodedPixels pixels = decode(path, loaded);
  ASSERT_TRUE(pixels.ok) << pixels.reason;
  cv::Mat rgb;
  cv::cvtColor(rendered, rgb, cv::COLOR_BGR2RGB);
  EXPECT_EQ(cv::norm(pixels.frames[0], rgb, cv::NORM_INF), 0.0);
}

TEST(InputJpeg2000, LosslessEncodingRoundTripsEverySampleType) {
  cv::RNG rng(7);
  for (const int type : {CV_8UC1, CV_16UC1, CV_16SC1, CV_8UC3}) {
    cv::Mat frame(37, 53, type);
    rng.fill(frame, cv::RNG::UNIFORM, type == CV_16SC1 ? -2048 : 0, type == CV_16SC1 ? 2047 : type == CV_16UC1 ? 4095 : 255);
    const int bits = CV_MAT_DEPTH(type) == CV_8U ? 8 : 12;
    const std::vector<std::uint8_t> stream = encode_j2k_lossless(frame, bits);
    const cv::Mat back = decode_j2k_frame(stream, type == CV_16SC1, bits);
    ASSERT_EQ(back.type(), type);
    EXPECT_EQ(cv::norm(back, frame, cv::NORM_INF), 0.0) << type;
  }
}

TEST(InputDicom, OneBitAnd32BitPixelsAreRefusedWithAReason) {
  PYDICOM_OR_SKIP(dose, "rtdose.dcm");
  LoadResult loaded;
  const DecodedPixels pixels = decode(dose, loaded);
  EXPECT_FALSE(pixels.ok);
  EXPECT_NE(pixels.reason.find("32-bit"), std::string::npos) << pixels.reason;
}

TEST(InputViews, RedactionIsFilledInStoredValuesAsDisplayBlack) {
  DecodedPixels pixels;
  pixels.ok = true;
  pixels.description.bits_stored = 12;
  pixels.photometric = "MONOCHROME2";
  cv::Mat frame(20, 20, CV_16SC1, cv::Scalar(300));
  frame.at<std::int16_t>(0, 0) = -1024;
  cv::Mat mask = cv::Mat::zeros(20, 20, CV_8UC1);
  mask(cv::Rect(5, 5, 4, 4)).setTo(255);
  DcmDataset dataset;
  fill_black(frame, mask, pixels, dataset);
  EXPECT_EQ(frame.at<std::int16_t>(6, 6), -1024) << "a signed frame's own darkest value";
  EXPECT_EQ(frame.at<std::int16_t>(10, 10), 300);

  pixels.photometric = "YBR_FULL";
  cv::Mat colour(20, 20, CV_8UC3, cv::Scalar(200, 90, 160));
  fill_black(colour, mask, pixels, dataset);
  EXPECT_EQ(colour.at<cv::Vec3b>(6, 6), cv::Vec3b(0, 128, 128));
}

}  // namespace
}  // namespace medanon::input
