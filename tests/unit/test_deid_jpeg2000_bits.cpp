// JPEG 2000 streams that declare more bits than BitsStored (encoders write the container's 16
// for 12-bit images): OpenJPEG decodes them and the values decide whether the fragments may be
// kept (deid/jpeg2000_bits.hpp, through deid::clean_pixel_data_bytes).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "deid/byte_hygiene.hpp"
#include "input/jpeg2000.hpp"

namespace medanon::deid {
namespace {

// A 12-bit (BitsAllocated 16) image whose single J2K fragment declares `precision` bits.
DcmDataset j2k_dataset(const cv::Mat& frame, int precision, bool is_signed) {
  DcmDataset dataset;
  dataset.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(frame.rows));
  dataset.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(frame.cols));
  dataset.putAndInsertUint16(DCM_SamplesPerPixel, 1);
  dataset.putAndInsertUint16(DCM_BitsAllocated, 16);
  dataset.putAndInsertUint16(DCM_BitsStored, 12);
  dataset.putAndInsertUint16(DCM_HighBit, 11);
  dataset.putAndInsertUint16(DCM_PixelRepresentation, is_signed ? 1 : 0);
  std::vector<std::uint8_t> stream = input::encode_j2k_lossless(frame, precision);
  if (stream.size() % 2 == 1) stream.push_back(0);
  auto* sequence = new DcmPixelSequence(DcmTag(DCM_PixelSequenceTag));
  sequence->insert(new DcmPixelItem(DcmTag(DCM_PixelItemTag)));
  auto* fragment = new DcmPixelItem(DcmTag(DCM_PixelItemTag));
  fragment->putUint8Array(stream.data(), static_cast<Uint32>(stream.size()));
  sequence->insert(fragment);
  auto* pixels = new DcmPixelData(DCM_PixelData);
  pixels->putOriginalRepresentation(EXS_JPEG2000LosslessOnly, nullptr, sequence);
  dataset.insert(pixels, OFTrue);
  return dataset;
}

TEST(Jpeg2000Bits, StreamDeclaringSixteenBitsOfTwelveBitValuesIsKept) {
  cv::Mat frame(16, 16, CV_16UC1);
  cv::randu(frame, 0, 4096);
  DcmDataset dataset = j2k_dataset(frame, /*precision=*/16, /*is_signed=*/false);
  E_TransferSyntax syntax = EXS_JPEG2000LosslessOnly;
  EXPECT_EQ(clean_pixel_data_bytes(dataset, /*decodable=*/false, syntax), "");
  EXPECT_EQ(syntax, EXS_JPEG2000LosslessOnly) << "the fragments are kept as they were";
}

TEST(Jpeg2000Bits, OverlayBitAboveBitsStoredIsRefused) {
  cv::Mat frame(16, 16, CV_16UC1);
  cv::randu(frame, 0, 4096);
  frame.at<std::uint16_t>(3, 4) |= 0x8000;  // an overlay drawn in bit 15
  DcmDataset dataset = j2k_dataset(frame, 16, false);
  E_TransferSyntax syntax = EXS_JPEG2000LosslessOnly;
  EXPECT_NE(clean_pixel_data_bytes(dataset, false, syntax).find("bits above BitsStored"), std::string::npos);
}

TEST(Jpeg2000Bits, SignedValuesWithinBitsStoredAreKeptAndBeyondAreRefused) {
  cv::Mat frame(16, 16, CV_16SC1);
  cv::randu(frame, -2048, 2048);
  DcmDataset inside = j2k_dataset(frame, 16, true);
  E_TransferSyntax syntax = EXS_JPEG2000LosslessOnly;
  EXPECT_EQ(clean_pixel_data_bytes(inside, false, syntax), "");
  frame.at<std::int16_t>(0, 0) = 3000;  // needs a 13th bit
  DcmDataset beyond = j2k_dataset(frame, 16, true);
  EXPECT_NE(clean_pixel_data_bytes(beyond, false, syntax), "");
}

}  // namespace
}  // namespace medanon::deid
