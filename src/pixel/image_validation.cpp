// Plain image files (PNG, JPEG, TIFF, BMP) and the dispatch between them and DICOM.

#include "pixel/image_validation.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/errors.hpp"
#include "input/file_kind.hpp"
#include "io/atomic_file.hpp"
#include "io/image_codecs.hpp"
#include "io/image_header.hpp"
#include "io/png_decoding.hpp"
#include "pixel/dicom_reading.hpp"

namespace medanon::pixel {
namespace {

std::string lower_extension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

SourceFormat format_from_extension(const std::string& extension) {
  if (extension == ".png") return SourceFormat::png;
  if (extension == ".jpg" || extension == ".jpeg") return SourceFormat::jpeg;
  if (extension == ".tif" || extension == ".tiff") return SourceFormat::tiff;
  if (extension == ".bmp") return SourceFormat::bmp;
  if (extension == ".dcm" || extension == ".dicom") return SourceFormat::dicom;
  return SourceFormat::unknown;
}

ReadResult rejected(const std::string& reason) {
  ReadResult result;
  result.reason = reason;
  return result;
}

}  // namespace

const char* to_string(SourceFormat format) {
  switch (format) {
    case SourceFormat::png: return "png";
    case SourceFormat::jpeg: return "jpeg";
    case SourceFormat::tiff: return "tiff";
    case SourceFormat::bmp: return "bmp";
    case SourceFormat::dicom: return "dicom";
    case SourceFormat::unknown: return "unknown";
  }
  return "unknown";
}

std::string size_problem(const cv::Mat& pixels, const ImageLimits& limits) {
  if (pixels.empty()) return "no pixels";
  if (pixels.cols < limits.min_side || pixels.rows < limits.min_side)
    return "image too small (" + std::to_string(pixels.cols) + "x" + std::to_string(pixels.rows) + ", minimum side " +
           std::to_string(limits.min_side) + ")";
  if (pixels.cols > limits.max_side || pixels.rows > limits.max_side ||
      static_cast<long long>(pixels.cols) * pixels.rows > limits.max_pixels)
    return "image too large (" + std::to_string(pixels.cols) + "x" + std::to_string(pixels.rows) + ")";
  return {};
}

ReadResult read_plain_image(const std::string& path, const ImageLimits& limits) {
  std::error_code error;
  const auto bytes = std::filesystem::file_size(path, error);
  if (error) return rejected("cannot read file: " + error.message());
  if (bytes == 0) return rejected("empty file");

  // IMREAD_UNCHANGED keeps 16-bit PNG/TIFF samples; OpenCV returns an empty Mat (never throws
  // for a corrupt stream through imread) when the decoder fails, e.g. on a PNG CRC error.
  cv::Mat decoded;
  try {
    // Decoded from bytes, never by name: OpenCV's messages quote the name it was given.
    const std::vector<std::uint8_t> file = io::read_bytes(path);
    std::optional<cv::Mat> fast;
    if (lower_extension(path) == ".png") fast = io::decode_simple_png(file, limits.max_pixels);
    decoded = fast ? std::move(*fast) : io::decode_image_bytes(file, cv::IMREAD_UNCHANGED);  // header checked first
  } catch (const cv::Exception& e) {
    return rejected(std::string("image decoder failed: ") + e.what());
  } catch (const InputError& e) {
    return rejected(e.what());  // unreadable, or too large by its header (never names the file)
  }
  if (decoded.empty()) return rejected("not decodable as an image (corrupt or unsupported file)");

  ReadResult result;
  PixelImage& image = result.image;
  image.format = format_from_extension(lower_extension(path));
  switch (decoded.channels()) {
    case 1: image.pixels = decoded; break;
    case 3: image.pixels = decoded; break;
    case 4: cv::cvtColor(decoded, image.pixels, cv::COLOR_BGRA2BGR); break;
    default: return rejected("unsupported channel count " + std::to_string(decoded.channels()));
  }
  if (image.pixels.depth() == CV_16U && image.is_colour()) {
    // 16-bit colour files are not radiographs; keep them only long enough for the gate to say so.
    image.pixels.convertTo(image.pixels, CV_8U, 1.0 / 257);
  }
  if (image.pixels.depth() != CV_8U && image.pixels.depth() != CV_16U)
    return rejected("unsupported sample type (only 8- and 16-bit unsigned samples)");
  image.bits_stored = image.pixels.depth() == CV_16U ? 16 : 8;
  if (const std::string problem = size_problem(image.pixels, limits); !problem.empty()) return rejected(problem);
  result.ok = true;
  return result;
}

ReadResult read_and_validate(const std::string& path, const ImageLimits& limits) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return rejected("not a regular file");
  const SourceFormat by_name = format_from_extension(lower_extension(path));
  if (by_name == SourceFormat::dicom || input::is_dicom(input::sniff_file(path))) return read_dicom_image(path, limits);
  // The extension is part of the file name, which may hold PHI: never quoted in a reason.
  if (by_name == SourceFormat::unknown) return rejected("unsupported file type (not DICOM, PNG, JPEG, TIFF or BMP)");
  return read_plain_image(path, limits);
}

}  // namespace medanon::pixel
