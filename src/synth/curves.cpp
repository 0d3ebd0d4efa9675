#include "synth/curves.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace medanon::synth {
namespace {

constexpr float kPi = 3.14159265358979f;

float distance(cv::Point2f a, cv::Point2f b) { return std::hypot(a.x - b.x, a.y - b.y); }

cv::Point2f lerp(cv::Point2f a, cv::Point2f b, float t) { return a + (b - a) * t; }

// Barry-Goldman pyramid for one segment p1..p2 with knot spacing |chord|^0.5 (centripetal,
// Yuksel et al. 2011): the form that never overshoots into loops or cusps.
cv::Point2f centripetal_point(const cv::Point2f p[4], const float knots[4], float t) {
  auto mix = [](cv::Point2f a, cv::Point2f b, float ta, float tb, float tt) {
    return tb - ta < 1e-6f ? a : a * ((tb - tt) / (tb - ta)) + b * ((tt - ta) / (tb - ta));
  };
  const cv::Point2f a1 = mix(p[0], p[1], knots[0], knots[1], t);
  const cv::Point2f a2 = mix(p[1], p[2], knots[1], knots[2], t);
  const cv::Point2f a3 = mix(p[2], p[3], knots[2], knots[3], t);
  const cv::Point2f b1 = mix(a1, a2, knots[0], knots[2], t);
  const cv::Point2f b2 = mix(a2, a3, knots[1], knots[3], t);
  return mix(b1, b2, knots[1], knots[2], t);
}

}  // namespace

Curve catmull_rom(const Curve& waypoints, float step_px) {
  if (waypoints.size() < 2) throw std::invalid_argument("catmull_rom: needs two waypoints");
  step_px = std::max(step_px, 0.25f);
  // Phantom end points continue the first and last chords, so the curve starts and ends
  // heading along them.
  Curve points;
  points.push_back(waypoints.front() * 2.f - waypoints[1]);
  points.insert(points.end(), waypoints.begin(), waypoints.end());
  points.push_back(waypoints.back() * 2.f - waypoints[waypoints.size() - 2]);

  Curve samples{waypoints.front()};
  for (size_t i = 1; i + 2 < points.size(); ++i) {
    const cv::Point2f p[4] = {points[i - 1], points[i], points[i + 1], points[i + 2]};
    float knots[4] = {0, 0, 0, 0};
    for (int k = 1; k < 4; ++k) knots[k] = knots[k - 1] + std::sqrt(std::max(distance(p[k - 1], p[k]), 1e-4f));
    const int steps = std::max(1, static_cast<int>(std::ceil(distance(p[1], p[2]) / step_px)));
    for (int s = 1; s <= steps; ++s) {
      const float t = knots[1] + (knots[2] - knots[1]) * static_cast<float>(s) / static_cast<float>(steps);
      samples.push_back(centripetal_point(p, knots, t));
    }
  }
  return samples;
}

Curve ellipse_arc(cv::Point2f center, float semi_major, float semi_minor, float rotation_deg, float from_deg,
                  float to_deg, float step_px) {
  const float circumference = kPi * (semi_major + semi_minor) * std::abs(to_deg - from_deg) / 360.f;
  const int steps = std::max(8, static_cast<int>(std::ceil(circumference / std::max(step_px, 0.25f))));
  Curve arc;
  for (int s = 0; s <= steps; ++s) {
    const float angle = (from_deg + (to_deg - from_deg) * static_cast<float>(s) / steps) * kPi / 180.f;
    arc.push_back(place({semi_major * std::cos(angle), semi_minor * std::sin(angle)}, center, rotation_deg));
  }
  return arc;
}

Curve rounded_rectangle(cv::Point2f center, float width, float height, float corner_radius, float rotation_deg,
                        float step_px) {
  const float r = std::clamp(corner_radius, 0.f, 0.5f * std::min(width, height));
  const float hx = 0.5f * width - r, hy = 0.5f * height - r;
  // Corner centres in drawing order (clockwise on screen, y down), each with its quarter arc.
  const cv::Point2f corners[4] = {{hx, hy}, {-hx, hy}, {-hx, -hy}, {hx, -hy}};
  Curve outline;
  for (int k = 0; k < 4; ++k) {
    const Curve arc = ellipse_arc(corners[k], r, r, 0.f, 90.f * k, 90.f * (k + 1), step_px);
    outline.insert(outline.end(), arc.begin(), arc.end());
  }
  return place(outline, center, rotation_deg);
}

Curve offset_curve(const Curve& curve, float offset) {
  Curve shifted;
  shifted.reserve(curve.size());
  for (size_t i = 0; i < curve.size(); ++i) {
    const cv::Point2f before = curve[i == 0 ? 0 : i - 1];
    const cv::Point2f after = curve[std::min(i + 1, curve.size() - 1)];
    cv::Point2f tangent = after - before;
    const float norm = std::hypot(tangent.x, tangent.y);
    if (norm > 1e-6f) tangent *= 1.f / norm;
    shifted.push_back(curve[i] + cv::Point2f(tangent.y, -tangent.x) * offset);
  }
  return shifted;
}

float curve_length(const Curve& curve) {
  float length = 0;
  for (size_t i = 1; i < curve.size(); ++i) length += distance(curve[i - 1], curve[i]);
  return length;
}

Curve curve_section(const Curve& curve, float from_length, float to_length) {
  Curve section;
  if (curve.empty()) return section;
  from_length = std::max(0.f, from_length);
  section.push_back(point_at_length(curve, from_length));
  float walked = 0;
  for (size_t i = 1; i < curve.size(); ++i) {
    walked += distance(curve[i - 1], curve[i]);
    if (walked >= to_length) break;
    if (walked > from_length) section.push_back(curve[i]);
  }
  section.push_back(point_at_length(curve, to_length));
  return section;
}

cv::Point2f point_at_length(const Curve& curve, float length) {
  if (curve.empty()) return {};
  if (length <= 0) return curve.front();
  float walked = 0;
  for (size_t i = 1; i < curve.size(); ++i) {
    const float piece = distance(curve[i - 1], curve[i]);
    if (walked + piece >= length && piece > 0) return lerp(curve[i - 1], curve[i], (length - walked) / piece);
    walked += piece;
  }
  return curve.back();
}

cv::Point2f tangent_at_length(const Curve& curve, float length) {
  const float delta = 1.f;
  cv::Point2f direction = point_at_length(curve, length + delta) - point_at_length(curve, length - delta);
  const float norm = std::hypot(direction.x, direction.y);
  return norm > 1e-6f ? direction * (1.f / norm) : cv::Point2f(0, 1);
}

cv::Point2f place(cv::Point2f local, cv::Point2f origin, float degrees) {
  const float radians = degrees * kPi / 180.f;
  const float c = std::cos(radians), s = std::sin(radians);
  return {origin.x + local.x * c - local.y * s, origin.y + local.x * s + local.y * c};
}

Curve place(const Curve& local, cv::Point2f origin, float degrees) {
  Curve placed;
  placed.reserve(local.size());
  for (const auto& p : local) placed.push_back(place(p, origin, degrees));
  return placed;
}

}  // namespace medanon::synth
