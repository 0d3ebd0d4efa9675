// Implants the classic corpora never showed (--object-kinds all): a port with its tunnelled
// line, a shoulder prosthesis, vertebroplasty cement and an aortic stent graft. Large, dense
// shapes unlike the wires and tubes, and the ones a detector trained on those misses.

#include <algorithm>
#include <cmath>

#include "synth/object_drawers.hpp"

namespace medanon::synth {
namespace {

float uniform_f(Rng& rng, double lo, double hi) { return static_cast<float>(rng.uniform(lo, hi)); }

// A blob with a wavy outline: cement, a reservoir's silicone dome.
Curve lumpy_outline(cv::Point2f center, float half_width, float half_height, float roughness, Rng& rng) {
  Curve outline;
  const int corners = 24;
  float wobble = 0;
  for (int c = 0; c < corners; ++c) {
    wobble = 0.6f * wobble + 0.4f * uniform_f(rng, -1, 1);
    const float angle = 6.2831853f * static_cast<float>(c) / static_cast<float>(corners);
    const float r = 1.f + roughness * wobble;
    outline.push_back(center + cv::Point2f(half_width * r * std::cos(angle), half_height * r * std::sin(angle)));
  }
  return outline;
}

}  // namespace

std::string draw_port_catheter(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  const float step = std::max(0.5f, body.mm(0.5f));
  // The reservoir sits in a pocket below the clavicle, the patient's right side more often.
  const ImageSide side = rng.bernoulli(0.7) ? ImageSide::left : ImageSide::right;
  const float out = outward(side);
  const cv::Point2f port =
      body.clavicle_point(side, uniform_f(rng, 0.35, 0.65)) + cv::Point2f(0, body.mm(uniform_f(rng, 30, 55)));
  const float radius = body.mm(uniform_f(rng, 11, 16));
  const bool titanium = rng.bernoulli(0.6);
  const float body_value = titanium ? uniform_f(rng, 0.9, 1.4) : uniform_f(rng, 0.3, 0.5);
  const float tilt = uniform_f(rng, -25, 25);
  // Seen from the front: a rounded base, the dense rim of its chamber and the septum inside.
  canvas.fill_polygon(ellipse_arc(port, radius, radius * uniform_f(rng, 0.75, 1.0), tilt, 0, 360, step), body_value);
  canvas.stroke_closed(ellipse_arc(port, 0.6f * radius, 0.55f * radius, tilt, 0, 360, step),
                       std::max(1.f, body.mm(1.5f)), 0.5f * body_value);
  canvas.fill_circle(port, 0.4f * radius, 0.6f * body_value, Blend::replace);
  // The catheter leaves the port, climbs to the jugular or subclavian vein and runs down the
  // cava to the atrium.
  const cv::Point2f outlet = place(cv::Point2f(-out * radius, -0.3f * radius), port, tilt);
  const cv::Point2f entry = rng.bernoulli(0.5)
                                ? cv::Point2f(a.spine_x + out * body.mm(uniform_f(rng, 18, 28)),
                                              body.clavicle_point(side, 0.05f).y - body.mm(uniform_f(rng, 10, 30)))
                                : body.clavicle_point(side, 0.3f) + cv::Point2f(0, body.mm(8));
  const float cava_x = body.vena_cava_x() + body.mm(uniform_f(rng, -3, 3));
  Curve route{outlet,
              0.5f * (outlet + entry) + cv::Point2f(0, -body.mm(10)),
              entry,
              {cava_x, std::max(entry.y + body.mm(15), a.sternum_top_y + body.mm(20))}};
  route.push_back(
      {cava_x + body.mm(1), std::max(route.back().y + body.mm(15), a.carina.y + body.mm(uniform_f(rng, 10, 45)))});
  canvas.stroke(catmull_rom(route, step), std::max(1.f, body.mm(uniform_f(rng, 1.8, 2.6))), uniform_f(rng, 0.2, 0.35));
  return "reservoir central venous catheter";
}

std::string draw_shoulder_prosthesis(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const float step = std::max(0.5f, body.mm(0.5f));
  const ImageSide side = rng.bernoulli(0.5) ? ImageSide::left : ImageSide::right;
  const float out = outward(side);
  // The humeral head lies below and beyond the clavicle's lateral end; the stem runs down the
  // shaft, slightly outward. Often half off the film on a chest radiograph: drawn anyway.
  const cv::Point2f lateral_clavicle = body.clavicle_point(side, 1.f);
  const cv::Point2f head =
      lateral_clavicle + cv::Point2f(out * body.mm(uniform_f(rng, 8, 22)), body.mm(uniform_f(rng, 25, 40)));
  const float radius = body.mm(uniform_f(rng, 20, 26));
  const float value = uniform_f(rng, 1.5, 2.2);
  const bool reverse = rng.bernoulli(0.3);
  // Anatomic: a hemisphere facing the glenoid (medially up); reverse: a glenosphere on the
  // glenoid side and a cup on the stem.
  const float facing = side == ImageSide::left ? 0.f : 180.f;  // the glenoid is medial
  const float from = facing - 100.f, to = facing + 100.f;
  Curve dome = ellipse_arc(head, radius, radius, 0.f, from + 180.f, to + 180.f, step);
  canvas.fill_polygon(dome, value);
  if (reverse) canvas.fill_circle(head - cv::Point2f(out * radius * 0.9f, 0), 0.8f * radius, value);
  // The stem: a tapered bar down the shaft, with a collar at the neck and an optional cement
  // mantle around it.
  const float length = body.mm(uniform_f(rng, 90, 140));
  const cv::Point2f neck = head + cv::Point2f(out * 0.2f * radius, 0.6f * radius);
  const cv::Point2f tip = neck + cv::Point2f(out * body.mm(uniform_f(rng, 4, 14)), length);
  const float top_half = body.mm(uniform_f(rng, 6, 8)), tip_half = body.mm(uniform_f(rng, 2.5, 3.5));
  const cv::Point2f axis = (tip - neck) * (1.f / std::max(1e-3f, std::hypot(tip.x - neck.x, tip.y - neck.y)));
  const cv::Point2f across(-axis.y, axis.x);
  if (rng.bernoulli(0.5)) {
    const float mantle = body.mm(uniform_f(rng, 2, 4));
    canvas.fill_polygon({neck + across * (top_half + mantle), tip + across * (tip_half + mantle) + axis * mantle,
                         tip - across * (tip_half + mantle) + axis * mantle, neck - across * (top_half + mantle)},
                        uniform_f(rng, 0.5, 0.8));
  }
  canvas.fill_polygon(
      {neck + across * top_half, tip + across * tip_half, tip - across * tip_half, neck - across * top_half}, value,
      Blend::replace);
  canvas.fill_circle(tip, tip_half, value, Blend::replace);
  return "humeral prosthesis";
}

std::string draw_vertebral_cement(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  // One to three treated vertebral bodies, lower thoracic spine (behind the heart and below).
  const int levels = rng.uniform_int(1, 3);
  const float spacing = body.mm(uniform_f(rng, 24, 30));
  float y = a.heart_center.y + uniform_f(rng, 0, 1) * std::max(body.mm(20), a.diaphragm_y - a.heart_center.y);
  const float value = uniform_f(rng, 1.2, 1.9);
  for (int k = 0; k < levels; ++k, y += spacing) {
    const cv::Point2f center(a.spine_x + body.mm(uniform_f(rng, -4, 4)), y);
    const float half_width = body.mm(uniform_f(rng, 10, 18)), half_height = body.mm(uniform_f(rng, 6, 11));
    canvas.fill_polygon(lumpy_outline(center, half_width, half_height, 0.35f, rng), value);
    // Cement creeping out along the venous plexus: thin dense streaks.
    const int leaks = rng.uniform_int(0, 3);
    for (int l = 0; l < leaks; ++l) {
      const float angle = uniform_f(rng, 0, 6.2831853);
      const cv::Point2f direction(std::cos(angle), std::sin(angle));
      const cv::Point2f start = center + cv::Point2f(direction.x * half_width, direction.y * half_height);
      canvas.stroke(
          catmull_rom({start, start + direction * body.mm(uniform_f(rng, 5, 15)) +
                                  cv::Point2f(body.mm(uniform_f(rng, -4, 4)), body.mm(uniform_f(rng, -4, 4)))},
                      std::max(0.5f, body.mm(0.5f))),
          std::max(1.f, body.mm(uniform_f(rng, 1, 2.5))), 0.8f * value);
    }
  }
  return "bone cement";
}

std::string draw_aortic_stent_graft(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  const float step = std::max(0.5f, body.mm(0.5f));
  // The descending thoracic aorta: from the arch, beside the spine on the patient's left (image
  // right), down to the hiatus. The graft covers a stretch of it with Z-shaped metal rings.
  const float x0 = a.spine_x + body.mm(uniform_f(rng, 14, 24));
  const float top = a.sternum_top_y + body.mm(uniform_f(rng, 15, 40));
  const float bottom = std::max(top + body.mm(80), a.diaphragm_y - body.mm(uniform_f(rng, 0, 40)));
  const Curve axis = catmull_rom({{x0 - body.mm(6), top},
                                  {x0 + body.mm(uniform_f(rng, 0, 6)), 0.5f * (top + bottom)},
                                  {a.spine_x + body.mm(uniform_f(rng, 4, 10)), bottom}},
                                 step);
  const float radius = body.mm(uniform_f(rng, 13, 18)), ring_pitch = body.mm(uniform_f(rng, 14, 20));
  const float wire = std::max(0.8f, body.mm(uniform_f(rng, 0.6, 1.0))), value = uniform_f(rng, 0.9, 1.5);
  const int peaks = rng.uniform_int(5, 7);
  const float length = curve_length(axis);
  // The fabric: a faint band between the rings.
  canvas.stroke(axis, 2 * radius, uniform_f(rng, 0.03, 0.07));
  for (float along = 0.5f * ring_pitch; along < length; along += ring_pitch) {
    const cv::Point2f c = point_at_length(axis, along), t = tangent_at_length(axis, along);
    const cv::Point2f n(-t.y, t.x);
    // A ring seen side-on: a zigzag across the tube, each peak up and down along it.
    Curve zigzag;
    for (int p = 0; p <= 2 * peaks; ++p) {
      const float u = -1.f + static_cast<float>(p) / static_cast<float>(peaks);  // -1..1 across
      const float rise = (p % 2 == 0 ? -0.5f : 0.5f) * 0.6f * ring_pitch;
      zigzag.push_back(c + n * (u * radius) + t * rise);
    }
    canvas.stroke(zigzag, wire, value);
  }
  // Radiopaque markers at both ends of the graft.
  for (float along : {0.f, length}) {
    const cv::Point2f c = point_at_length(axis, along), t = tangent_at_length(axis, along);
    canvas.fill_circle(c + cv::Point2f(-t.y, t.x) * radius, std::max(1.f, body.mm(1.5f)), 1.5f * value);
  }
  return "aortic endoprosthesis";
}

}  // namespace medanon::synth
