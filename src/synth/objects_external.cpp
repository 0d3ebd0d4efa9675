// Metal outside the body that the film still shows: rings, pendants and chains, coins.

#include <algorithm>
#include <cmath>

#include "synth/object_drawers.hpp"

namespace medanon::synth {
namespace {

float uniform_f(Rng& rng, double lo, double hi) { return static_cast<float>(rng.uniform(lo, hi)); }

// A chain around the neck: links as a dotted U hanging from the image's top edge.
void draw_chain(ObjectCanvas& canvas, cv::Point2f pendant, const BodyFrame& body, Rng& rng) {
  const float half_span = body.mm(uniform_f(rng, 35, 60));
  const Curve chain = catmull_rom({{pendant.x - half_span, -body.mm(5)},
                                   {pendant.x - 0.6f * half_span, pendant.y - body.mm(25)},
                                   {pendant.x, pendant.y},
                                   {pendant.x + 0.6f * half_span, pendant.y - body.mm(25)},
                                   {pendant.x + half_span, -body.mm(5)}},
                                  std::max(0.5f, body.mm(0.5f)));
  const float link = std::max(1.5f, body.mm(uniform_f(rng, 1.8, 3.0)));
  const float value = uniform_f(rng, 1.0, 1.4);
  const float length = curve_length(chain);
  for (float along = 0; along < length; along += link * 1.4f) {
    canvas.fill_circle(point_at_length(chain, along), 0.5f * link, value);
  }
}

}  // namespace

std::string draw_ring(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  const float step = std::max(0.5f, body.mm(0.5f));
  const bool at_neck = rng.bernoulli(0.4);
  cv::Point2f center;
  if (at_neck) {
    // A pendant in the suprasternal notch, or lower on the chest.
    center = {a.trachea_top.x + body.mm(uniform_f(rng, -20, 20)),
              std::max(a.trachea_top.y + body.mm(40), a.sternum_top_y + body.mm(uniform_f(rng, -25, 40)))};
  } else {
    // Anywhere over the trunk from the apices to just below the diaphragm (a ring on a hand
    // resting on the chest, a coin in a pocket).
    const float left = static_cast<float>(a.body.x) + 0.1f * static_cast<float>(a.body.width);
    const float top = std::max(static_cast<float>(a.body.y), a.lung_top_y);
    const float bottom = std::min(a.diaphragm_y + body.mm(30), static_cast<float>(a.size.height) - body.mm(20));
    center = {left + uniform_f(rng, 0, 0.8) * static_cast<float>(a.body.width),
              top + uniform_f(rng, 0, 1) * std::max(0.f, bottom - top)};
  }
  const float value = uniform_f(rng, 1.1, 1.6);
  if (rng.bernoulli(0.3)) {
    // A coin: a disc, its rim a little denser than its face, with faint relief.
    const float radius = body.mm(uniform_f(rng, 9, 14));
    canvas.fill_circle(center, radius, value);
    canvas.stroke_closed(ellipse_arc(center, radius * 0.92f, radius * 0.92f, 0, 0, 360, step),
                         std::max(1.f, body.mm(1.f)), 0.15f);
    const int reliefs = rng.uniform_int(3, 7);
    for (int k = 0; k < reliefs; ++k) {
      const cv::Point2f at =
          center + cv::Point2f(radius * uniform_f(rng, -0.5, 0.5), radius * uniform_f(rng, -0.5, 0.5));
      canvas.fill_circle(at, radius * uniform_f(rng, 0.08, 0.2), uniform_f(rng, 0.05, 0.12));
    }
  } else {
    // A ring band, foreshortened by its tilt: from a full circle to a thin ellipse.
    const float radius = body.mm(uniform_f(rng, 8, 13));
    const float band = std::max(1.f, body.mm(uniform_f(rng, 1.5, 3.5)));
    const float foreshortening = uniform_f(rng, 0.25, 1.0);
    canvas.stroke_closed(ellipse_arc(center, radius, radius * foreshortening, uniform_f(rng, 0, 180), 0, 360, step),
                         band, value);
  }
  if (at_neck && rng.bernoulli(0.5)) draw_chain(canvas, center, body, rng);
  return "external foreign body";
}

}  // namespace medanon::synth

