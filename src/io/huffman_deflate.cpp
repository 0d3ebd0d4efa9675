#include "io/huffman_deflate.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <queue>

namespace medanon::io {
namespace {

constexpr int kLiteralCodes = 257;  // bytes 0-255 and end-of-block; no length codes are used
constexpr int kEndOfBlock = 256;
constexpr int kDistanceCodes = 2;   // never used; two of length 1 make a complete code (RFC 1951 3.2.7)
constexpr int kMaxBits = 15, kMaxCodeLengthBits = 7;
constexpr std::size_t kStoredMax = 65535;
// The order in which the code-length code's lengths are sent (RFC 1951 3.2.7).
constexpr std::array<int, 19> kCodeLengthOrder = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// Bits go out least significant first (RFC 1951 3.1.1); Huffman codes are therefore stored
// bit-reversed, so that one shift-or sends them in the order the inflater reads them.
class BitWriter {
 public:
  explicit BitWriter(std::uint8_t* out) : out_(out) {}
  void put(std::uint32_t value, int count) {
    buffer_ |= static_cast<std::uint64_t>(value) << filled_;
    filled_ += count;
    if (filled_ >= 32) {
      const auto word = static_cast<std::uint32_t>(buffer_);
      out_[0] = static_cast<std::uint8_t>(word);
      out_[1] = static_cast<std::uint8_t>(word >> 8);
      out_[2] = static_cast<std::uint8_t>(word >> 16);
      out_[3] = static_cast<std::uint8_t>(word >> 24);
      out_ += 4;
      buffer_ >>= 32;
      filled_ -= 32;
    }
  }
  // The bytes of a block, three codes (at most 45 bits) per flush, and the flush without a
  // branch: it always writes 8 bytes and keeps the partial one, so the output needs 8 bytes of
  // slack. About twice as fast per byte as put(), whose flush the CPU cannot predict.
  void put_bytes(const std::uint8_t* data, std::size_t size, const std::uint32_t* bits, const std::uint8_t* lengths) {
    flush_whole_bytes();
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
      buffer_ |= static_cast<std::uint64_t>(bits[data[i]]) << filled_;
      filled_ += lengths[data[i]];
      buffer_ |= static_cast<std::uint64_t>(bits[data[i + 1]]) << filled_;
      filled_ += lengths[data[i + 1]];
      buffer_ |= static_cast<std::uint64_t>(bits[data[i + 2]]) << filled_;
      filled_ += lengths[data[i + 2]];
      flush_whole_bytes();
    }
    for (; i < size; ++i) put(bits[data[i]], lengths[data[i]]);
  }
  // Pads to a byte boundary and flushes: for stored blocks and the end of the stream.
  void align() {
    while (filled_ > 0) {
      *out_++ = static_cast<std::uint8_t>(buffer_);
      buffer_ >>= 8;
      filled_ = std::max(0, filled_ - 8);
    }
    buffer_ = 0;
  }
  std::uint8_t* position() { return out_; }  // valid after align()
  void skip(std::size_t bytes) { out_ += bytes; }

 private:
  void flush_whole_bytes() {  // leaves fewer than 8 bits in the buffer
    std::memcpy(out_, &buffer_, sizeof buffer_);  // little-endian: the first bits go first
    const int bytes = filled_ >> 3;
    out_ += bytes;
    buffer_ = bytes == 8 ? 0 : buffer_ >> (8 * bytes);
    filled_ &= 7;
  }

