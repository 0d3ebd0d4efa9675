// Cardiac devices: pacemaker generators with their leads, and prosthetic valve rings.

#include <algorithm>
#include <cmath>
#include <vector>

#include "synth/object_drawers.hpp"

namespace medanon::synth {
namespace {

// A generator lies in its own frame: x across, y down, origin at the can's centre, the
// connector header on top (negative y) where the leads come out.
struct Generator {
  cv::Point2f center;
  float angle = 0;  // degrees
  float width = 0, height = 0, header_height = 0;
  float can_value = 0;
  std::vector<float> port_x;  // where each lead leaves the header, in the local frame

  cv::Point2f to_image(cv::Point2f local) const { return place(local, center, angle); }
  cv::Point2f port(size_t lead) const { return to_image({port_x[lead], -0.5f * height - header_height}); }
};

// Titanium can, denser battery cells and hybrid circuit inside it, and an epoxy header with
// metal connector blocks and set screws, as generators look on a well-windowed film.
void draw_generator(ObjectCanvas& canvas, const Generator& g, const BodyFrame& body, Rng& rng) {
  const float step = std::max(0.5f, body.mm(0.5f));
  const float shorter = std::min(g.width, g.height);
  const bool oval = rng.bernoulli(0.2);
  const float corner = oval ? 0.5f * shorter : shorter * static_cast<float>(rng.uniform(0.18, 0.45));
  const float rotation = g.angle;
  canvas.fill_polygon(rounded_rectangle(g.center, g.width, g.height, corner, rotation, step), g.can_value);

  // The battery fills the lower part of the can; the brief asks for it darker than the rim.
  const float battery_value = g.can_value * static_cast<float>(rng.uniform(0.45, 0.65));
  const cv::Point2f battery_center = g.to_image({0, 0.2f * g.height});
  canvas.fill_polygon(
      rounded_rectangle(battery_center, 0.78f * g.width, 0.48f * g.height, 0.12f * shorter, rotation, step),
      battery_value, Blend::replace);

  // Hybrid circuit: a board with a few denser chips and a round capacitor.
  const float board_value = g.can_value * static_cast<float>(rng.uniform(0.7, 0.85));
  canvas.fill_polygon(rounded_rectangle(g.to_image({0, -0.24f * g.height}), 0.7f * g.width, 0.26f * g.height,
                                        0.05f * shorter, rotation, step),
                      board_value, Blend::replace);
  const int chips = rng.uniform_int(2, 5);
  for (int c = 0; c < chips; ++c) {
    const cv::Point2f at = g.to_image({static_cast<float>(rng.uniform(-0.28, 0.28)) * g.width,
                                       static_cast<float>(rng.uniform(-0.33, -0.16)) * g.height});
    const float side = static_cast<float>(rng.uniform(0.06, 0.14)) * g.width;
    canvas.fill_polygon(
        rounded_rectangle(at, side, side * static_cast<float>(rng.uniform(0.5, 1.0)), 0.f, rotation, step),
        g.can_value * static_cast<float>(rng.uniform(1.1, 1.4)), Blend::replace);
  }
  if (rng.bernoulli(0.6)) {
    canvas.fill_circle(g.to_image({static_cast<float>(rng.uniform(-0.25, 0.25)) * g.width, -0.02f * g.height}),
                       0.07f * g.width, g.can_value * 1.2f, Blend::replace);
  }
  // The can's rim: seen edge-on, the metal is thicker along the beam.
  canvas.stroke_closed(rounded_rectangle(g.center, g.width, g.height, corner, rotation, step),
                       std::max(1.f, body.mm(1.2f)), g.can_value * 1.15f, Blend::replace);

  // Header: brighter than the can, with one connector block and set screw per lead.
  const float header_width = g.width * static_cast<float>(rng.uniform(0.5, 0.72));
  const float header_value = g.can_value * static_cast<float>(rng.uniform(1.1, 1.3));
  const cv::Point2f header_center = g.to_image({0, -0.5f * g.height - 0.5f * g.header_height + body.mm(1.5f)});
  canvas.fill_polygon(rounded_rectangle(header_center, header_width, g.header_height + body.mm(3.f),
                                        0.3f * g.header_height, rotation, step),
                      header_value, Blend::replace);
  for (size_t lead = 0; lead < g.port_x.size(); ++lead) {
    const float y = -0.5f * g.height - g.header_height * (0.35f + 0.3f * static_cast<float>(lead));
    canvas.fill_polygon(
        rounded_rectangle(g.to_image({0, y}), 0.8f * header_width, body.mm(2.2f), body.mm(1.f), rotation, step), 1.8f,
        Blend::replace);
    canvas.fill_circle(g.to_image({g.port_x[lead], y}), body.mm(1.6f), 2.0f, Blend::replace);
  }
}

// A lead's course after the pocket: into the subclavian vein below the clavicle, along the
// brachiocephalic vein (crossing the midline from a left-sided pocket) and down the superior
// vena cava into the right atrium.
Curve venous_route(const BodyFrame& body, ImageSide side, float jitter, Rng& rng) {
  const auto& a = body.anatomy();
  Curve route;
  route.push_back(body.clavicle_point(side, static_cast<float>(rng.uniform(0.3, 0.45))) +
                  cv::Point2f(0, body.mm(static_cast<float>(rng.uniform(4, 10)))));
  route.push_back(body.clavicle_point(side, 0.08f) + cv::Point2f(0, body.mm(12.f + jitter)));
  const float svc_x = body.vena_cava_x() + body.mm(jitter);
  const float svc_top = a.sternum_top_y + body.mm(25);
  if (side == ImageSide::right) route.push_back({a.spine_x, route.back().y + body.mm(12)});
  if (svc_top > route.back().y + body.mm(5)) route.push_back({svc_x, svc_top});
  const float svc_bottom = std::max(a.carina.y + body.mm(15), route.back().y + body.mm(15));
  route.push_back({svc_x + body.mm(2), svc_bottom});
  return route;
}

// Slack coiled in the pocket keeps the lead from pulling on its tip: a full loop around (or
// partly behind) the can, or a half loop on its lateral side, never quite the can's outline.
void add_pocket_loop(Curve& waypoints, const Generator& g, ImageSide side, Rng& rng) {
  const float out = outward(side);
  const float scale = static_cast<float>(rng.uniform(0.45, 1.05));
  const cv::Point2f shift(static_cast<float>(rng.uniform(-0.2, 0.2)) * g.width,
                          static_cast<float>(rng.uniform(-0.1, 0.25)) * g.height);
  const float w = 0.5f * g.width * scale + 0.1f * g.width, h = 0.5f * g.height * scale + 0.1f * g.height;
  waypoints.push_back(g.to_image({out * 0.5f * w, -0.5f * g.height - 1.2f * g.header_height}));
  waypoints.push_back(g.to_image(shift + cv::Point2f(out * w, 0.2f * h)));
  if (rng.bernoulli(0.4)) return;  // half loop
  waypoints.push_back(g.to_image(shift + cv::Point2f(0, h)));
  waypoints.push_back(g.to_image(shift + cv::Point2f(-out * w, 0.1f * h)));
}

void draw_lead(ObjectCanvas& canvas, const Curve& waypoints, const BodyFrame& body, bool shock_coil, Rng& rng) {
  const Curve lead = catmull_rom(waypoints, std::max(0.5f, body.mm(0.7f)));
  const float width = body.mm(static_cast<float>(rng.uniform(1.2, 1.8)));
  const float value = static_cast<float>(rng.uniform(0.9, 1.2));
  canvas.stroke(lead, width, value);
  const float length = curve_length(lead);
  if (shock_coil) {
    canvas.stroke(curve_section(lead, length - body.mm(75), length - body.mm(18)), width * 1.6f, 0.6f);
  }
  // Ring electrode a little before the tip, then the tip electrode itself.
  canvas.stroke(curve_section(lead, length - body.mm(14), length - body.mm(11)), width * 1.5f, 0.8f);
  canvas.stroke(curve_section(lead, length - body.mm(3), length), width * 1.4f, 0.9f);
}

}  // namespace

std::string draw_pacemaker(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  // Most pockets are on the patient's left (image right), away from the dominant hand.
  const ImageSide side = rng.bernoulli(0.8) ? ImageSide::right : ImageSide::left;
  const bool dual_chamber = rng.bernoulli(0.6);

  Generator g;
  g.width = body.mm(static_cast<float>(rng.uniform(40, 60)));
  g.height = g.width * static_cast<float>(rng.uniform(0.78, 1.0));
  g.header_height = g.height * static_cast<float>(rng.uniform(0.2, 0.28));
  g.angle = static_cast<float>(rng.uniform(-30, 30));
  g.can_value = static_cast<float>(rng.uniform(1.0, 1.3));
  const cv::Point2f below_clavicle = body.clavicle_point(side, static_cast<float>(rng.uniform(0.45, 0.7)));
  g.center = below_clavicle +
             cv::Point2f(outward(side) * body.mm(static_cast<float>(rng.uniform(-5, 10))),
                         body.mm(static_cast<float>(rng.uniform(14, 26))) + 0.5f * g.height + g.header_height);
  const int leads = dual_chamber ? 2 : 1;
  for (int lead = 0; lead < leads; ++lead) {
    g.port_x.push_back(g.width *
                       (leads == 1 ? static_cast<float>(rng.uniform(-0.1, 0.1)) : (lead == 0 ? -0.12f : 0.12f)));
  }
  draw_generator(canvas, g, body, rng);

  const cv::Point2f heart = a.heart_center;
  const float half_width = a.heart_half_width, half_height = a.heart_half_height;
  const float tip_floor = a.diaphragm_y - body.mm(8);
  const bool pocket_loop = rng.bernoulli(0.75);
  for (int lead = 0; lead < leads; ++lead) {
    const bool ventricular = lead == 0;
    const float jitter = static_cast<float>(rng.uniform(-3, 3));
    Curve waypoints{g.port(static_cast<size_t>(lead))};
    waypoints.push_back(
        g.to_image({g.port_x[static_cast<size_t>(lead)], -0.5f * g.height - g.header_height - body.mm(4)}));
    if (pocket_loop) add_pocket_loop(waypoints, g, side, rng);
    const Curve veins = venous_route(body, side, jitter, rng);
    waypoints.insert(waypoints.end(), veins.begin(), veins.end());
    if (ventricular) {
      // Across the tricuspid valve to the right ventricular apex.
      waypoints.push_back({heart.x - 0.6f * half_width, heart.y - 0.05f * half_height});
      waypoints.push_back({heart.x - 0.15f * half_width, std::min(heart.y + 0.35f * half_height, tip_floor)});
      waypoints.push_back({heart.x + static_cast<float>(rng.uniform(0.3, 0.55)) * half_width,
                           std::min(heart.y + static_cast<float>(rng.uniform(0.45, 0.65)) * half_height, tip_floor)});
    } else {
      // A J-shaped atrial lead hooked up into the right atrial appendage.
      waypoints.push_back({heart.x - 0.72f * half_width, heart.y - 0.15f * half_height});
      waypoints.push_back({heart.x - 0.62f * half_width, std::min(heart.y + 0.2f * half_height, tip_floor)});
      waypoints.push_back({heart.x - 0.45f * half_width, heart.y + 0.02f * half_height});
      waypoints.push_back(
          {heart.x - 0.42f * half_width, heart.y - static_cast<float>(rng.uniform(0.2, 0.4)) * half_height});
    }
    draw_lead(canvas, waypoints, body, ventricular && rng.bernoulli(0.2), rng);
  }
  return dual_chamber ? "dual chamber device" : "single chamber device";
}

std::string draw_heart_valve_ring(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  const float half_width = a.heart_half_width, half_height = a.heart_half_height;
  // Aortic valves sit high and medial, mitral valves lower and to the patient's left.
  const double site = rng.uniform();
  cv::Point2f center =
      site < 0.5   ? cv::Point2f(a.heart_center.x - 0.15f * half_width, a.heart_center.y - 0.45f * half_height)
      : site < 0.9 ? cv::Point2f(a.heart_center.x + 0.2f * half_width, a.heart_center.y - 0.05f * half_height)
                   : cv::Point2f(a.heart_center.x - 0.45f * half_width, a.heart_center.y + 0.1f * half_height);
  center +=
      cv::Point2f(body.mm(static_cast<float>(rng.uniform(-6, 6))), body.mm(static_cast<float>(rng.uniform(-6, 6))));

  const float radius = 0.5f * body.mm(static_cast<float>(rng.uniform(19, 31)));
  const float foreshortening = static_cast<float>(rng.uniform(0.25, 1.0));  // the ring's tilt to the beam
  const float rotation = static_cast<float>(rng.uniform(0, 180));
  const float step = std::max(0.5f, body.mm(0.5f));
  const float wire = std::max(1.f, body.mm(static_cast<float>(rng.uniform(1.5, 3.0))));
  const float value = static_cast<float>(rng.uniform(1.1, 1.6));

  const double design = rng.uniform();
  if (design < 0.2) {
    // Annuloplasty ring: an open C around the mitral annulus.
    const float gap = static_cast<float>(rng.uniform(30, 70));
    canvas.stroke(ellipse_arc(center, radius, radius * foreshortening, rotation, gap, 360.f, step), wire, value);
    return "artificial heart valve";
  }
  canvas.stroke_closed(ellipse_arc(center, radius, radius * foreshortening, rotation, 0, 360, step), wire, value);
  // The valve's axis, projected: perpendicular to the ring's long axis, longer the more tilted.
  const cv::Point2f axis = place(cv::Point2f(0, 1), {0, 0}, rotation);
  const float depth = std::sqrt(std::max(0.f, 1 - foreshortening * foreshortening));
  if (design < 0.6) {
    // Bioprosthesis: three stent posts rising from the sewing ring.
    const float post = radius * static_cast<float>(rng.uniform(0.8, 1.2)) * std::max(depth, 0.3f);
    const float first = static_cast<float>(rng.uniform(0, 120));
    for (int k = 0; k < 3; ++k) {
      const Curve on_ring = ellipse_arc(center, radius, radius * foreshortening, rotation, first + 120.f * k,
                                        first + 120.f * k + 1.f, step);
      const cv::Point2f base = on_ring.front();
      canvas.stroke({base, base + axis * post + (center - base) * 0.15f}, wire * 0.8f, value);
    }
  } else {
    // Mechanical bileaflet valve: a pivot bar across the ring and two faint leaflets.
    const Curve across = ellipse_arc(center, radius, radius * foreshortening, rotation, 0, 181, step);
    canvas.stroke({across.front(), across.back()}, wire * 0.6f, value * 0.8f);
    const cv::Point2f half = (across.front() - center) * 0.9f;
    for (float s : {-1.f, 1.f}) {
      const cv::Point2f hinge = center + axis * (s * 0.25f * radius * foreshortening);
      canvas.stroke({hinge - half, hinge + half}, std::max(1.f, wire * 0.5f), 0.5f);
    }
  }
  return "artificial heart valve";
}

}  // namespace medanon::synth
