#pragma once
// Stage 1's fast path for the PNGs radiograph exports write: non-interlaced 8/16-bit grey or
// RGB, no transparency. Inflating 2048² 16-bit films with zlib (inside libpng) was a quarter of
// the pixel stages' time; libdeflate inflates the same stream in less than half of that.
// Anything else, and any file that is not perfectly well formed (a CRC or a stream error),
// goes back to the caller, who hands it to OpenCV: odd files keep OpenCV's verdict.

#include <opencv2/core.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace medanon::io {

// The samples as cv::imread(IMREAD_UNCHANGED) returns them (grey CV_8UC1/CV_16UC1, colour as
// BGR), or nothing when the file is outside the fast path. Images above `max_pixels` are not
// inflated (nothing: the caller's checks report them).
std::optional<cv::Mat> decode_simple_png(const std::vector<std::uint8_t>& file, long long max_pixels);

}  // namespace medanon::io