  std::uint8_t* out_;
  std::uint64_t buffer_ = 0;
  int filled_ = 0;
};

struct Code {
  std::uint32_t bits = 0;  // bit-reversed
  int length = 0;
};

// Canonical codes from lengths (RFC 1951 3.2.2), bit-reversed for BitWriter.
std::vector<Code> canonical_codes(const std::vector<std::uint8_t>& lengths) {
  std::array<std::uint32_t, kMaxBits + 2> count{}, next{};
  for (const auto length : lengths) ++count[length];
  count[0] = 0;
  for (int bits = 1; bits <= kMaxBits + 1; ++bits) next[bits] = (next[bits - 1] + count[bits - 1]) << 1;
  std::vector<Code> codes(lengths.size());
  for (std::size_t symbol = 0; symbol < lengths.size(); ++symbol) {
    const int length = lengths[symbol];
    if (length == 0) continue;
    std::uint32_t code = next[length]++, reversed = 0;
    for (int i = 0; i < length; ++i, code >>= 1) reversed = (reversed << 1) | (code & 1);
    codes[symbol] = {reversed, length};
  }
  return codes;
}

// Inflaters accept a one-symbol code only in some places; two used symbols are always valid.
void use_at_least_two(std::vector<std::uint64_t>& frequencies) {
  auto used = std::count_if(frequencies.begin(), frequencies.end(), [](auto f) { return f > 0; });
  for (std::size_t s = 0; used < 2 && s < frequencies.size(); ++s) {
    if (frequencies[s] == 0) {
      frequencies[s] = 1;
      ++used;
    }
  }
}

std::uint64_t coded_bits(const std::vector<std::uint64_t>& frequencies, const std::vector<std::uint8_t>& lengths) {
  std::uint64_t bits = 0;
  for (std::size_t s = 0; s < frequencies.size(); ++s) bits += frequencies[s] * lengths[s];
  return bits;
}

// The lengths of the literal and distance codes, run-length coded with the code-length
// alphabet (RFC 1951 3.2.7): symbol, and the value of its extra bits.
struct LengthSymbol {
  int symbol, extra;
};

std::vector<LengthSymbol> run_length_code(const std::vector<std::uint8_t>& lengths) {
  std::vector<LengthSymbol> out;
  for (std::size_t i = 0; i < lengths.size();) {
    const int value = lengths[i];
    std::size_t run = 1;
    while (i + run < lengths.size() && lengths[i + run] == value) ++run;
    std::size_t left = run;
    if (value == 0) {
      while (left >= 11) {
        const auto n = std::min<std::size_t>(left, 138);
        out.push_back({18, static_cast<int>(n - 11)});
        left -= n;
      }
      if (left >= 3) {
        out.push_back({17, static_cast<int>(left - 3)});
        left = 0;
      }
    } else {
      out.push_back({value, 0});
      --left;
      while (left >= 3) {
        const auto n = std::min<std::size_t>(left, 6);
        out.push_back({16, static_cast<int>(n - 3)});
        left -= n;
      }
    }
    for (; left > 0; --left) out.push_back({value, 0});
    i += run;
  }
  return out;
}

constexpr int extra_bits_of(int symbol) { return symbol == 16 ? 2 : symbol == 17 ? 3 : symbol == 18 ? 7 : 0; }

void put_stored(BitWriter& writer, const std::uint8_t* data, std::size_t size, bool last_block) {
  std::size_t done = 0;
  do {  // an empty block is one empty stored piece
    const std::size_t n = std::min(kStoredMax, size - done);
    const bool last = last_block && done + n == size;
    writer.put(last ? 1 : 0, 1);
    writer.put(0, 2);  // BTYPE 00: stored
    writer.align();
    std::uint8_t* out = writer.position();
    out[0] = static_cast<std::uint8_t>(n);
    out[1] = static_cast<std::uint8_t>(n >> 8);
    out[2] = static_cast<std::uint8_t>(~n);
    out[3] = static_cast<std::uint8_t>(~n >> 8);
    if (n > 0) std::memcpy(out + 4, data + done, n);
    writer.skip(4 + n);
    done += n;
  } while (done < size);
}

// One block: dynamic Huffman when that is smaller than storing the bytes, else stored.
void put_block(BitWriter& writer, const std::uint8_t* data, std::size_t size, bool last) {
  // Four partial histograms: consecutive equal bytes would otherwise wait on each other's store.
  std::array<std::array<std::uint32_t, 256>, 4> partial{};
  std::size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    ++partial[0][data[i]];
    ++partial[1][data[i + 1]];
    ++partial[2][data[i + 2]];
    ++partial[3][data[i + 3]];
  }
  for (; i < size; ++i) ++partial[0][data[i]];
  std::vector<std::uint64_t> frequencies(kLiteralCodes, 0);
  for (std::size_t b = 0; b < 256; ++b) frequencies[b] = std::uint64_t{partial[0][b]} + partial[1][b] + partial[2][b] + partial[3][b];
  frequencies[kEndOfBlock] = 1;
  use_at_least_two(frequencies);
  const auto literal_lengths = limited_code_lengths(frequencies, kMaxBits);

