#pragma once
// Radiographs as the MAE sees them: any PNG (8 or 16 bit) or DICOM file, reduced to 8 bits per
// image, then resized to the model's square input; the original size is kept to map masks back.
// OpenCV + DCMTK; no torch types.

#include <opencv2/core.hpp>

#include <string>

namespace medanon::mae {

enum class IntensityMapping {
  min_max,     // the thesis: (x - min) * 255 // (max - min), per image
  percentile,  // window from the 0.5th to the 99.5th percentile: robust to a few hot pixels
};
IntensityMapping intensity_mapping_from(const std::string& name);  // "min-max" | "percentile"

// The stored pixel values as CV_16U (or CV_8U), single channel, display polarity
// (MONOCHROME1 inverted). Throws std::runtime_error on unreadable files.
cv::Mat read_radiograph(const std::string& path);

// 8-bit per-image mapping of a CV_8U or CV_16U image.
cv::Mat to_8bit(const cv::Mat& image, IntensityMapping mapping);

// The model input: 8-bit mapping, area-resampled to size x size (anti-aliased like PIL's resize
// in the thesis' torchvision transform), as CV_32F in [0, 1].
cv::Mat model_input(const cv::Mat& image, int size, IntensityMapping mapping);

// A model-resolution map back at the original resolution (bilinear; masks: nearest).
cv::Mat to_original_size(const cv::Mat& map, cv::Size original, bool is_mask);

}  // namespace medanon::mae
