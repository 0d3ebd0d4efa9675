#include "io/png_encoding.hpp"

#include <libdeflate.h>

#include "io/huffman_deflate.hpp"

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace medanon::io {
namespace {

struct CompressorDeleter {
  void operator()(libdeflate_compressor* compressor) const { libdeflate_free_compressor(compressor); }
};
using Compressor = std::unique_ptr<libdeflate_compressor, CompressorDeleter>;

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

// A chunk: length, type, data, CRC-32 of type + data (PNG section 5.3).
void put_chunk(std::vector<std::uint8_t>& out, const char (&type)[5], const std::uint8_t* data, size_t size) {
  put_u32(out, static_cast<std::uint32_t>(size));
  const size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  if (size > 0) out.insert(out.end(), data, data + size);
  put_u32(out, static_cast<std::uint32_t>(libdeflate_crc32(0, out.data() + start, size + 4)));
}

// One row as PNG wants it: samples big-endian, colour as RGB. Written as plain loops over one
// layout each, which the compiler vectorises (the generic per-sample loop was half of the time
// of a stored 2048² 16-bit image).
void row_bytes(const cv::Mat& pixels, int y, std::uint8_t* out) {
  const int channels = pixels.channels();
  const auto samples = static_cast<size_t>(pixels.cols) * static_cast<size_t>(channels);
  if (pixels.depth() == CV_16U) {
    const std::uint16_t* row = pixels.ptr<std::uint16_t>(y);
    if (channels == 1) {
      for (size_t i = 0; i < samples; ++i) {
        out[2 * i] = static_cast<std::uint8_t>(row[i] >> 8);
        out[2 * i + 1] = static_cast<std::uint8_t>(row[i]);
      }
      return;
    }
    for (size_t i = 0; i < samples; ++i) {
      const std::uint16_t sample = row[i - i % 3 + 2 - i % 3];  // BGR -> RGB
      out[2 * i] = static_cast<std::uint8_t>(sample >> 8);
      out[2 * i + 1] = static_cast<std::uint8_t>(sample);
    }
    return;
  }
  const std::uint8_t* row = pixels.ptr<std::uint8_t>(y);
  if (channels == 1) {
    std::memcpy(out, row, samples);
    return;
  }
  for (size_t i = 0; i < samples; ++i) out[i] = row[i - i % 3 + 2 - i % 3];
}

}  // namespace

bool png_encodable(const cv::Mat& pixels) {
  return !pixels.empty() && (pixels.depth() == CV_8U || pixels.depth() == CV_16U) &&
         (pixels.channels() == 1 || pixels.channels() == 3);
}

std::vector<std::uint8_t> encode_png(const cv::Mat& pixels, int level) {
  const int depth = pixels.depth(), channels = pixels.channels();
  if (!png_encodable(pixels)) {
    throw std::invalid_argument("encode_png: only 8/16-bit grey or BGR images, not type " + std::to_string(pixels.type()));
  }
  if (level < kPngHuffmanOnly || level > 12) throw std::invalid_argument("encode_png: level must be -1 (Huffman only) to 12");
  const size_t sample_bytes = depth == CV_16U ? 2 : 1;
  const size_t pixel_bytes = sample_bytes * static_cast<size_t>(channels);
  const size_t stride = pixel_bytes * static_cast<size_t>(pixels.cols);
  // Filter type per row (PNG section 9): None when the data is stored anyway, else Sub (the
  // left neighbour's difference; as OpenCV's fast setting, and as small as Up or Paeth here).
  const std::uint8_t filter = level == 0 ? 0 : 1;
  std::vector<std::uint8_t> filtered((stride + 1) * static_cast<size_t>(pixels.rows));
  std::vector<std::uint8_t> raw(filter == 0 ? 0 : stride);
  for (int y = 0; y < pixels.rows; ++y) {
    std::uint8_t* out = filtered.data() + (stride + 1) * static_cast<size_t>(y);
    *out++ = filter;
    if (filter == 0) {
      row_bytes(pixels, y, out);
      continue;
    }
    row_bytes(pixels, y, raw.data());
    std::memcpy(out, raw.data(), pixel_bytes);
    for (size_t i = pixel_bytes; i < stride; ++i) out[i] = static_cast<std::uint8_t>(raw[i] - raw[i - pixel_bytes]);
  }
  std::vector<std::uint8_t> zlib;
  size_t zlib_size = 0;
  if (level == kPngHuffmanOnly) {
    zlib = huffman_zlib_compress(filtered.data(), filtered.size());
    zlib_size = zlib.size();
  } else {
    const Compressor compressor(libdeflate_alloc_compressor(level));
    if (!compressor) throw std::bad_alloc();
    zlib.resize(libdeflate_zlib_compress_bound(compressor.get(), filtered.size()));
    zlib_size = libdeflate_zlib_compress(compressor.get(), filtered.data(), filtered.size(), zlib.data(), zlib.size());
    if (zlib_size == 0) throw std::runtime_error("encode_png: compression failed");
  }

  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  png.reserve(zlib_size + 64);
  std::vector<std::uint8_t> header;
  put_u32(header, static_cast<std::uint32_t>(pixels.cols));
  put_u32(header, static_cast<std::uint32_t>(pixels.rows));
  header.push_back(static_cast<std::uint8_t>(8 * sample_bytes));  // bit depth
  header.push_back(channels == 3 ? 2 : 0);                         // colour type: RGB or grey
  header.insert(header.end(), {0, 0, 0});                          // deflate, adaptive filtering, no interlace
  put_chunk(png, "IHDR", header.data(), header.size());
  // One IDAT: a chunk holds up to 2^31-1 bytes, far above ImageLimits' largest image.
  put_chunk(png, "IDAT", zlib.data(), zlib_size);
  put_chunk(png, "IEND", nullptr, 0);
  return png;
}

}  // namespace medanon::io
