#pragma once
// A zlib stream (RFC 1950/1951) of literal-only dynamic-Huffman blocks: deflate without the
// search for repeated strings. For PNG rows of radiographs after the Sub filter, string matches
// are rare (the low bytes are noise) and nearly all of deflate's gain is the entropy coding of
// the residual bytes; this does that part alone, about 5x faster than libdeflate's level 1 and a
// little smaller than it on 16-bit radiographs (one Huffman table per block of rows adapts to
// the image region). Flat images (masks, drawings) compress far less well than with
// string matching: at most 8:1.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace medanon::io {

// Compresses `size` bytes in blocks of `block_bytes` (one Huffman table each) into a complete
// zlib stream that any inflater reads.
std::vector<std::uint8_t> huffman_zlib_compress(const std::uint8_t* data, std::size_t size,
                                                std::size_t block_bytes = std::size_t{1} << 18);

// Code lengths of a length-limited Huffman code for `frequencies` (package-merge): 0 for symbols
// of frequency 0, otherwise 1..max_bits, with the shortest total coded length possible under
// the limit. A single used symbol gets length 1. Exposed for tests.
std::vector<std::uint8_t> limited_code_lengths(const std::vector<std::uint64_t>& frequencies, int max_bits);

}  // namespace medanon::io
