#include "io/image_header.hpp"

#include <cstring>

#include "core/errors.hpp"
#include "core/input_limits.hpp"
#include "io/image_codecs.hpp"

namespace medanon::io {
namespace {

std::uint32_t big32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
std::uint16_t big16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

std::optional<ImageDimensions> png(const std::vector<std::uint8_t>& b) {
  if (b.size() < 24 || std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) != 0 ||
      std::memcmp(b.data() + 12, "IHDR", 4) != 0) {
    return std::nullopt;
  }
  return ImageDimensions{big32(&b[16]), big32(&b[20])};
}

std::optional<ImageDimensions> jpeg(const std::vector<std::uint8_t>& b) {
  if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8) return std::nullopt;
  size_t at = 2;
  while (at + 4 <= b.size()) {
    if (b[at] != 0xFF) return std::nullopt;
    const std::uint8_t marker = b[at + 1];
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
      at += 2;
      continue;
    }
    const std::uint16_t length = big16(&b[at + 2]);
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width (ITU T.81 B.2.2).
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (at + 9 > b.size()) return std::nullopt;
      return ImageDimensions{big16(&b[at + 7]), big16(&b[at + 5])};
    }
    if (marker == 0xDA || length < 2) return std::nullopt;  // scan data before any frame header
    at += 2 + length;
  }
  return std::nullopt;
}

std::optional<ImageDimensions> bmp(const std::vector<std::uint8_t>& b) {
  if (b.size() < 26 || b[0] != 'B' || b[1] != 'M') return std::nullopt;
  std::int32_t width = 0, height = 0;
  std::memcpy(&width, &b[18], 4);  // BITMAPINFOHEADER, little endian (x86 and ARM hosts)
  std::memcpy(&height, &b[22], 4);
  return ImageDimensions{width < 0 ? -static_cast<long long>(width) : width,
                         height < 0 ? -static_cast<long long>(height) : height};
}

std::optional<ImageDimensions> tiff(const std::vector<std::uint8_t>& b) {
  if (b.size() < 8) return std::nullopt;
  const bool little = b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0;
  const bool big = b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42;
  if (!little && !big) return std::nullopt;
  auto u16 = [&](size_t at) -> std::uint32_t { return little ? (b[at] | b[at + 1] << 8) : (b[at] << 8 | b[at + 1]); };
  auto u32 = [&](size_t at) -> std::uint32_t {
    return little ? (std::uint32_t{b[at]} | std::uint32_t{b[at + 1]} << 8 | std::uint32_t{b[at + 2]} << 16 |
                     std::uint32_t{b[at + 3]} << 24)
                  : big32(&b[at]);
  };
  const std::uint32_t ifd = u32(4);
  if (ifd + 2 > b.size()) return std::nullopt;
  const std::uint32_t entries = u16(ifd);
  ImageDimensions dimensions;
  for (std::uint32_t i = 0; i < entries; ++i) {
    const size_t entry = ifd + 2 + 12 * static_cast<size_t>(i);
    if (entry + 12 > b.size()) return std::nullopt;
    const std::uint32_t tag = u16(entry), type = u16(entry + 2);
    const std::uint32_t value = type == 3 ? u16(entry + 8) : u32(entry + 8);  // SHORT or LONG
    if (tag == 256) dimensions.width = value;
    if (tag == 257) dimensions.height = value;
  }
  if (dimensions.width == 0 || dimensions.height == 0) return std::nullopt;
  return dimensions;
}

}  // namespace

std::optional<ImageDimensions> image_dimensions(const std::vector<std::uint8_t>& bytes) {
  for (auto reader : {png, jpeg, bmp, tiff}) {
    if (std::optional<ImageDimensions> dimensions = reader(bytes)) return dimensions;
  }
  return std::nullopt;
}

cv::Mat decode_image_bytes(const std::vector<std::uint8_t>& bytes, int flags) {
  if (const std::optional<ImageDimensions> d = image_dimensions(bytes)) {
    const long long limit = core::max_image_pixels();
    if (d->width * d->height > limit) {
      throw InputError("image too large before decoding (" + std::to_string(d->width) + "x" +
                       std::to_string(d->height) + " = " + std::to_string(d->width * d->height) + " pixels; limit " +
                       std::to_string(limit) + ", --max-image-pixels)");
    }
  }
  return io::image_decode(bytes, flags);
}

}  // namespace medanon::io
