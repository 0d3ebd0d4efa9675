// The Huffman-only deflate writer: every stream inflates (with libdeflate, an independent
// decoder) to the input bit for bit, whatever the data's statistics and block sizes, and the
// length-limited codes are valid prefix codes.
#include <gtest/gtest.h>

#include <libdeflate.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "io/huffman_deflate.hpp"

namespace medanon::io {
namespace {

std::vector<std::uint8_t> inflate(const std::vector<std::uint8_t>& stream, std::size_t size) {
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> decompressor(
      libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  std::vector<std::uint8_t> out(size);
  std::size_t actual = 0;
  const auto result =
      libdeflate_zlib_decompress(decompressor.get(), stream.data(), stream.size(), out.data(), out.size(), &actual);
  EXPECT_EQ(result, LIBDEFLATE_SUCCESS);  // also checks the Adler-32 trailer
  out.resize(actual);
  return out;
}

void expect_round_trip(const std::vector<std::uint8_t>& data, std::size_t block_bytes) {
  const auto stream = huffman_zlib_compress(data.data(), data.size(), block_bytes);
  EXPECT_EQ(inflate(stream, data.size()), data) << data.size() << " bytes, blocks of " << block_bytes;
}

TEST(HuffmanDeflate, SkewedNoiseRoundTripsAndShrinks) {
  std::mt19937 rng(1);
  std::geometric_distribution<int> residual(0.3);  // small filter residuals, as in radiographs
  std::vector<std::uint8_t> data(300000);
  for (auto& byte : data) byte = static_cast<std::uint8_t>(residual(rng) * ((rng() & 1) ? 1 : -1));
  for (const std::size_t block : {std::size_t{1000}, std::size_t{65536}, std::size_t{1} << 18, std::size_t{1} << 22}) {
    expect_round_trip(data, block);
  }
  EXPECT_LT(huffman_zlib_compress(data.data(), data.size()).size(), data.size() / 2);
}

TEST(HuffmanDeflate, EdgeCasesRoundTrip) {
  expect_round_trip({}, 1 << 18);
  expect_round_trip({42}, 1 << 18);
  expect_round_trip(std::vector<std::uint8_t>(100000, 7), 1 << 18);  // one symbol (and end-of-block)
  std::vector<std::uint8_t> two(70000);
  for (std::size_t i = 0; i < two.size(); ++i) two[i] = i % 3 == 0 ? 200 : 1;
  expect_round_trip(two, 4096);
}

TEST(HuffmanDeflate, IncompressibleDataFallsBackToStoredBlocks) {
  std::mt19937 rng(2);
  std::vector<std::uint8_t> data(200000);
  for (auto& byte : data) byte = static_cast<std::uint8_t>(rng());
  const auto stream = huffman_zlib_compress(data.data(), data.size());
  EXPECT_EQ(inflate(stream, data.size()), data);
  EXPECT_LE(stream.size(), data.size() + 5 * (data.size() / 65535 + 2) + 6);
}

TEST(HuffmanDeflate, LengthLimitedCodesAreCompletePrefixCodes) {
  // Fibonacci frequencies give an unlimited Huffman code as deep as the alphabet is long.
  std::vector<std::uint64_t> frequencies(40);
  frequencies[0] = frequencies[1] = 1;
  for (std::size_t i = 2; i < frequencies.size(); ++i) frequencies[i] = frequencies[i - 1] + frequencies[i - 2];
  frequencies.push_back(0);  // an unused symbol
  for (const int limit : {7, 15}) {
    const auto lengths = limited_code_lengths(frequencies, limit);
    double kraft = 0;
    for (std::size_t s = 0; s + 1 < frequencies.size(); ++s) {
      ASSERT_GE(lengths[s], 1);
      ASSERT_LE(lengths[s], limit);
      kraft += std::ldexp(1.0, -lengths[s]);
    }
    EXPECT_EQ(lengths.back(), 0);
    EXPECT_DOUBLE_EQ(kraft, 1.0) << "limit " << limit;
    EXPECT_LE(lengths[39], lengths[0]);  // the most frequent symbol: not longer than the rarest
  }
  EXPECT_EQ(limited_code_lengths({0, 5, 0}, 15), (std::vector<std::uint8_t>{0, 1, 0}));
}

}  // namespace
}  // namespace medanon::io
