#pragma once
// DICOM input for stage 1 when the pixel stages are given a path (inspect, evaluate): the file
// parsed and decoded through input/ (the one place that recognises and decodes inputs), and
// the single frame's view that the stages handle (input/pixel_views.hpp). The anonymize runner
// does not come here: it decodes once and hands every frame's view to PixelPipeline itself.

#include <string>

#include "pixel/pixel_image.hpp"

namespace medanon::pixel {

// Single-frame DICOM images of any kind input/ decodes; multi-frame files are refused with a
// reason (this entry point returns one image).
ReadResult read_dicom_image(const std::string& path, const ImageLimits& limits);

}  // namespace medanon::pixel
