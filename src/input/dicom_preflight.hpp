#pragma once
// Checks a DICOM file's structure before DCMTK parses or decodes it (issue #16): DCMTK reads
// nested sequences by recursion (a 3.6 MB file nested 100,000 deep overflows the stack and
// kills the rank, on every rerun) and allocates Rows x Columns x Frames before decoding a
// compressed stream (a 790-byte RLE file of 20000 x 20000 asked for 800 MB). This walk is
// iterative, reads only element headers and the few image attributes, and never allocates more
// than one small value.

#include <cstddef>
#include <cstdint>
#include <string>

namespace medanon::input {

struct PreflightLimits {
  int max_sequence_depth = 64;  // far above the nesting of real images; DCMTK recurses once per level
  long long max_pixels = 0;     // Rows x Columns x Frames; 0: core::max_image_pixels()
};

// Empty when DCMTK may read the file whose bytes these are; else why not (never naming the
// file). Deflated datasets are walked through a bounded inflate. Files this walk cannot follow
// (no preamble and odd bytes, truncated) are left to DCMTK, which reports them itself.
std::string dicom_preflight_problem(const std::uint8_t* bytes, std::size_t size, const PreflightLimits& limits = {});

}  // namespace medanon::input
