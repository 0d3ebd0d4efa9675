// Plastic tubes and catheters: faint (plastic attenuates little) with a brighter radiopaque
// stripe, and walls that show as tram lines where the tube is wide enough.

#include <algorithm>
#include <cmath>
#include <vector>

#include "synth/object_drawers.hpp"

namespace medanon::synth {
namespace {

struct TubeStyle {
  float width = 0;          // outer diameter, pixels
  float lumen_value = 0;    // plastic crossed face-on
  float wall_value = 0;     // plastic crossed edge-on at the walls
  float stripe_value = 0;   // barium stripe
  float stripe_width = 0;   // pixels
  float stripe_offset = 0;  // -1..1 of the half width: where the stripe runs across the tube
};

// The stripe is drawn in pieces so side holes can interrupt it; `gaps` are (start, end)
// arc lengths along the tube.
void draw_tube(ObjectCanvas& canvas, const Curve& path, const TubeStyle& style,
               const std::vector<std::pair<float, float>>& gaps = {}) {
  canvas.stroke(path, style.width, style.lumen_value);
  const float wall = std::max(1.f, 0.15f * style.width);
  if (style.width >= 4.f) {
    for (float s : {-1.f, 1.f}) {
      canvas.stroke(offset_curve(path, s * 0.5f * (style.width - wall)), wall, style.wall_value - style.lumen_value);
    }
  }
  const Curve stripe = offset_curve(path, style.stripe_offset * 0.5f * std::max(0.f, style.width - style.stripe_width));
  float from = 0;
  for (const auto& gap : gaps) {
    if (gap.first > from) canvas.stroke(curve_section(stripe, from, gap.first), style.stripe_width, style.stripe_value);
    from = gap.second;
  }
  canvas.stroke(curve_section(stripe, from, curve_length(stripe)), style.stripe_width, style.stripe_value);
}

float rand_mm(const BodyFrame& body, Rng& rng, double lo, double hi) {
  return body.mm(static_cast<float>(rng.uniform(lo, hi)));
}

// Keeps a descending route descending: a waypoint that is not below the previous one would
// fold the spline back on itself.
void push_below(Curve& route, cv::Point2f point, float min_drop) {
  if (!route.empty()) point.y = std::max(point.y, route.back().y + min_drop);
  route.push_back(point);
}

// The hub and extension lines outside the skin, where a catheter's external part ends: at the
// path's first point, pointing away along its first few points.
void draw_hub(ObjectCanvas& canvas, const Curve& path, const BodyFrame& body, Rng& rng) {
  const cv::Point2f at = path[0], away = path[0] - path[std::min<size_t>(4, path.size() - 1)];
  const cv::Point2f direction = away * (1.f / std::max(1e-3f, std::hypot(away.x, away.y)));
  const float step = std::max(0.5f, body.mm(0.5f));
  const float angle = std::atan2(direction.y, direction.x) * 180.f / 3.14159265f;
  const float length = rand_mm(body, rng, 12, 18);
  const cv::Point2f center = at + direction * (0.5f * length);
  canvas.fill_polygon(rounded_rectangle(center, length, body.mm(6), body.mm(1.5f), angle, step),
                      static_cast<float>(rng.uniform(0.35, 0.6)));
  const int lines = rng.uniform_int(1, 3);
  for (int k = 0; k < lines; ++k) {
    const cv::Point2f start = at + direction * length;
    const cv::Point2f bend = place(direction, {0, 0}, static_cast<float>(rng.uniform(-40, 40)));
    const Curve line = catmull_rom({start, start + bend * rand_mm(body, rng, 15, 25),
                                    start + bend * rand_mm(body, rng, 30, 45) +
                                        cv::Point2f(rand_mm(body, rng, -15, 15), rand_mm(body, rng, -10, 10))},
                                   step);
    canvas.stroke(line, body.mm(2.5f), static_cast<float>(rng.uniform(0.12, 0.22)));
  }
}

}  // namespace

std::string draw_central_venous_catheter(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  const bool jugular = rng.bernoulli(0.55);
  // The patient's right (image left) is the usual side: the shortest way to the cava.
  const ImageSide side = rng.bernoulli(jugular ? 0.75 : 0.6) ? ImageSide::left : ImageSide::right;
  const float out = outward(side);
  const cv::Point2f medial_clavicle = body.clavicle_point(side, 0.05f);

  Curve inside;  // from the skin puncture to the tip
  cv::Point2f insertion;
  if (jugular) {
    insertion = {a.spine_x + out * rand_mm(body, rng, 22, 35), medial_clavicle.y - rand_mm(body, rng, 25, 45)};
    inside = {insertion, {insertion.x - out * body.mm(4), medial_clavicle.y - body.mm(4)}};
    if (side == ImageSide::right) {
      // A left jugular line crosses the midline in the brachiocephalic vein.
      push_below(inside, {a.spine_x + out * body.mm(12), medial_clavicle.y + body.mm(10)}, body.mm(3));
      push_below(inside, {a.spine_x - body.mm(2), medial_clavicle.y + body.mm(16)}, body.mm(3));
    }

  } else {
    insertion = body.clavicle_point(side, static_cast<float>(rng.uniform(0.5, 0.7))) +
                cv::Point2f(0, rand_mm(body, rng, 6, 12));
    inside = {insertion, body.clavicle_point(side, 0.3f) + cv::Point2f(0, body.mm(9)),
              body.clavicle_point(side, 0.08f) + cv::Point2f(0, body.mm(13))};
    if (side == ImageSide::right) push_below(inside, {a.spine_x, inside.back().y + body.mm(8)}, body.mm(3));
  }
  // Outside the skin the line carries straight on from its course under the skin, then bends
  // away towards the hub: no kink at the puncture.
  cv::Point2f away = insertion - inside[1];
  away *= 1.f / std::max(1e-3f, std::hypot(away.x, away.y));
  const cv::Point2f bent = place(away, {0, 0}, out * static_cast<float>(rng.uniform(10, 45)));
  const Curve outside{insertion, insertion + away * rand_mm(body, rng, 8, 14),
                      insertion + away * body.mm(14) + bent * rand_mm(body, rng, 12, 25)};
  const float cava_x = body.vena_cava_x() + rand_mm(body, rng, -3, 3);
  push_below(inside, {cava_x, a.sternum_top_y + body.mm(20)}, body.mm(12));
  // The tip belongs at the cavo-atrial junction, 0-4 cm below the carina.
  push_below(inside, {cava_x + body.mm(1), a.carina.y + rand_mm(body, rng, 0, 40)}, body.mm(12));

  Curve waypoints(outside.rbegin(), outside.rend());
  waypoints.insert(waypoints.end(), inside.begin() + 1, inside.end());
  const Curve path = catmull_rom(waypoints, std::max(0.5f, body.mm(0.7f)));
  TubeStyle style;
  style.width = rand_mm(body, rng, 2.0, 3.0);
  style.lumen_value = static_cast<float>(rng.uniform(0.18, 0.32));
  style.wall_value = style.lumen_value;
  style.stripe_value = static_cast<float>(rng.uniform(0.15, 0.3));
  style.stripe_width = std::max(1.f, 0.4f * style.width);
  draw_tube(canvas, path, style);
  if (rng.bernoulli(0.6)) draw_hub(canvas, path, body, rng);
  return jugular ? "central venous catheter via jugular vein" : "central venous catheter via subclavian vein";
}

std::string draw_nasogastric_tube(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  const float x = a.spine_x;
  Curve waypoints{{x + rand_mm(body, rng, -10, 10), -body.mm(15)}};
  push_below(waypoints, {x + rand_mm(body, rng, -6, 6), a.trachea_top.y + body.mm(30)}, body.mm(10));
  push_below(waypoints, {x + rand_mm(body, rng, -4, 6), a.carina.y}, body.mm(10));
  // The oesophagus drifts to the patient's left on its way to the hiatus.
  push_below(waypoints, {x + rand_mm(body, rng, 4, 14), a.heart_center.y}, body.mm(10));
  push_below(waypoints, {x + rand_mm(body, rng, 12, 28), a.diaphragm_y + body.mm(8)}, body.mm(10));
  const cv::Point2f fundus(x + rand_mm(body, rng, 45, 75), a.diaphragm_y + rand_mm(body, rng, 25, 45));
  waypoints.push_back(fundus);
  if (rng.bernoulli(0.2)) {
    // Coiled in the stomach.
    const float r = rand_mm(body, rng, 12, 20);
    waypoints.push_back(fundus + cv::Point2f(r, r));
    waypoints.push_back(fundus + cv::Point2f(2 * r, 0));
    waypoints.push_back(fundus + cv::Point2f(r, -r));
    waypoints.push_back(fundus + cv::Point2f(0, 0.3f * r));
  }
  waypoints.push_back(fundus + cv::Point2f(rand_mm(body, rng, 15, 30), rand_mm(body, rng, -20, 5)));

  const Curve path = catmull_rom(waypoints, std::max(0.5f, body.mm(0.7f)));
  TubeStyle style;
  style.width = rand_mm(body, rng, 4.0, 5.5);
  style.lumen_value = static_cast<float>(rng.uniform(0.1, 0.2));
  style.wall_value = style.lumen_value + static_cast<float>(rng.uniform(0.08, 0.15));
  style.stripe_value = static_cast<float>(rng.uniform(0.25, 0.45));
  style.stripe_width = std::max(1.f, body.mm(1.f));
  style.stripe_offset = static_cast<float>(rng.uniform(-0.6, 0.6));
  // Side holes near the tip interrupt the stripe.
  const float length = curve_length(path);
  std::vector<std::pair<float, float>> holes;
  for (int k = 3; k >= 1; --k) holes.push_back({length - body.mm(12.f * k), length - body.mm(12.f * k - 4.f)});
  draw_tube(canvas, path, style, holes);
  canvas.stroke(curve_section(path, length - body.mm(5), length), style.width * 0.8f, 0.3f);
  return "NSG tube";
}

std::string draw_endotracheal_tube(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  const cv::Point2f start(a.trachea_top.x + rand_mm(body, rng, -3, 3), a.trachea_top.y - body.mm(40));
  // The tip belongs 3-6 cm above the carina, clear of the bronchi when the head moves.
  cv::Point2f tip(a.carina.x + rand_mm(body, rng, -3, 3), a.carina.y - rand_mm(body, rng, 30, 60));
  tip.y = std::max(tip.y, start.y + body.mm(60));
  const cv::Point2f middle = (start + tip) * 0.5f + cv::Point2f(rand_mm(body, rng, -4, 4), 0);
  const Curve path = catmull_rom({start, middle, tip}, std::max(0.5f, body.mm(0.7f)));
  TubeStyle style;
  style.width = rand_mm(body, rng, 7, 10);
  style.lumen_value = static_cast<float>(rng.uniform(0.08, 0.15));
  style.wall_value = style.lumen_value + static_cast<float>(rng.uniform(0.1, 0.18));
  style.stripe_value = static_cast<float>(rng.uniform(0.5, 0.9));
  style.stripe_width = std::max(1.f, body.mm(1.2f));
  style.stripe_offset = static_cast<float>(rng.uniform(-0.7, 0.7));
  draw_tube(canvas, path, style);
  // The tip is cut at a bevel: one wall ends short of the other.
  const cv::Point2f end = path.back(), along = tangent_at_length(path, curve_length(path));
  const cv::Point2f across(-along.y, along.x);
  const float reach = style.width;
  const float bevel = (rng.bernoulli(0.5) ? 1.f : -1.f) * style.width * 0.5f;
  canvas.fill_polygon(
      {end + across * reach + along * (reach + bevel), end - across * reach + along * (reach - bevel),
       end - across * reach - along * (0.1f * reach - bevel), end + across * reach - along * (0.1f * reach + bevel)},
      0.f, Blend::replace);
  return "endotracheal tube";
}

std::string draw_chest_drain(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const ImageSide side = rng.bernoulli(0.5) ? ImageSide::left : ImageSide::right;
  const float out = outward(side);
  const cv::Rect2f lung = body.lung_box(side);
  const float wall_x = side == ImageSide::left ? lung.x : lung.x + lung.width;
  // Inserted in the "safe triangle": mid-axillary line, 4th-6th intercostal space or lower.
  const float entry_y = lung.y + static_cast<float>(rng.uniform(0.55, 0.8)) * lung.height;
  const cv::Point2f wall(wall_x + out * body.mm(10), entry_y + body.mm(5));
  const bool pigtail = rng.bernoulli(0.25);
  Curve waypoints{
      {wall_x + out * rand_mm(body, rng, 30, 50), entry_y + rand_mm(body, rng, 30, 70)},
      wall,
      {wall_x - out * body.mm(15), entry_y - body.mm(10)},
      body.lung_point(side, static_cast<float>(rng.uniform(0.6, 0.85)), 0.45f),
      body.lung_point(side, static_cast<float>(rng.uniform(0.35, 0.6)), static_cast<float>(rng.uniform(0.05, 0.15)))};
  Curve path = catmull_rom(waypoints, std::max(0.5f, body.mm(0.7f)));
  if (pigtail) {
    const cv::Point2f tip = path.back();
    const float r = rand_mm(body, rng, 5, 8);
    const Curve curl = ellipse_arc(tip + cv::Point2f(-out * r, 0), r, r, 0.f, side == ImageSide::left ? 180.f : 0.f,
                                   side == ImageSide::left ? 180.f + 300.f : 300.f, std::max(0.5f, body.mm(0.7f)));
    path.insert(path.end(), curl.begin(), curl.end());
  }
  TubeStyle style;
  style.width = pigtail ? rand_mm(body, rng, 2.5, 3.5) : rand_mm(body, rng, 5, 9);
  style.lumen_value = static_cast<float>(rng.uniform(0.1, 0.2));
  style.wall_value = style.lumen_value + static_cast<float>(rng.uniform(0.08, 0.18));
  style.stripe_value = static_cast<float>(rng.uniform(0.4, 0.75));
  style.stripe_width = std::max(1.f, body.mm(1.2f));
  style.stripe_offset = static_cast<float>(rng.uniform(-0.6, 0.6));
  // The stripe breaks at the sentinel eye, the last side hole, which must lie inside the chest.
  float sentinel = 0;
  float best = 1e9f;
  for (float along = 0; along < curve_length(path); along += body.mm(2)) {
    const cv::Point2f p = point_at_length(path, along);
    const float d = std::hypot(p.x - wall.x, p.y - wall.y);
    if (d < best) best = d, sentinel = along;
  }
  sentinel += body.mm(20);
  draw_tube(canvas, path, style, {{sentinel, sentinel + body.mm(5)}});
  return "chest drain tube";
}

}  // namespace medanon::synth