namespace medanon::synth {

std::string draw_metal_fragments(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  // Shrapnel or shotgun pellets: a cluster of dense jagged bits, or a single deformed bullet.
  const bool bullet = rng.bernoulli(0.35);
  const int count = bullet ? 1 : rng.uniform_int(2, 9);
  const float left = static_cast<float>(a.body.x) + 0.12f * static_cast<float>(a.body.width);
  const float top = std::max(static_cast<float>(a.body.y), a.lung_top_y);
  const float bottom = std::min(a.diaphragm_y + body.mm(20), static_cast<float>(a.size.height) - body.mm(20));
  const cv::Point2f center(left + uniform_f(rng, 0, 0.76) * static_cast<float>(a.body.width),
                           top + uniform_f(rng, 0, 1) * std::max(0.f, bottom - top));
  const float spread = body.mm(uniform_f(rng, 10, 45));
  for (int k = 0; k < count; ++k) {
    const cv::Point2f at =
        k == 0 ? center : center + cv::Point2f(spread * uniform_f(rng, -1, 1), spread * uniform_f(rng, -1, 1));
    const float size = bullet ? body.mm(uniform_f(rng, 8, 14)) : body.mm(uniform_f(rng, 1.5, 7));
    const float elongation = bullet ? uniform_f(rng, 1.6, 2.4) : uniform_f(rng, 1, 1.8);
    const float rotation = uniform_f(rng, 0, 180);
    // A jagged outline: radius varying corner to corner.
    Curve outline;
    const int corners = rng.uniform_int(bullet ? 10 : 5, bullet ? 14 : 9);
    for (int c = 0; c < corners; ++c) {
      const float angle = 6.2831853f * static_cast<float>(c) / static_cast<float>(corners);
      const float r = 0.5f * size * uniform_f(rng, bullet ? 0.85 : 0.55, 1.0);
      outline.push_back(place(cv::Point2f(elongation * r * std::cos(angle), r * std::sin(angle)), at, rotation));
    }
    canvas.fill_polygon(outline, uniform_f(rng, 1.4, 2.2), Blend::replace);
  }
  return "metal";
}

std::string draw_ecg_electrodes(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  const float step = std::max(0.5f, body.mm(0.5f));
  // Monitoring electrodes: below each clavicle and over the lower chest, each a snap stud on
  // a faint foam pad, its lead running off towards the image's edge.
  std::vector<cv::Point2f> sites{body.clavicle_point(ImageSide::left, 0.6f) + cv::Point2f(0, body.mm(25)),
                                 body.clavicle_point(ImageSide::right, 0.6f) + cv::Point2f(0, body.mm(25)),
                                 body.lung_point(ImageSide::right, 0.7f, 0.85f)};
  if (rng.bernoulli(0.5)) sites.push_back(body.lung_point(ImageSide::left, 0.7f, 0.85f));
  if (rng.bernoulli(0.3)) sites.push_back(body.lung_point(ImageSide::right, 0.3f, 0.6f));
  const float lead_value = uniform_f(rng, 0.25, 0.5), stud_value = uniform_f(rng, 1.0, 1.6);
  for (cv::Point2f site : sites) {
    if (rng.bernoulli(0.15)) continue;  // one of them off the film or removed
    site += cv::Point2f(body.mm(uniform_f(rng, -12, 12)), body.mm(uniform_f(rng, -12, 12)));
    canvas.fill_circle(site, body.mm(uniform_f(rng, 14, 20)), uniform_f(rng, 0.04, 0.09));
    canvas.fill_circle(site, body.mm(uniform_f(rng, 2.5, 3.5)), stud_value);
    canvas.fill_circle(site, body.mm(1.2f), 0.4f * stud_value, Blend::replace);  // the stud's hollow
    // The lead: a thin wire curving away to the nearest side of the image.
    const float to_edge = site.x < 0.5f * static_cast<float>(a.size.width) ? -1.f : 1.f;
    const float edge_x = to_edge < 0 ? -body.mm(10) : static_cast<float>(a.size.width) + body.mm(10);
    const Curve lead =
        catmull_rom({site,
                     site + cv::Point2f(to_edge * body.mm(uniform_f(rng, 20, 40)), body.mm(uniform_f(rng, -30, 30))),
                     {0.5f * (site.x + edge_x), site.y + body.mm(uniform_f(rng, -40, 40))},
                     {edge_x, site.y + body.mm(uniform_f(rng, -60, 60))}},
                    step);
    canvas.stroke(lead, std::max(0.8f, body.mm(uniform_f(rng, 1.0, 1.6))), lead_value);
  }
  return "electrical device";
}

}  // namespace medanon::synth
