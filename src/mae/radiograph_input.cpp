// Reading and normalising radiographs for the MAE.

#include "mae/radiograph_input.hpp"
#include "core/errors.hpp"

#include <dcmtk/dcmimgle/dcmimage.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include "input/codecs.hpp"
#include "input/file_kind.hpp"
#include "io/image_codecs.hpp"

namespace medanon::mae {

IntensityMapping intensity_mapping_from(const std::string& name) {
  if (name == "min-max") return IntensityMapping::min_max;
  if (name == "percentile") return IntensityMapping::percentile;
  throw UsageError("unknown intensity mapping '" + name + "' (min-max, percentile)", Scope::all_ranks);
}

namespace {

cv::Mat read_dicom(const std::string& path) {
  input::register_codecs();  // compressed transfer syntaxes of the archive (JPEG, JPEG-LS, RLE)
  DicomImage image(path.c_str(), CIF_UsePartialAccessToPixelData);
  if (image.getStatus() != EIS_Normal || !image.isMonochrome()) {
    throw InputError(path + ": not a readable monochrome DICOM image (" +
                             DicomImage::getString(image.getStatus()) + ")");
  }
  image.setMinMaxWindow();  // the full stored range; MONOCHROME1 comes out inverted for display
  const int width = static_cast<int>(image.getWidth()), height = static_cast<int>(image.getHeight());
  const void* pixels = image.getOutputData(16);
  if (pixels == nullptr) throw InputError(path + ": DICOM pixel data could not be rendered");
  return cv::Mat(height, width, CV_16U, const_cast<void*>(pixels)).clone();
}

}  // namespace

cv::Mat read_radiograph(const std::string& path) {
  if (input::is_dicom(input::sniff_file(path))) return read_dicom(path);
  cv::Mat image = io::image_read(path, cv::IMREAD_ANYDEPTH | cv::IMREAD_GRAYSCALE);
  if (image.empty()) throw InputError(path + ": not a readable image");
  if (image.depth() != CV_8U && image.depth() != CV_16U) image.convertTo(image, CV_16U);
  return image;
}

cv::Mat to_8bit(const cv::Mat& image, IntensityMapping mapping) {
  cv::Mat values;
  image.convertTo(values, CV_32F);
  double low = 0.0, high = 0.0;
  if (mapping == IntensityMapping::min_max) {
    cv::minMaxLoc(values, &low, &high);
  } else {
    std::vector<float> sorted(values.begin<float>(), values.end<float>());
    std::sort(sorted.begin(), sorted.end());
    low = sorted[static_cast<std::size_t>(0.005 * static_cast<double>(sorted.size() - 1))];
    high = sorted[static_cast<std::size_t>(0.995 * static_cast<double>(sorted.size() - 1))];
  }
  cv::Mat out(image.size(), CV_8U);
  const float range = static_cast<float>(high - low) + 1e-10f;
  for (int y = 0; y < values.rows; ++y) {
    const float* in = values.ptr<float>(y);
    unsigned char* o = out.ptr<unsigned char>(y);
    for (int x = 0; x < values.cols; ++x) {  // the thesis floors: (x - min) * 255 // (max - min)
      o[x] = static_cast<unsigned char>(std::clamp(std::floor((in[x] - static_cast<float>(low)) * 255.0f / range), 0.0f, 255.0f));
    }
  }
  return out;
}

cv::Mat model_input(const cv::Mat& image, int size, IntensityMapping mapping) {
  const cv::Mat eight = image.depth() == CV_8U && mapping == IntensityMapping::min_max ? image : to_8bit(image, mapping);
  cv::Mat resized, out;
  cv::resize(eight, resized, cv::Size(size, size), 0, 0, cv::INTER_AREA);
  resized.convertTo(out, CV_32F, 1.0 / 255.0);
  return out;
}

cv::Mat to_original_size(const cv::Mat& map, cv::Size original, bool is_mask) {
  cv::Mat out;
  cv::resize(map, out, original, 0, 0, is_mask ? cv::INTER_NEAREST : cv::INTER_LINEAR);
  return out;
}

}  // namespace medanon::mae