namespace medanon::synth {

std::string draw_pulmonary_artery_catheter(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  // In by the right internal jugular (image left) or either subclavian vein, down the cava,
  // through the right atrium and ventricle, up the outflow tract into a pulmonary artery.
  const bool jugular = rng.bernoulli(0.6);
  const ImageSide side = jugular || rng.bernoulli(0.6) ? ImageSide::left : ImageSide::right;
  const float out = outward(side);
  const cv::Point2f medial_clavicle = body.clavicle_point(side, 0.05f);
  Curve route;
  if (jugular) {
    route = {{a.spine_x + out * rand_mm(body, rng, 22, 32), medial_clavicle.y - rand_mm(body, rng, 30, 45)},
             {a.spine_x + out * rand_mm(body, rng, 14, 20), medial_clavicle.y}};
  } else {
    route = {body.clavicle_point(side, static_cast<float>(rng.uniform(0.5, 0.7))) + cv::Point2f(0, body.mm(8)),
             body.clavicle_point(side, 0.1f) + cv::Point2f(0, body.mm(12))};
  }
  const float cava_x = body.vena_cava_x() + rand_mm(body, rng, -3, 3);
  push_below(route, {cava_x, a.sternum_top_y + body.mm(25)}, body.mm(8));
  // The right atrium lies at the heart's image-left border, the ventricle below and across.
  const float heart_left = a.heart_center.x - a.heart_half_width;
  push_below(route, {heart_left + rand_mm(body, rng, 5, 15), a.heart_center.y}, body.mm(8));
  route.push_back({a.heart_center.x + rand_mm(body, rng, -5, 15), a.heart_center.y + 0.45f * a.heart_half_height});
  // Out of the ventricle, up to the pulmonary trunk above the heart, then right or left.
  const cv::Point2f trunk(a.heart_center.x + rand_mm(body, rng, 5, 18), a.heart_center.y - 0.9f * a.heart_half_height);
  route.push_back({0.5f * (route.back().x + trunk.x) + body.mm(12), 0.5f * (route.back().y + trunk.y)});
  route.push_back(trunk);
  const bool right_artery = rng.bernoulli(0.7);
  const float lateral = right_artery ? -1.f : 1.f;
  route.push_back({trunk.x + lateral * rand_mm(body, rng, 35, 60), trunk.y + rand_mm(body, rng, -5, 15)});
  const Curve path = catmull_rom(route, std::max(0.5f, body.mm(0.7f)));
  TubeStyle style;  // the whole catheter is radiopaque: a dense thin line, no separate stripe
  style.width = rand_mm(body, rng, 2.2, 2.8);
  style.lumen_value = static_cast<float>(rng.uniform(0.3, 0.5));
  style.wall_value = style.lumen_value;
  style.stripe_value = static_cast<float>(rng.uniform(0.05, 0.15));
  style.stripe_width = std::max(1.f, 0.5f * style.width);
  draw_tube(canvas, path, style);
  // The balloon near the tip, deflated: a faint bulge.
  canvas.fill_circle(point_at_length(path, curve_length(path) - body.mm(6)), 0.9f * style.width, 0.12f);
  if (rng.bernoulli(0.5)) draw_hub(canvas, path, body, rng);
  return "Swan Ganz catheter";
}

std::string draw_tracheostomy_tube(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  const auto& a = body.anatomy();
  // Seen from the front the cannula runs down the trachea from the stoma at the neck; its
  // flange lies across the neck at the stoma.
  const float x = a.trachea_top.x + rand_mm(body, rng, -3, 3);
  const float stoma_y = a.trachea_top.y + rand_mm(body, rng, -10, 15);
  const float length = rand_mm(body, rng, 45, 70);
  const Curve path = catmull_rom({{x, stoma_y},
                                  {x + rand_mm(body, rng, -2, 2), stoma_y + 0.5f * length},
                                  {x + rand_mm(body, rng, -3, 3), stoma_y + length}},
                                 std::max(0.5f, body.mm(0.7f)));
  TubeStyle style;
  style.width = rand_mm(body, rng, 9, 12);
  style.lumen_value = static_cast<float>(rng.uniform(0.1, 0.2));
  style.wall_value = style.lumen_value + static_cast<float>(rng.uniform(0.15, 0.3));
  style.stripe_value = static_cast<float>(rng.uniform(0.2, 0.5));
  style.stripe_width = std::max(1.f, body.mm(1.f));
  draw_tube(canvas, path, style);
  const float step = std::max(0.5f, body.mm(0.5f));
  const float flange = rand_mm(body, rng, 55, 80), tilt = static_cast<float>(rng.uniform(-6, 6));
  canvas.fill_polygon(rounded_rectangle({x, stoma_y}, flange, body.mm(6), body.mm(2.5f), tilt, step),
                      static_cast<float>(rng.uniform(0.3, 0.55)));
  // Tie holes at the flange's wings, and a metal cannula's denser ring at the stoma.
  for (float s : {-1.f, 1.f})
    canvas.fill_circle(place(cv::Point2f(s * 0.4f * flange, 0), {x, stoma_y}, tilt), body.mm(2), 0.f, Blend::replace);
  if (rng.bernoulli(0.3))
    canvas.stroke_closed(ellipse_arc({x, stoma_y}, 0.6f * style.width, body.mm(3), tilt, 0, 360, step),
                         std::max(1.f, body.mm(1.2f)), 1.2f);
  return "tracheostomy tube";
}

}  // namespace medanon::synth
