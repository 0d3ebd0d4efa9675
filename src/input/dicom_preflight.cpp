#include "input/dicom_preflight.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctag.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/input_limits.hpp"

namespace medanon::input {
namespace {

constexpr std::uint32_t kUndefined = 0xFFFFFFFFu;
constexpr long long kMaxElements = 50LL * 1000 * 1000;  // a walk never takes unbounded time

// Sequential reads over the file's bytes with the byte order of the part being read; after the
// meta header of a deflated file (PS3.5 A.5), reads come through a raw inflate, bounded in total
// output so that a deflate bomb is found here rather than in DCMTK's memory.
class Stream {
 public:
  Stream(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  ~Stream() {
    if (inflating_) inflateEnd(&zstream_);
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  bool start_inflating(unsigned long long max_bytes) {
    if (inflateInit2(&zstream_, -MAX_WBITS) != Z_OK) return false;
    inflating_ = true;
    max_inflated_ = max_bytes;
    return true;
  }
  bool read(void* into, size_t size) {
    if (!inflating_) {
      if (size > size_ - offset_) return false;
      std::memcpy(into, data_ + offset_, size);
      offset_ += size;
      position_ += size;
      return true;
    }
    auto* out = static_cast<unsigned char*>(into);
    size_t done = 0;
    while (done < size) {
      if (zstream_.avail_in == 0) {  // zlib counts its input in uInt: fed in pieces
        const std::size_t piece = std::min<std::size_t>(size_ - offset_, 1u << 30);
        if (piece == 0) return false;
        zstream_.next_in = const_cast<std::uint8_t*>(data_ + offset_);
        zstream_.avail_in = static_cast<uInt>(piece);
        offset_ += piece;
      }
      zstream_.next_out = out + done;
      zstream_.avail_out = static_cast<uInt>(size - done);
      const int status = inflate(&zstream_, Z_NO_FLUSH);
      done = size - zstream_.avail_out;
      if (status == Z_STREAM_END && done < size) return false;
      if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) return false;
    }
    position_ += size;
    if (position_ > max_inflated_) {
      too_large = true;
      return false;
    }
    return true;
  }
  bool skip(std::uint64_t size) {
    if (!inflating_) {
      if (size > size_ - offset_) return false;
      offset_ += static_cast<std::size_t>(size);
      position_ += size;
      return true;
    }
    if (position_ + size > max_inflated_) {
      too_large = true;
      return false;
    }
    unsigned char sink[16384];
    while (size > 0) {
      const size_t chunk = static_cast<size_t>(std::min<std::uint64_t>(size, sizeof sink));
      if (!read(sink, chunk)) return false;
      size -= chunk;
    }
    return true;
  }
  // Back to a byte offset of the file (before any inflating).
  void rewind_to(std::uint64_t offset) {
    offset_ = static_cast<std::size_t>(offset);
    position_ = offset;
  }
  bool u16(std::uint16_t& value) {
    unsigned char b[2];
    if (!read(b, 2)) return false;
    value = big_endian ? static_cast<std::uint16_t>(b[0] << 8 | b[1]) : static_cast<std::uint16_t>(b[1] << 8 | b[0]);
    return true;
  }
  bool u32(std::uint32_t& value) {
    unsigned char b[4];
    if (!read(b, 4)) return false;
    value = big_endian ? (std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3])
                       : (std::uint32_t{b[3]} << 24 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[1]} << 8 | b[0]);
    return true;
  }
  std::uint64_t position() const { return position_; }
  bool big_endian = false;
  bool too_large = false;  // the inflated dataset passed its bound

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t offset_ = 0;  // next byte of the file to read (or to feed the inflate)
  std::uint64_t position_ = 0;
  bool inflating_ = false;
  unsigned long long max_inflated_ = 0;
  z_stream zstream_{};
};

bool has_long_length(const char vr[2]) {  // PS3.5 7.1.2
  static const char* const kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"};
  for (const char* candidate : kLong) {
    if (vr[0] == candidate[0] && vr[1] == candidate[1]) return true;
  }
  return false;
}

struct ImageHeader {
  long long rows = -1, columns = -1, frames = 1;
};

// One open sequence or item: where it ends (kUndefined: at its delimiter).
struct Frame {
  std::uint64_t end;
  bool sequence;
};

class Walker {
 public:
  Walker(Stream& stream, bool explicit_vr, const PreflightLimits& limits)
      : in_(stream), explicit_(explicit_vr), limits_(limits) {}

