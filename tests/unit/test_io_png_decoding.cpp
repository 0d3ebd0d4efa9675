// Stage 1's fast PNG path: it must return exactly what cv::imread returns for the files it
// takes (every filter type, 8/16-bit, grey and colour), and hand back everything else.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <vector>

#include "io/png_decoding.hpp"
#include "io/png_encoding.hpp"

namespace medanon::io {
namespace {

cv::Mat textured(int rows, int cols, int type) {
  cv::Mat pixels(rows, cols, type);
  cv::RNG rng(11);
  rng.fill(pixels, cv::RNG::NORMAL, 120, 40);  // noise around a level: libpng's filter choice varies per row
  cv::Mat ramp(rows, cols, type);
  for (int y = 0; y < rows; ++y) ramp.row(y).setTo(cv::Scalar::all(y * (CV_MAT_DEPTH(type) == CV_16U ? 300 : 1)));
  return pixels + ramp;
}

std::vector<std::uint8_t> opencv_png(const cv::Mat& pixels, int level) {
  std::vector<std::uint8_t> png;
  cv::imencode(".png", pixels, png, {cv::IMWRITE_PNG_COMPRESSION, level});
  return png;
}

TEST(PngDecoding, MatchesOpenCvOnEveryFilterDepthAndColour) {
  for (const int type : {CV_8UC1, CV_16UC1, CV_8UC3, CV_16UC3}) {
    const cv::Mat pixels = textured(41, 67, type);
    // OpenCV with an explicit level lets libpng pick among all five filters per row; our encoder
    // writes None (level 0) and Sub.
    for (const std::vector<std::uint8_t>& png :
         {opencv_png(pixels, 0), opencv_png(pixels, 6), encode_png(pixels, 0), encode_png(pixels, 1)}) {
      const std::optional<cv::Mat> fast = decode_simple_png(png, 1LL << 30);
      ASSERT_TRUE(fast.has_value()) << "type " << type;
      const cv::Mat reference = cv::imdecode(png, cv::IMREAD_UNCHANGED);
      ASSERT_EQ(fast->type(), reference.type());
      EXPECT_EQ(cv::norm(*fast, reference, cv::NORM_INF), 0) << "type " << type;
    }
  }
}

TEST(PngDecoding, SubRowsOfEveryWidthMatchOpenCv) {
  // The Sub filter is undone 16 bytes at a time for grey images: widths around and between
  // vector sizes check the carry from one vector to the next and the scalar tail.
  for (const int type : {CV_8UC1, CV_16UC1}) {
    for (int width = 1; width <= 41; ++width) {
      cv::Mat pixels(3, width, type);
      cv::RNG rng(static_cast<std::uint64_t>(width));
      rng.fill(pixels, cv::RNG::UNIFORM, 0, CV_MAT_DEPTH(type) == CV_16U ? 65536 : 256);  // both bytes of a sample vary
      const std::vector<std::uint8_t> png = encode_png(pixels, 1);  // every row Sub-filtered
      const std::optional<cv::Mat> fast = decode_simple_png(png, 1LL << 30);
      ASSERT_TRUE(fast.has_value()) << "type " << type << " width " << width;
      EXPECT_EQ(cv::norm(*fast, pixels, cv::NORM_INF), 0) << "type " << type << " width " << width;
    }
  }
}

TEST(PngDecoding, HandsBackCorruptOrUnusualFiles) {
  const cv::Mat pixels = textured(20, 30, CV_16UC1);
  std::vector<std::uint8_t> png = encode_png(pixels, 1);
  // A flipped bit in the IDAT data: the CRC no longer matches.
  std::vector<std::uint8_t> corrupt = png;
  corrupt[8 + 25 + 8 + 10] ^= 0x01;
  EXPECT_FALSE(decode_simple_png(corrupt, 1LL << 30).has_value());
  // Cut off before IEND.
  EXPECT_FALSE(decode_simple_png(std::vector<std::uint8_t>(png.begin(), png.end() - 12), 1LL << 30).has_value());
  // Too many pixels for the caller's limit: not even inflated.
  EXPECT_FALSE(decode_simple_png(png, 599).has_value());
  EXPECT_TRUE(decode_simple_png(png, 600).has_value());
  // With alpha, and 1-bit grey: OpenCV's business.
  EXPECT_FALSE(decode_simple_png(opencv_png(cv::Mat(8, 8, CV_8UC4, cv::Scalar::all(9)), 1), 1LL << 30).has_value());
  std::vector<std::uint8_t> bilevel;
  cv::imencode(".png", cv::Mat(8, 8, CV_8UC1, cv::Scalar(255)), bilevel, {cv::IMWRITE_PNG_BILEVEL, 1});
  EXPECT_FALSE(decode_simple_png(bilevel, 1LL << 30).has_value());
  EXPECT_FALSE(decode_simple_png({1, 2, 3}, 1LL << 30).has_value());
}

}  // namespace
}  // namespace medanon::io