  std::vector<std::uint8_t> all_lengths(literal_lengths);
  all_lengths.insert(all_lengths.end(), kDistanceCodes, 1);
  const auto runs = run_length_code(all_lengths);
  std::vector<std::uint64_t> run_frequencies(19, 0);
  for (const auto& run : runs) ++run_frequencies[static_cast<std::size_t>(run.symbol)];
  use_at_least_two(run_frequencies);
  const auto run_lengths = limited_code_lengths(run_frequencies, kMaxCodeLengthBits);
  int sent = 19;
  while (sent > 4 && run_lengths[static_cast<std::size_t>(kCodeLengthOrder[static_cast<std::size_t>(sent - 1)])] == 0) --sent;

  std::uint64_t header_bits = 3 + 5 + 5 + 4 + 3 * static_cast<std::uint64_t>(sent);
  for (const auto& run : runs) header_bits += run_lengths[static_cast<std::size_t>(run.symbol)] + extra_bits_of(run.symbol);
  const std::uint64_t dynamic_bits = header_bits + coded_bits(frequencies, literal_lengths);
  const std::uint64_t stored_bits = 8 * (size + 5 * (size / kStoredMax + 1)) + 7;
  if (dynamic_bits >= stored_bits) {
    put_stored(writer, data, size, last);
    return;
  }

  writer.put(last ? 1 : 0, 1);
  writer.put(2, 2);  // BTYPE 10: dynamic Huffman codes
  writer.put(kLiteralCodes - 257, 5);
  writer.put(kDistanceCodes - 1, 5);
  writer.put(static_cast<std::uint32_t>(sent - 4), 4);
  for (int k = 0; k < sent; ++k) writer.put(run_lengths[static_cast<std::size_t>(kCodeLengthOrder[static_cast<std::size_t>(k)])], 3);
  const auto run_codes = canonical_codes(run_lengths);
  for (const auto& run : runs) {
    const Code& code = run_codes[static_cast<std::size_t>(run.symbol)];
    writer.put(code.bits, code.length);
    if (const int extra = extra_bits_of(run.symbol); extra > 0) writer.put(static_cast<std::uint32_t>(run.extra), extra);
  }
  const auto codes = canonical_codes(literal_lengths);
  std::array<std::uint32_t, 256> byte_bits{};
  std::array<std::uint8_t, 256> byte_lengths{};
  for (std::size_t b = 0; b < 256; ++b) {
    byte_bits[b] = codes[b].bits;
    byte_lengths[b] = static_cast<std::uint8_t>(codes[b].length);
  }
  writer.put_bytes(data, size, byte_bits.data(), byte_lengths.data());
  writer.put(codes[kEndOfBlock].bits, codes[kEndOfBlock].length);
}

}  // namespace

