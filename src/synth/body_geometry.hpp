#pragma once
// Where things go in a chest: a millimetre scale and points relative to the anatomy's
// landmarks, so each object can be described the way a radiologist would place it
// ("below the left clavicle", "lower third of the right lung").

#include <opencv2/core.hpp>

#include "synth/anatomy.hpp"

namespace medanon::synth {

// Image sides. Radiological convention: the patient's right is on the image's left.
enum class ImageSide { left = 0, right = 1 };

// -1 for the image-left side, +1 for the image-right side: multiplies lateral offsets.
float outward(ImageSide side);
ImageSide opposite(ImageSide side);

class BodyFrame {
 public:
  explicit BodyFrame(const AnatomyLandmarks& anatomy);

  // An adult chest is about 350 mm wide, so the torso's width in pixels sets the scale.
  float mm(float millimetres) const { return millimetres * pixels_per_mm_; }

  // A point along a clavicle: 0 at its medial (sternal) end, 1 at its lateral end.
  cv::Point2f clavicle_point(ImageSide side, float along) const;

  // A point inside a lung: `across` 0 medial .. 1 lateral, `down` 0 apex .. 1 base, within the
  // lung's bounding box, pulled towards the lung's centre until it is inside the outline.
  cv::Point2f lung_point(ImageSide side, float across, float down) const;
  cv::Rect2f lung_box(ImageSide side) const;

  // The superior vena cava's column: just right of the spine on the patient (image left).
  float vena_cava_x() const;

  const AnatomyLandmarks& anatomy() const { return anatomy_; }

 private:
  const AnatomyLandmarks& anatomy_;
  float pixels_per_mm_;
};

}  // namespace medanon::synth
