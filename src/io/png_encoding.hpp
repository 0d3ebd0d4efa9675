#pragma once
// Stage 7 for PNG outputs: the redacted pixels as a lossless PNG (ISO/IEC 15948), written by
// hand over libdeflate. For 2048² 16-bit radiographs OpenCV's encoder (libpng + zlib, already
// at its fastest: level 1, run-length strategy, SUB filter) cost about as much as all the
// detection stages together; most of it is zlib's deflate, which cannot do better on noisy
// low bytes. libdeflate's stored mode (level 0) writes the same pixels in a quarter of that
// time, ~1.5x larger; its levels 1-12 trade time for size like zlib's.

#include <opencv2/core.hpp>

#include <cstdint>
#include <vector>

namespace medanon::io {

// encode_png's `level` for Huffman-only deflate (io/huffman_deflate.hpp): the default for
// radiographs, faster than libdeflate's level 1 and as small.
constexpr int kPngHuffmanOnly = -1;

// True for the types encode_png takes.
bool png_encodable(const cv::Mat& pixels);

// Encodes CV_8UC1, CV_16UC1, CV_8UC3 or CV_16UC3 (BGR, as OpenCV holds colour) as grey or RGB
// PNG of the same depth, non-interlaced, with no ancillary chunks (no metadata can leak).
// `level`: kPngHuffmanOnly, 0 stores the rows uncompressed (fastest, largest), 1-12 are
// libdeflate's levels (string matching: far smaller for flat images such as masks).
// Other types throw std::invalid_argument.
std::vector<std::uint8_t> encode_png(const cv::Mat& pixels, int level);

}  // namespace medanon::io
