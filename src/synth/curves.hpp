#pragma once
// Smooth curves for wires, leads and tubes. Leads and catheters bend smoothly through a few
// anatomical waypoints; a centripetal Catmull-Rom spline goes through every waypoint without
// the cusps and self-loops a uniform one makes when waypoints are unevenly spaced.

#include <opencv2/core.hpp>
#include <vector>

namespace medanon::synth {

using Curve = std::vector<cv::Point2f>;

// Densely sampled spline through `waypoints` (at least 2), about `step_px` between samples.
Curve catmull_rom(const Curve& waypoints, float step_px);

// Points of an ellipse arc (angles in degrees, `rotation_deg` turns the whole ellipse).
Curve ellipse_arc(cv::Point2f center, float semi_major, float semi_minor, float rotation_deg, float from_deg,
                  float to_deg, float step_px);

// A closed rounded rectangle (corner radius clamped to half the shorter side).
Curve rounded_rectangle(cv::Point2f center, float width, float height, float corner_radius, float rotation_deg,
                        float step_px);

// The curve shifted sideways by `distance` along its left normal (a tube's wall or stripe).
Curve offset_curve(const Curve& curve, float distance);

float curve_length(const Curve& curve);

// The part of `curve` between two arc lengths measured from its start (clamped to the curve).
Curve curve_section(const Curve& curve, float from_length, float to_length);

// A point at arc length `length` and the unit tangent there.
cv::Point2f point_at_length(const Curve& curve, float length);
cv::Point2f tangent_at_length(const Curve& curve, float length);

// Rotation by `degrees` about the origin, then translation: local shape -> image.
cv::Point2f place(cv::Point2f local, cv::Point2f origin, float degrees);
Curve place(const Curve& local, cv::Point2f origin, float degrees);

}  // namespace medanon::synth
