#pragma once
// One foreign object's attenuation, painted with anti-aliased primitives.
//
// OpenCV anti-aliases only 8-bit images, so each primitive is first drawn as an 8-bit coverage
// patch over its own bounding box, then combined with the float density in proportion to
// coverage: attenuations add (a lead crossing its generator is brighter than either), while
// an object's internal parts replace what is under them (a battery inside a can, a screw hole
// cut out of a plate by painting 0).

#include <opencv2/core.hpp>

#include "synth/curves.hpp"

namespace medanon::synth {

enum class Blend { add, replace };

class ObjectCanvas {
 public:
  explicit ObjectCanvas(cv::Size size);

  // A wire or tube centre line `thickness_px` wide with round ends. Thinner than a pixel, it is
  // drawn one pixel wide and proportionally fainter (partial volume).
  void stroke(const Curve& curve, float thickness_px, float value, Blend blend = Blend::add);
  void stroke_closed(const Curve& outline, float thickness_px, float value, Blend blend = Blend::add);
  void fill_polygon(const Curve& outline, float value, Blend blend = Blend::add);
  void fill_circle(cv::Point2f center, float radius_px, float value, Blend blend = Blend::add);

  // Focal-spot and detector unsharpness; values too faint to matter are dropped afterwards,
  // so the object's mask stays where it is visible.
  void soften(double sigma_px);

  const cv::Mat& density() const { return density_; }

 private:
  template <class Draw>
  void paint(cv::Rect2f extent, float value, Blend blend, Draw draw);

  cv::Mat density_;  // CV_32FC1
};

}  // namespace medanon::synth
