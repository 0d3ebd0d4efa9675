#pragma once
// One input image as the pixel stages see it: the stored samples (never rescaled, so redaction
// writes straight back into them) plus what the file says about them.

#include <opencv2/core.hpp>

#include <map>
#include <string>

#include "core/input_limits.hpp"

namespace medanon::pixel {

enum class SourceFormat { png, jpeg, tiff, bmp, dicom, unknown };
const char* to_string(SourceFormat format);

struct PixelImage {
  // As stored: CV_8UC1 or CV_16UC1 grey, or CV_8UC3 (BGR) for colour files.
  cv::Mat pixels;
  int bits_stored = 8;  // significant bits of a grey sample (12 for most CR/DX files)
  SourceFormat format = SourceFormat::unknown;
  // DICOM MONOCHROME1 stores low values as white (PS3.3 C.7.6.3.1.2): display black is then
  // the largest value, which decides the redaction fill and the text polarity.
  bool monochrome1 = false;
  // DICOM attributes by keyword; nested ones as "Sequence/Keyword" (the ground truth's
  // convention). Empty for plain image files.
  std::map<std::string, std::string> header;

  int max_value() const { return (1 << bits_stored) - 1; }
  bool is_colour() const { return pixels.channels() == 3; }
};

// Outcome of stage 1. A file that fails is a per-item result, never an exception.
struct ReadResult {
  bool ok = false;
  std::string reason;  // why the file was rejected, in words; empty when ok
  PixelImage image;
};

// Size limits that keep one absurd file from exhausting a rank's memory.
struct ImageLimits {
  int min_side = 16;
  int max_side = 16384;
  long long max_pixels = core::max_image_pixels();  // --max-image-pixels
};

}  // namespace medanon::pixel
