#pragma once
// JPEG 2000 (PS3.5 A.4.4, transfer syntaxes 1.2.840.10008.1.2.4.90/.91) through OpenJPEG: DCMTK
// 3.6.7 has no JPEG 2000 codec, so the pixel and header stages decode and re-encode these
// frames here. Both directions keep every sample exactly (reversible 5/3 wavelet when encoding).

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace medanon::input {

// One frame's codestream (raw J2K, or a JP2 box file as some writers embed) decoded to its
// samples: CV_8UC1/CV_16UC1/CV_16SC1 for one component, CV_8UC3/CV_16UC3 for three (in the
// codestream's component order, after any inverse multi-component transform). `is_signed`
// is the dataset's PixelRepresentation: it wins over the codestream's own flag (writers
// disagree, and the dataset is what every other reader follows). Throws std::runtime_error.
cv::Mat decode_j2k_frame(const std::vector<std::uint8_t>& codestream, bool is_signed, int bits_stored);

// A lossless J2K codestream (no multi-component transform, one quality layer) of `frame`
// (CV_8UC1/CV_16UC1/CV_16SC1/CV_8UC3/CV_16UC3). Throws std::runtime_error.
std::vector<std::uint8_t> encode_j2k_lossless(const cv::Mat& frame, int bits_stored);

}  // namespace medanon::input
