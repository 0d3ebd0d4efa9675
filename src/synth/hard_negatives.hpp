#pragma once
// Hard negatives for `medanon synth` (issue #15): findings that are bright like metal but not
// foreign, so that a model fine-tuned or calibrated on the corpus' normal images learns them as
// normal, and `evaluate fo` can report how often the masks flag them (x the background rate).
//
//   calcified_granuloma   1-3 small dense round foci in the lung fields
//   calcified_nodes       2-4 clustered foci at a hilum, beside the heart
//   aortic_calcification  a thin curvilinear arc over the aortic knob
//   bone_island           a small dense oval in the upper ribs' region, within the body
//
// (The L/R marker, the other hard negative, is already on every synth image as burned-in
// text, field "Marker".) Drawn as extra attenuation (0.18-0.45, below metal's >= 1.0) with an
// exact mask, from their own random stream: switching them on leaves every other pixel stream
// (anatomy, objects, text, noise) as it was.

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "synth/anatomy.hpp"
#include "synth/random.hpp"

namespace medanon::synth {

struct PlacedHardNegative {
  std::string kind;  // one of the kinds above
  cv::Rect bbox;     // bounding box of its mask pixels
};

struct HardNegativeLayer {
  cv::Mat density;  // CV_32FC1, attenuation added to the anatomy
  cv::Mat mask;     // CV_8UC1, 255 where density > 0
  std::vector<PlacedHardNegative> findings;
};

// 1-3 kinds, each drawn once, placed from `anatomy` (and inside `lung_mask` for lung findings).
HardNegativeLayer draw_hard_negatives(const AnatomyLandmarks& anatomy, const cv::Mat& lung_mask, Rng& rng);

}  // namespace medanon::synth
