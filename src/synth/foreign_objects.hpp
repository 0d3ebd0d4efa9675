#pragma once
// Foreign objects that identify patients on radiographs: pacemakers with leads, catheters,
// tubes, sternotomy wires, plates and screws, valve rings, clips, rings. Each is drawn as
// extra attenuation (metal near-white after exposure, tubes fainter) with an exact pixel mask.

#include <opencv2/core.hpp>

#include <vector>

#include "synth/anatomy.hpp"
#include "synth/random.hpp"
#include "synth/records.hpp"

namespace medanon::synth {

struct ObjectLayer {
  cv::Mat density;  // CV_32FC1, attenuation added to the anatomy (metal >= 1.0, tubes ~0.15-0.4)
  cv::Mat mask;     // CV_8UC1, 255 exactly where density > 0 after anti-aliasing
  std::vector<PlacedObject> objects;
};

// Draws `kinds` (any number, possibly repeated) at anatomically plausible places. Uses only
// `rng` (the objects stream), so the same plan gives the same objects whatever else changes.
ObjectLayer draw_foreign_objects(const std::vector<ObjectKind>& kinds,
                                 const AnatomyLandmarks& anatomy, Rng& rng);

// The PadChest label an object of this kind gives the image (e.g. "NSG tube").
std::vector<std::string> padchest_labels(const PlacedObject& object);

}  // namespace medanon::synth
