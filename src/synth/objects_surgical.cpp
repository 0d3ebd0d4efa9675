// Metal left behind by surgery: sternotomy wires, plates with screws, ligation clips.

#include <algorithm>
#include <cmath>
#include <vector>

#include "synth/object_drawers.hpp"

namespace medanon::synth {
namespace {

float uniform_f(Rng& rng, double lo, double hi) { return static_cast<float>(rng.uniform(lo, hi)); }

// The twisted ends of a cerclage wire: two strands wound round each other.
void draw_twist(ObjectCanvas& canvas, cv::Point2f start, cv::Point2f direction, float length, float wire, float value,
                float step) {
  const cv::Point2f normal(-direction.y, direction.x);
  const float amplitude = std::max(0.6f * wire, 0.5f);
  const int turns = 4;
  for (float phase : {0.f, 3.14159265f}) {
    Curve strand;
    for (float t = 0; t <= 1.0001f; t += std::max(0.02f, step / std::max(length, 1.f))) {
      strand.push_back(start + direction * (t * length) +
                       normal * (amplitude * std::sin(phase + t * turns * 6.2831853f)));
    }
    canvas.stroke(strand, wire, value);
  }
}

// A screw seen obliquely: head, then a threaded shank foreshortened by its tilt to the beam.
// End-on (little shank showing) it is a disc with a darker hex socket.
void draw_screw(ObjectCanvas& canvas, cv::Point2f head, cv::Point2f direction, float shank_px, float head_radius,
                const BodyFrame& body, float value) {
  canvas.fill_circle(head, head_radius, value, Blend::replace);
  const float outer = body.mm(1.75f), inner = body.mm(1.15f), pitch = std::max(1.5f, body.mm(1.25f));
  if (shank_px > body.mm(3)) {
    const cv::Point2f normal(-direction.y, direction.x);
    Curve outline;
    const int teeth = std::max(2, static_cast<int>(shank_px / pitch));
    // Saw-tooth threads down one side, the pointed tip, then back up the other side.
    const auto thread = [&](int i, float side) {
      const float half = (i % 2 == 0) ? outer : inner;
      return head + direction * (shank_px * static_cast<float>(i) / teeth) + normal * (side * half);
    };
    for (int i = 0; i <= teeth; ++i) outline.push_back(thread(i, 1.f));
    outline.push_back(head + direction * (shank_px + outer));
    for (int i = teeth; i >= 0; --i) outline.push_back(thread(i, -1.f));
    canvas.fill_polygon(outline, value);
  } else {
    const Curve socket =
        ellipse_arc(head, 0.45f * head_radius, 0.45f * head_radius, 0.f, 0.f, 360.f, 0.5f * head_radius);
    canvas.fill_polygon(socket, 0.6f * value, Blend::replace);
  }
}

}  // namespace

std::string draw_sternotomy_wires(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  const int count = rng.uniform_int(4, 7);
  const float top = a.sternum_top_y + body.mm(5);
  const float bottom = std::max(a.sternum_bottom_y - body.mm(5), top + body.mm(20.f * static_cast<float>(count - 1)));
  const float spacing = (bottom - top) / static_cast<float>(count - 1);
  const float step = std::max(0.4f, body.mm(0.4f));
  const float wire = std::max(0.6f, body.mm(uniform_f(rng, 0.9, 1.3)));
  const float value = uniform_f(rng, 1.2, 1.8);
  const float drift = body.mm(uniform_f(rng, -4, 4));  // the sternum is rarely exactly midline
  for (int k = 0; k < count; ++k) {
    const float t = static_cast<float>(k) / static_cast<float>(count - 1);
    const cv::Point2f center(a.spine_x + drift * t + body.mm(uniform_f(rng, -2.5, 2.5)),
                             top + spacing * static_cast<float>(k) + spacing * uniform_f(rng, -0.12f, 0.12f));
    const float half_width = 0.5f * body.mm(uniform_f(rng, 12, 22));
    const float half_height = 0.5f * body.mm(uniform_f(rng, 2.5, 6));
    const float tilt = uniform_f(rng, -12, 12);
    if (rng.bernoulli(0.25)) {
      // Figure-of-eight: the wire crosses itself in front of the sternum.
      Curve eight;
      for (float s = 0; s <= 6.2832f; s += 0.05f) {
        eight.push_back(place({half_width * std::sin(s), half_height * std::sin(2 * s)}, center, tilt));
      }
      canvas.stroke_closed(eight, wire, value);
    } else {
      canvas.stroke_closed(ellipse_arc(center, half_width, half_height, tilt, 0, 360, step), wire, value);
    }
    // Twisted ends on one side, bent up or down along the sternum.
    const float side = rng.bernoulli(0.5) ? 1.f : -1.f;
    const cv::Point2f knot = place({side * half_width, 0}, center, tilt);
    const cv::Point2f direction = place(cv::Point2f(side * 0.5f, rng.bernoulli(0.5) ? 0.87f : -0.87f), {0, 0}, tilt);
    draw_twist(canvas, knot, direction, body.mm(uniform_f(rng, 4, 8)), wire, value, step);
  }
  return "sternotomy";
}

std::string draw_osteosynthesis(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const ImageSide side = rng.bernoulli(0.5) ? ImageSide::left : ImageSide::right;
  const float step = std::max(0.5f, body.mm(0.5f));
  const float length = body.mm(uniform_f(rng, 50, 100));
  Curve path;
  if (rng.bernoulli(0.6)) {
    // A clavicle plate follows the bone's S-curve.
    const float start = uniform_f(rng, 0.1, 0.35);
    Curve bone;
    for (int k = 0; k <= 20; ++k)
      bone.push_back(body.clavicle_point(side, start + 0.6f * static_cast<float>(k) / 20.f));
    path = curve_section(catmull_rom(bone, step), 0, length);
  } else {
    // A rib plate on the lateral arc of a rib, curving down towards the side wall.
    const float level = uniform_f(rng, 0.25, 0.65);
    const cv::Point2f medial = body.lung_point(side, 0.45f, level);
    const cv::Point2f lateral = body.lung_point(side, 0.95f, level + 0.12f);
    const cv::Point2f middle = (medial + lateral) * 0.5f + cv::Point2f(0, -body.mm(8));
    path = curve_section(catmull_rom({medial, middle, lateral}, step), 0, length);
  }
  const float plate_length = curve_length(path);
  const float width = body.mm(uniform_f(rng, 8, 12));
  const float value = uniform_f(rng, 1.2, 1.7);
  canvas.stroke(path, width, value);

  // Holes every 10-14 mm; screws in some of them, seen at various tilts.
  const float pitch = body.mm(uniform_f(rng, 10, 14));
  const int holes = std::max(3, static_cast<int>(plate_length / pitch));
  std::vector<int> order(static_cast<size_t>(holes));
  for (int k = 0; k < holes; ++k) order[static_cast<size_t>(k)] = k;
  for (int k = holes - 1; k > 0; --k)
    std::swap(order[static_cast<size_t>(k)], order[static_cast<size_t>(rng.uniform_int(0, k))]);
  const int screws = std::min(holes, rng.uniform_int(3, 6));
  const float tilt = uniform_f(rng, -25, 25);
  for (int k = 0; k < holes; ++k) {
    const float along = plate_length * (static_cast<float>(k) + 0.5f) / static_cast<float>(holes);
    const cv::Point2f at = point_at_length(path, along);
    const cv::Point2f tangent = tangent_at_length(path, along);
    const float angle = std::atan2(tangent.y, tangent.x) * 180.f / 3.14159265f;
    // Combination holes are oval along the plate.
    canvas.fill_polygon(ellipse_arc(at, 0.3f * width * 1.3f, 0.3f * width, angle, 0, 360, step), 0.f, Blend::replace);
    const bool has_screw = std::find(order.begin(), order.begin() + screws, k) != order.begin() + screws;
    if (!has_screw) continue;
    const cv::Point2f across = place(cv::Point2f(-tangent.y, tangent.x), {0, 0}, tilt + uniform_f(rng, -8, 8));
    // Foreshortened by the screw's tilt to the beam; some are seen end-on.
    const float shank = body.mm(uniform_f(rng, 14, 24)) * (rng.bernoulli(0.25) ? 0.f : uniform_f(rng, 0.35, 1.0));
    draw_screw(canvas, at, across, shank, 0.3f * width, body, value * 1.15f);
  }
  return "osteosynthesis material";
}

std::string draw_surgical_clips(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  const ImageSide side = rng.bernoulli(0.5) ? ImageSide::left : ImageSide::right;
  // Clips cluster where something was ligated: the axilla, the hilum, or a resection bed.
  const double site = rng.uniform();
  const cv::Point2f center =
      site < 0.3   ? body.lung_point(side, uniform_f(rng, 0.75, 0.95), uniform_f(rng, 0.05, 0.25))
      : site < 0.6 ? cv::Point2f(a.spine_x + outward(side) * (a.spine_half_width + body.mm(uniform_f(rng, 15, 35))),
                                 a.carina.y + body.mm(uniform_f(rng, -10, 30)))
                   : body.lung_point(side, uniform_f(rng, 0.2, 0.9), uniform_f(rng, 0.15, 0.85));
  const float spread = body.mm(uniform_f(rng, 8, 35));
  const int count = rng.uniform_int(3, 8);
  const float wire = std::max(0.7f, body.mm(uniform_f(rng, 0.8, 1.2)));
  const float value = uniform_f(rng, 1.1, 1.7);
  for (int k = 0; k < count; ++k) {
    const float r = spread * std::sqrt(uniform_f(rng, 0, 1));
    const float theta = uniform_f(rng, 0, 6.2831853);
    const cv::Point2f at = center + cv::Point2f(r * std::cos(theta), r * std::sin(theta));
    const float length = body.mm(uniform_f(rng, 5, 10));
    const float angle = uniform_f(rng, 0, 360);
    const double shape = rng.uniform();
    if (shape < 0.3) {
      canvas.stroke({place({-0.5f * length, 0}, at, angle), place({0.5f * length, 0}, at, angle)}, wire * 1.5f, value);
    } else {
      // An open V, or a closed hemoclip with its jaws nearly parallel.
      const float opening = shape < 0.7 ? uniform_f(rng, 0.25, 0.5) : uniform_f(rng, 0.05, 0.12);
      canvas.stroke({place({length, -opening * length}, at, angle), place({0, 0}, at, angle),
                     place({length, opening * length}, at, angle)},
                    wire, value);
    }
  }
  return "suture material";
}

}  // namespace medanon::synth
