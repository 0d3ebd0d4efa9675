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
