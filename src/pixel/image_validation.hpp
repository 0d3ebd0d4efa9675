#pragma once
// Stage 1, validation: reads one input file and checks that it really is a usable image. Every
// defect (unreadable, truncated, empty, absurd size, missing DICOM attributes, undecodable pixel
// data) comes back as a reason in the result; nothing here throws for bad input.

#include <string>

#include "pixel/pixel_image.hpp"

namespace medanon::pixel {

// PNG (8/16-bit), JPEG, TIFF and BMP through OpenCV; DICOM (PS3.10 files and bare datasets, as
// input/file_kind.hpp recognises them) through input/, compressed transfer syntaxes included.
ReadResult read_and_validate(const std::string& path, const ImageLimits& limits = {});

ReadResult read_plain_image(const std::string& path, const ImageLimits& limits);

// Checks sizes and sample type of an already decoded image; empty when fine.
std::string size_problem(const cv::Mat& pixels, const ImageLimits& limits);

}  // namespace medanon::pixel
