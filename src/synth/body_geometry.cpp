#include "synth/body_geometry.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "synth/curves.hpp"

namespace medanon::synth {
namespace {

constexpr float kChestWidthMm = 350.f;

const std::vector<cv::Point>& lung_outline(const AnatomyLandmarks& a, ImageSide side) {
  return side == ImageSide::left ? a.right_lung : a.left_lung;
}

}  // namespace

float outward(ImageSide side) { return side == ImageSide::left ? -1.f : 1.f; }

ImageSide opposite(ImageSide side) { return side == ImageSide::left ? ImageSide::right : ImageSide::left; }

BodyFrame::BodyFrame(const AnatomyLandmarks& anatomy) : anatomy_(anatomy) {
  const float body_width =
      anatomy.body.width > 0 ? static_cast<float>(anatomy.body.width) : 0.85f * static_cast<float>(anatomy.size.width);
  pixels_per_mm_ = body_width / kChestWidthMm;
}

cv::Point2f BodyFrame::clavicle_point(ImageSide side, float along) const {
  Curve clavicle(anatomy_.clavicles[static_cast<size_t>(side)].begin(),
                 anatomy_.clavicles[static_cast<size_t>(side)].end());
  if (clavicle.size() < 2) {
    // No clavicle traced: a straight one rising from the sternal notch to the shoulder.
    const float top = anatomy_.lung_top_y + mm(10);
    clavicle = {{anatomy_.spine_x + outward(side) * mm(20), top},
                {anatomy_.spine_x + outward(side) * mm(140), top - mm(25)}};
  }
  if (std::abs(clavicle.front().x - anatomy_.spine_x) > std::abs(clavicle.back().x - anatomy_.spine_x)) {
    std::reverse(clavicle.begin(), clavicle.end());
  }
  return point_at_length(clavicle, std::clamp(along, 0.f, 1.f) * curve_length(clavicle));
}

cv::Rect2f BodyFrame::lung_box(ImageSide side) const {
  const auto& outline = lung_outline(anatomy_, side);
  if (outline.size() >= 3) return cv::Rect2f(cv::boundingRect(outline));
  // No outline: the lung spans from beside the mediastinum to near the body wall.
  const float medial = anatomy_.spine_x + outward(side) * mm(30);
  const float lateral = side == ImageSide::left ? static_cast<float>(anatomy_.body.x) + mm(20)
                                                : static_cast<float>(anatomy_.body.br().x) - mm(20);
  return {std::min(medial, lateral), anatomy_.lung_top_y, std::abs(lateral - medial),
          anatomy_.diaphragm_y - anatomy_.lung_top_y};
}

cv::Point2f BodyFrame::lung_point(ImageSide side, float across, float down) const {
  const cv::Rect2f box = lung_box(side);
  const float lateral_fraction = side == ImageSide::left ? 1.f - across : across;
  cv::Point2f point(box.x + lateral_fraction * box.width, box.y + down * box.height);
  const auto& outline = lung_outline(anatomy_, side);
  if (outline.size() < 3) return point;
  const cv::Point2f centre(box.x + 0.5f * box.width, box.y + 0.55f * box.height);
  for (int step = 0; step < 20 && cv::pointPolygonTest(outline, point, false) < 0; ++step) {
    point += (centre - point) * 0.15f;
  }
  return point;
}

float BodyFrame::vena_cava_x() const { return anatomy_.spine_x - anatomy_.spine_half_width - mm(8); }

}  // namespace medanon::synth