  // Walks to the end of the dataset or the top-level Pixel Data; returns a problem or "".
  std::string walk(ImageHeader& image) {
    std::vector<Frame> open;
    int depth = 0;
    for (long long count = 0; count < kMaxElements; ++count) {
      while (!open.empty() && open.back().end != kUndefined && in_.position() >= open.back().end) {
        depth -= open.back().sequence;
        open.pop_back();
      }
      std::uint16_t group = 0, element = 0;
      if (!in_.u16(group) || !in_.u16(element)) return {};  // end of file: DCMTK judges the rest
      if (group == 0xFFFE) {
        std::uint32_t length = 0;
        if (!in_.u32(length)) return {};
        if (element == 0xE000) {
          open.push_back({length == kUndefined ? kUndefined : in_.position() + length, false});
        } else if (!open.empty()) {  // E00D ends an item, E0DD a sequence
          depth -= open.back().sequence;
          open.pop_back();
        }
        continue;
      }
      bool sequence = false;
      std::uint32_t length = 0;
      char vr[2] = {0, 0};
      if (explicit_) {
        if (!in_.read(vr, 2)) return {};
        if (has_long_length(vr)) {
          if (!in_.skip(2) || !in_.u32(length)) return {};
        } else {
          std::uint16_t short_length = 0;
          if (!in_.u16(short_length)) return {};
          length = short_length;
        }
        sequence = (vr[0] == 'S' && vr[1] == 'Q') || (vr[0] == 'U' && vr[1] == 'N' && length == kUndefined);
      } else {
        if (!in_.u32(length)) return {};
        sequence = length == kUndefined || DcmTag(group, element).getEVR() == EVR_SQ;
      }
      if (group == 0x7FE0 && element == 0x0010 && open.empty()) return {};  // the image: header complete
      if (sequence) {
        if (++depth > limits_.max_sequence_depth) {
          return "sequences nested deeper than " + std::to_string(limits_.max_sequence_depth) +
                 " levels (a structure meant to crash the reader)";
        }
        open.push_back({length == kUndefined ? kUndefined : in_.position() + length, true});
        continue;
      }
      if (length == kUndefined) return {};  // encapsulated data elsewhere: leave it to DCMTK
      if (open.empty() && group == 0x0028 && (element == 0x0010 || element == 0x0011) && length == 2) {
        std::uint16_t value = 0;
        if (!in_.u16(value)) return {};
        (element == 0x0010 ? image.rows : image.columns) = value;
        continue;
      }
      if (open.empty() && group == 0x0028 && element == 0x0008 && length > 0 && length <= 16) {
        char text[17] = {};
        if (!in_.read(text, length)) return {};
        image.frames = std::min(1000LL * 1000 * 1000, std::max(1LL, std::atoll(text)));
        continue;
      }
      if (!in_.skip(length)) return {};
    }
    return {};
  }

 private:
  Stream& in_;
  bool explicit_;
  const PreflightLimits& limits_;
};

}  // namespace

std::string dicom_preflight_problem(const std::uint8_t* bytes, std::size_t size, const PreflightLimits& limits) {
  Stream in(bytes, size);
  char head[132] = {};
  bool explicit_vr = true;
  bool deflated = false;
  if (in.read(head, sizeof head) && std::memcmp(head + 128, "DICM", 4) == 0) {
    // The meta header (PS3.10 7.1): explicit VR little endian, group 0002, names the syntax.
    std::string syntax;
    while (true) {
      const std::uint64_t start = in.position();
      std::uint16_t group = 0, element = 0;
      char vr[2];
      if (!in.u16(group) || !in.u16(element)) return {};
      if (group != 0x0002) {
        in.rewind_to(start);
        break;
      }
      std::uint32_t length = 0;
      if (!in.read(vr, 2)) return {};
      if (has_long_length(vr)) {
        if (!in.skip(2) || !in.u32(length)) return {};
      } else {
        std::uint16_t short_length = 0;
        if (!in.u16(short_length)) return {};
        length = short_length;
      }
      if (element == 0x0010 && length <= 64) {
        syntax.assign(length, '\0');
        if (!in.read(syntax.data(), length)) return {};
        while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' ')) syntax.pop_back();
      } else if (length == kUndefined || !in.skip(length)) {
        return {};
      }
    }
    explicit_vr = syntax != "1.2.840.10008.1.2";
    in.big_endian = syntax == "1.2.840.10008.1.2.2";
    deflated = syntax == "1.2.840.10008.1.2.1.99";
  } else {
    // No meta header: guess the encoding from the first element (explicit VR has two letters).
    in.rewind_to(0);
    explicit_vr = size >= 6 && bytes[4] >= 'A' && bytes[4] <= 'Z' && bytes[5] >= 'A' && bytes[5] <= 'Z';
  }
  const long long max_pixels = limits.max_pixels > 0 ? limits.max_pixels : core::max_image_pixels();
  // Deflated (PS3.5 A.5): walked through the inflate, whose output may not pass what the largest
  // allowed image needs (16-bit, 3 samples) plus 64 MB of header.
  const unsigned long long max_inflated = static_cast<unsigned long long>(max_pixels) * 6 + (64ULL << 20);
  if (deflated && !in.start_inflating(max_inflated)) return {};
  ImageHeader image;
  if (std::string problem = Walker(in, explicit_vr, limits).walk(image); !problem.empty()) return problem;
  if (in.too_large) {
    return "deflated dataset inflates beyond " + std::to_string(max_inflated) + " bytes (--max-image-pixels)";
  }
  if (image.rows > 0 && image.columns > 0) {
    const long long pixels = image.rows * image.columns * image.frames;
    if (pixels > max_pixels) {
      return "image too large before decoding (" + std::to_string(image.columns) + "x" + std::to_string(image.rows) +
             " x " + std::to_string(image.frames) + " frame(s) = " + std::to_string(pixels) + " pixels; limit " +
             std::to_string(max_pixels) + ", --max-image-pixels)";
    }
  }
  return {};
}

}  // namespace medanon::input
