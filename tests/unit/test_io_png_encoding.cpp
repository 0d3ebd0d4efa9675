// Stage 7's PNG writer: every supported layout reads back bit for bit through an independent
// decoder (OpenCV's libpng), at every kind of level, and the file carries nothing but pixels.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "io/png_encoding.hpp"

namespace medanon::io {
namespace {

cv::Mat noisy(int rows, int cols, int type) {
  cv::Mat pixels(rows, cols, type);
  cv::RNG rng(7);
  rng.fill(pixels, cv::RNG::UNIFORM, 0, CV_MAT_DEPTH(type) == CV_16U ? 65536 : 256);
  // A flat run as well: redacted boxes are runs of one value.
  pixels(cv::Rect(0, 0, cols / 2, rows / 3)).setTo(cv::Scalar::all(3));
  return pixels;
}

std::vector<std::string> chunk_types(const std::vector<std::uint8_t>& png) {
  std::vector<std::string> types;
  for (size_t at = 8; at + 8 <= png.size();) {
    const size_t length = (size_t{png[at]} << 24) | (size_t{png[at + 1]} << 16) | (size_t{png[at + 2]} << 8) | png[at + 3];
    types.emplace_back(png.begin() + static_cast<long>(at + 4), png.begin() + static_cast<long>(at + 8));
    at += 12 + length;
  }
  return types;
}

TEST(PngEncoding, EveryLayoutAndLevelDecodesToTheSameSamples) {
  for (const int type : {CV_8UC1, CV_16UC1, CV_8UC3, CV_16UC3}) {
    const cv::Mat pixels = noisy(37, 53, type);
    for (const int level : {kPngHuffmanOnly, 0, 1, 6, 12}) {
      const std::vector<std::uint8_t> png = encode_png(pixels, level);
      const cv::Mat back = cv::imdecode(png, cv::IMREAD_UNCHANGED);
      ASSERT_EQ(back.type(), type) << "type " << type << " level " << level;
      EXPECT_EQ(cv::norm(back, pixels, cv::NORM_INF), 0) << "type " << type << " level " << level;
    }
  }
}

TEST(PngEncoding, CompressedLevelsAreSmallerThanStoredRows) {
  cv::Mat pixels(256, 256, CV_16UC1);
  for (int y = 0; y < pixels.rows; ++y) {
    for (int x = 0; x < pixels.cols; ++x) pixels.at<std::uint16_t>(y, x) = static_cast<std::uint16_t>(1000 + 3 * x + y);
  }
  const size_t stored = encode_png(pixels, 0).size();
  EXPECT_GT(stored, pixels.total() * 2);  // the rows themselves, plus filter bytes and framing
  EXPECT_LT(encode_png(pixels, 1).size(), stored / 4);
  // Huffman-only: the Sub filter leaves residuals of 3 and 0 bytes, about 1 bit each
  EXPECT_LT(encode_png(pixels, kPngHuffmanOnly).size(), stored / 4);
}

TEST(PngEncoding, WritesOnlyHeaderPixelsAndEnd) {
  const std::vector<std::uint8_t> png = encode_png(noisy(8, 8, CV_16UC1), 1);
  EXPECT_EQ(chunk_types(png), (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
}

TEST(PngEncoding, RefusesLayoutsItDoesNotWrite) {
  EXPECT_FALSE(png_encodable(cv::Mat(4, 4, CV_8UC4)));
  EXPECT_THROW(encode_png(cv::Mat(4, 4, CV_8UC4, cv::Scalar::all(1)), 1), std::invalid_argument);
  EXPECT_THROW(encode_png(cv::Mat(4, 4, CV_32FC1, cv::Scalar::all(1)), 1), std::invalid_argument);
  EXPECT_THROW(encode_png(cv::Mat(4, 4, CV_8UC1, cv::Scalar::all(1)), 13), std::invalid_argument);
  EXPECT_THROW(encode_png(cv::Mat(4, 4, CV_8UC1, cv::Scalar::all(1)), -2), std::invalid_argument);
}

}  // namespace
}  // namespace medanon::io