std::vector<std::uint8_t> limited_code_lengths(const std::vector<std::uint64_t>& frequencies, int max_bits) {
  std::vector<std::uint8_t> lengths(frequencies.size(), 0);
  std::vector<int> used;
  for (std::size_t s = 0; s < frequencies.size(); ++s) {
    if (frequencies[s] > 0) used.push_back(static_cast<int>(s));
  }
  if (used.empty()) return lengths;
  if (used.size() == 1) {
    lengths[static_cast<std::size_t>(used[0])] = 1;
    return lengths;
  }
  // Huffman's construction: merge the two lightest nodes until one is left; depth = length.
  struct Node {
    std::uint64_t weight;
    int parent;
  };
  std::vector<Node> nodes;
  using Entry = std::pair<std::uint64_t, int>;  // weight, node; ties broken by node index
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  for (const int s : used) {
    queue.emplace(frequencies[static_cast<std::size_t>(s)], static_cast<int>(nodes.size()));
    nodes.push_back({frequencies[static_cast<std::size_t>(s)], -1});
  }
  while (queue.size() > 1) {
    const auto [wa, a] = queue.top();
    queue.pop();
    const auto [wb, b] = queue.top();
    queue.pop();
    const int parent = static_cast<int>(nodes.size());
    nodes.push_back({wa + wb, -1});
    nodes[static_cast<std::size_t>(a)].parent = parent;
    nodes[static_cast<std::size_t>(b)].parent = parent;
    queue.emplace(wa + wb, parent);
  }
  // Depths top-down: parents are created after their children, so walk backwards.
  std::vector<int> depth(nodes.size(), 0);
  for (int n = static_cast<int>(nodes.size()) - 2; n >= 0; --n) depth[static_cast<std::size_t>(n)] = depth[static_cast<std::size_t>(nodes[static_cast<std::size_t>(n)].parent)] + 1;

  // Over the limit: clamp, then restore Kraft's equality by lengthening the longest codes that
  // are still below the limit (the fix-up zlib and miniz use), and hand the lengths back out
  // with the shortest to the most frequent symbols.
  std::vector<int> count(static_cast<std::size_t>(max_bits) + 1, 0);
  for (std::size_t i = 0; i < used.size(); ++i) ++count[static_cast<std::size_t>(std::min(depth[i], max_bits))];
  std::uint64_t kraft = 0;
  for (int bits = 1; bits <= max_bits; ++bits) kraft += static_cast<std::uint64_t>(count[static_cast<std::size_t>(bits)]) << (max_bits - bits);
  const std::uint64_t full = std::uint64_t{1} << max_bits;
  while (kraft > full) {
    --count[static_cast<std::size_t>(max_bits)];
    for (int bits = max_bits - 1; bits >= 1; --bits) {
      if (count[static_cast<std::size_t>(bits)] > 0) {
        --count[static_cast<std::size_t>(bits)];
        count[static_cast<std::size_t>(bits) + 1] += 2;
        break;
      }
    }
    --kraft;
  }
  std::vector<int> by_weight(used);
  std::stable_sort(by_weight.begin(), by_weight.end(), [&](int a, int b) {
    return frequencies[static_cast<std::size_t>(a)] > frequencies[static_cast<std::size_t>(b)];
  });
  std::size_t next = 0;
  for (int bits = 1; bits <= max_bits; ++bits) {
    for (int k = 0; k < count[static_cast<std::size_t>(bits)]; ++k) lengths[static_cast<std::size_t>(by_weight[next++])] = static_cast<std::uint8_t>(bits);
  }
  return lengths;
}

std::vector<std::uint8_t> huffman_zlib_compress(const std::uint8_t* data, std::size_t size, std::size_t block_bytes) {
  block_bytes = std::clamp<std::size_t>(block_bytes, 1, std::size_t{1} << 26);  // 32-bit histogram counts
  const std::size_t blocks = size == 0 ? 1 : (size + block_bytes - 1) / block_bytes;
  // Worst case: every block stored (5 bytes per 64 KiB piece), plus headers and trailer.
  std::vector<std::uint8_t> out(2 + size + 5 * (size / kStoredMax + 2 * blocks) + 8 + 16 + 8);  // + put_bytes' slack
  out[0] = 0x78;  // CMF: deflate, 32 KiB window
  out[1] = 0x01;  // FLG: fastest; 0x7801 is a multiple of 31 (RFC 1950 2.2)
  BitWriter writer(out.data() + 2);
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t start = b * block_bytes;
    put_block(writer, data + start, std::min(block_bytes, size - start), b + 1 == blocks);
  }
  writer.align();
  std::uint8_t* end = writer.position();
  const std::uint32_t adler = libdeflate_adler32(1, data, size);
  for (int shift = 24; shift >= 0; shift -= 8) *end++ = static_cast<std::uint8_t>(adler >> shift);
  out.resize(static_cast<std::size_t>(end - out.data()));
  return out;
}

}  // namespace medanon::io
