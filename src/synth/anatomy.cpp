#include "synth/anatomy.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace medanon::synth {
namespace {

// Shapes are laid out in normalised coordinates (u across, v down, both in [0, 1]) and drawn
// at a working resolution of at most kWorkingSize pixels: soft anatomy has no detail finer than
// that, and the final upsampling gives the smooth edges radiographs have.
constexpr int kWorkingSize = 512;

struct BodyLayout {
  double body_left, body_right;   // trunk sides at mid height
  double neck_half_width;
  double shoulder_v;              // where the shoulders meet the neck
  double spine_u;
  double lung_top_v;
  double right_diaphragm_v;       // image-left hemidiaphragm (patient's right, higher: liver)
  double left_diaphragm_v;
  double lung_lateral_margin;     // gap between lung and body wall
  double lung_medial_gap;         // half width of the mediastinum at the hila
  double heart_u, heart_v, heart_half_width, heart_half_height;
  double tilt_degrees;
};

BodyLayout draw_layout(const ImagePlan& plan, Rng& rng) {
  BodyLayout l{};
  const double half_body = rng.uniform(0.36, 0.45);
  l.spine_u = 0.5 + rng.uniform(-0.04, 0.04);
  l.body_left = l.spine_u - half_body;
  l.body_right = l.spine_u + half_body;
  l.neck_half_width = rng.uniform(0.07, 0.10);
  l.shoulder_v = rng.uniform(0.08, 0.15);
  l.lung_top_v = l.shoulder_v + rng.uniform(0.04, 0.08);
  const bool ap = plan.projection == "AP";
  // AP films are mostly supine/portable: shallower inspiration, magnified heart.
  const double diaphragm = rng.uniform(0.70, 0.80) - (ap ? 0.05 : 0.0);
  l.right_diaphragm_v = diaphragm - rng.uniform(0.01, 0.04);
  l.left_diaphragm_v = diaphragm;
  l.lung_lateral_margin = rng.uniform(0.02, 0.04);
  l.lung_medial_gap = rng.uniform(0.045, 0.07);
  double heart_scale = rng.uniform(0.85, 1.05) * (ap ? 1.15 : 1.0) * (plan.cardiomegaly ? 1.4 : 1.0);
  l.heart_half_width = 0.12 * heart_scale;
  l.heart_half_height = 0.10 * std::min(heart_scale, 1.25);
  l.heart_u = l.spine_u + 0.05 * heart_scale;  // the heart lies mostly on the patient's left
  l.heart_v = l.left_diaphragm_v - l.heart_half_height * 0.75;
  l.tilt_degrees = rng.uniform(-3.0, 3.0);
  return l;
}

cv::Point2f to_pixels(double u, double v, cv::Size size) {
  return {static_cast<float>(u * size.width), static_cast<float>(v * size.height)};
}

std::vector<cv::Point> to_polygon(const std::vector<cv::Point2d>& uv, cv::Size size) {
  std::vector<cv::Point> points;
  points.reserve(uv.size());
  for (const auto& p : uv) points.emplace_back(cv::Point(to_pixels(p.x, p.y, size)));
  return points;
}

// One lung as a closed outline: apex, lateral wall, costophrenic angle, diaphragm dome, medial
// border along the mediastinum. `side` is -1 for the image-left lung and +1 for the right one.
std::vector<cv::Point2d> lung_outline(const BodyLayout& l, int side, Rng& rng) {
  const double lateral = side < 0 ? l.body_left + l.lung_lateral_margin : l.body_right - l.lung_lateral_margin;
  const double medial = l.spine_u + side * l.lung_medial_gap;
  const double diaphragm = side < 0 ? l.right_diaphragm_v : l.left_diaphragm_v;
  const double apex_u = medial + (lateral - medial) * rng.uniform(0.30, 0.42);
  const double costophrenic_v = diaphragm + rng.uniform(0.03, 0.07);
  std::vector<cv::Point2d> outline;
  constexpr int kSteps = 24;
  // apex to costophrenic angle along the lateral wall (a quarter ellipse)
  for (int i = 0; i <= kSteps; ++i) {
    const double t = static_cast<double>(i) / kSteps * M_PI / 2;
    outline.emplace_back(apex_u + (lateral - apex_u) * std::sin(t),
                         l.lung_top_v + (costophrenic_v - l.lung_top_v) * (1 - std::cos(t)));
  }
  // diaphragm dome back to the medial side (highest in its lateral third)
  for (int i = 1; i <= kSteps; ++i) {
    const double t = static_cast<double>(i) / kSteps;
    const double u = lateral + (medial - lateral) * t;
    const double dome = std::sin(t * M_PI) * 0.05;
    outline.emplace_back(u, costophrenic_v + (diaphragm - costophrenic_v) * std::min(1.0, t * 3) - dome);
  }
  // medial border: the heart bulges into the left lung's lower half
  const double heart_edge = l.heart_u + side * l.heart_half_width;
  for (int i = 1; i < kSteps; ++i) {
    const double t = static_cast<double>(i) / kSteps;
    const double v = diaphragm - (diaphragm - l.lung_top_v) * t;
    double u = medial;
    const double dv = (v - l.heart_v) / (l.heart_half_height * 1.3);
    if (std::abs(dv) < 1.0) {
      const double bulge = std::sqrt(1 - dv * dv);
      u = side > 0 ? std::max(medial, medial + (heart_edge - medial) * bulge)
                   : std::min(medial, medial + (heart_edge - medial) * bulge);
    }
    u += side * 0.02 * t * t;  // the mediastinum narrows towards the apices
    outline.emplace_back(u, v);
  }
  return outline;
}

cv::Mat smooth_field(cv::Size size, double cells, Rng& rng) {
  const int grid_w = std::max(2, static_cast<int>(cells));
  const int grid_h = std::max(2, static_cast<int>(cells * size.height / std::max(1, size.width)));
  cv::Mat grid(grid_h, grid_w, CV_32FC1);
  for (int y = 0; y < grid_h; ++y)
    for (int x = 0; x < grid_w; ++x) grid.at<float>(y, x) = static_cast<float>(rng.uniform(-1, 1));
  cv::Mat field;
  cv::resize(grid, field, size, 0, 0, cv::INTER_CUBIC);
  return field;
}

void draw_curve(cv::Mat& target, const std::vector<cv::Point2f>& points, double value, int thickness) {
  std::vector<cv::Point> pts;
  for (const auto& p : points) pts.emplace_back(cv::Point(cvRound(p.x * 16), cvRound(p.y * 16)));
  cv::polylines(target, pts, false, cv::Scalar(value), std::max(1, thickness), cv::LINE_AA, 4);
}

// Posterior ribs: arcs from the spine out to the lateral wall and down; anterior ribs: fainter
// arcs sloping back towards the sternum. Cortex brighter than marrow, as on film.
void draw_ribs(cv::Mat& bones, const BodyLayout& l, cv::Size size, Rng& rng) {
  const int rib_count = rng.uniform_int(9, 11);
  const double spacing = (l.left_diaphragm_v - l.lung_top_v + 0.06) / rib_count;
  const double rib_thickness = rng.uniform(0.014, 0.02) * size.height;
  for (int side : {-1, 1}) {
    const double lateral = side < 0 ? l.body_left + 0.01 : l.body_right - 0.01;
    for (int k = 0; k < rib_count; ++k) {
      const double v0 = l.lung_top_v - 0.04 + k * spacing * rng.uniform(0.95, 1.05);
      std::vector<cv::Point2f> posterior, anterior;
      for (int i = 0; i <= 20; ++i) {
        const double t = i / 20.0;
        const double u = l.spine_u + side * 0.03 + (lateral - l.spine_u - side * 0.03) * t;
        const double v = v0 - 0.03 * std::sin(t * M_PI * 0.8) + 0.06 * t * t;
        posterior.push_back(to_pixels(u, v, size));
        const double ua = lateral + (l.spine_u + side * 0.08 - lateral) * t;
        const double va = v0 + 0.06 + 0.07 * t - 0.02 * std::sin(t * M_PI);
        anterior.push_back(to_pixels(ua, va, size));
      }
      const int thick = static_cast<int>(rib_thickness * 16);
      draw_curve(bones, posterior, 0.10, thick / 16);
      draw_curve(bones, posterior, 0.065, std::max(1, thick / 40));  // marrow: the cortex stays brighter
      draw_curve(bones, anterior, 0.05, std::max(1, thick * 3 / 4 / 16));
    }
  }
}

std::array<std::vector<cv::Point2f>, 2> clavicle_curves(const BodyLayout& l, cv::Size size, Rng& rng) {
  std::array<std::vector<cv::Point2f>, 2> curves;
  for (int s = 0; s < 2; ++s) {
    const int side = s == 0 ? -1 : 1;
    const double v_medial = l.lung_top_v + rng.uniform(0.0, 0.03);
    const double lateral = side < 0 ? l.body_left + 0.06 : l.body_right - 0.06;
    for (int i = 0; i <= 20; ++i) {
      const double t = i / 20.0;
      const double u = l.spine_u + side * 0.04 + (lateral - l.spine_u - side * 0.04) * t;
      const double v = v_medial - 0.06 * t + 0.015 * std::sin(t * 2 * M_PI);  // the S-curve
      curves[s].push_back(to_pixels(u, v, size));
    }
  }
  return curves;
}

// Branching vessels fanning out from the hila: thin bright lines that are anatomy, not wires,
// so a foreign-object detector cannot treat every thin line as an object.
void draw_vessels(cv::Mat& target, const BodyLayout& l, cv::Size size, Rng& rng) {
  for (int side : {-1, 1}) {
    const cv::Point2f hilum = to_pixels(l.spine_u + side * (l.lung_medial_gap + 0.04), l.heart_v - 0.12, size);
    const int branches = rng.uniform_int(10, 16);
    for (int b = 0; b < branches; ++b) {
      double angle = (side < 0 ? M_PI : 0.0) + rng.uniform(-1.3, 1.3);
      cv::Point2f p = hilum;
      std::vector<cv::Point2f> path{p};
      const int steps = rng.uniform_int(6, 12);
      const double step = size.width * rng.uniform(0.012, 0.022);
      for (int i = 0; i < steps; ++i) {
        angle += rng.uniform(-0.3, 0.3);
        p += cv::Point2f(static_cast<float>(std::cos(angle) * step), static_cast<float>(std::sin(angle) * step));
        path.push_back(p);
      }
      draw_curve(target, path, rng.uniform(0.03, 0.06), std::max(1, size.width / 250));
    }
  }
}

}  // namespace

AnatomyImage render_anatomy(const ImagePlan& plan, Rng& rng) {
  const cv::Size full(plan.width, plan.height);
  const double scale = std::min(1.0, static_cast<double>(kWorkingSize) / std::max(full.width, full.height));
  const cv::Size work(std::max(32, cvRound(full.width * scale)), std::max(32, cvRound(full.height * scale)));
  const BodyLayout l = draw_layout(plan, rng);

  // --- body: neck, shoulders and trunk as soft tissue that thins towards the skin -------------
  std::vector<cv::Point2d> body_uv;
  const double neck_l = l.spine_u - l.neck_half_width, neck_r = l.spine_u + l.neck_half_width;
  body_uv.push_back({neck_l, -0.05});
  body_uv.push_back({neck_l, l.shoulder_v - 0.03});
  // Trunk sides: shoulders round off, the chest is widest at mid height, the waist narrows.
  const double waist = rng.uniform(0.02, 0.06);
  constexpr int kSideSteps = 16;
  for (int i = 0; i <= kSideSteps; ++i) {
    const double t = static_cast<double>(i) / kSideSteps;
    const double v = l.shoulder_v + (1.05 - l.shoulder_v) * t;
    const double inset = 0.03 * std::pow(1 - t, 4) * 3 + waist * std::pow(std::max(0.0, t - 0.5) * 2, 2) - 0.01 * std::sin(t * M_PI);
    body_uv.push_back({l.body_left + inset, v});
  }
  for (int i = kSideSteps; i >= 0; --i) {
    const double t = static_cast<double>(i) / kSideSteps;
    const double v = l.shoulder_v + (1.05 - l.shoulder_v) * t;
    const double inset = 0.03 * std::pow(1 - t, 4) * 3 + waist * std::pow(std::max(0.0, t - 0.5) * 2, 2) - 0.01 * std::sin(t * M_PI);
    body_uv.push_back({l.body_right - inset, v});
  }
  body_uv.push_back({neck_r, l.shoulder_v - 0.03});
  body_uv.push_back({neck_r, -0.05});
  cv::Mat body_mask = cv::Mat::zeros(work, CV_8UC1);
  cv::fillPoly(body_mask, std::vector<std::vector<cv::Point>>{to_polygon(body_uv, work)}, cv::Scalar(255));
  cv::Mat distance;
  cv::distanceTransform(body_mask, distance, cv::DIST_L2, 5);
  cv::Mat density;
  const double tissue = rng.uniform(0.38, 0.48);
  const double falloff = 0.05 * work.width;
  cv::exp(-distance / falloff, density);
  density = (1.0 - density) * tissue;
  density.setTo(0, body_mask == 0);
  density += rng.uniform(0.0, 0.04);  // scatter and film base

  // --- lungs: the dark fields; everything between them stays mediastinum -------------------
  const auto right_lung = lung_outline(l, -1, rng);
  const auto left_lung = lung_outline(l, +1, rng);
  cv::Mat lungs = cv::Mat::zeros(work, CV_32FC1);
  cv::fillPoly(lungs, std::vector<std::vector<cv::Point>>{to_polygon(right_lung, work), to_polygon(left_lung, work)},
               cv::Scalar(1.0), cv::LINE_AA);
  cv::GaussianBlur(lungs, lungs, cv::Size(0, 0), work.width * 0.008);
  const double aeration = rng.uniform(0.24, 0.32);
  density -= lungs * aeration;
  // Lungs are thicker (darker) laterally and lower; this gradient is what makes them look round.
  cv::Mat lung_gradient = smooth_field(work, 3, rng) * 0.03;
  density += lungs.mul(lung_gradient);

  // --- heart, great vessels, spine and trachea -------------------------------------------
  cv::Mat mediastinum = cv::Mat::zeros(work, CV_32FC1);
  cv::ellipse(mediastinum, to_pixels(l.heart_u, l.heart_v, work),
              cv::Size2f(static_cast<float>(l.heart_half_width * work.width), static_cast<float>(l.heart_half_height * work.height)),
              rng.uniform(-25, -10), 0, 360, cv::Scalar(0.10), cv::FILLED, cv::LINE_AA);
  cv::ellipse(mediastinum, to_pixels(l.spine_u + 0.03, l.heart_v - l.heart_half_height * 1.6, work),
              cv::Size(cvRound(0.045 * work.width), cvRound(0.035 * work.height)), 0, 0, 360, cv::Scalar(0.06),
              cv::FILLED, cv::LINE_AA);  // aortic knob
  cv::GaussianBlur(mediastinum, mediastinum, cv::Size(0, 0), work.width * 0.01);
  density += mediastinum;

  cv::Mat bones = cv::Mat::zeros(work, CV_32FC1);
  const double spine_half = rng.uniform(0.028, 0.036);
  const int vertebra_count = 22;
  for (int k = 0; k < vertebra_count; ++k) {
    const double v = -0.02 + k * 0.05;
    cv::rectangle(bones, to_pixels(l.spine_u - spine_half, v, work), to_pixels(l.spine_u + spine_half, v + 0.04, work),
                  cv::Scalar(0.07), cv::FILLED, cv::LINE_AA);
  }
  draw_ribs(bones, l, work, rng);
  const auto clavicles_work = clavicle_curves(l, work, rng);
  for (const auto& curve : clavicles_work) draw_curve(bones, curve, 0.16, std::max(2, cvRound(work.height * 0.02)));
  if (rng.bernoulli(0.7)) {  // humeral heads at the upper corners
    for (int side : {-1, 1}) {
      const double u = side < 0 ? l.body_left + 0.015 : l.body_right - 0.015;
      cv::circle(bones, to_pixels(u, l.shoulder_v + 0.08, work), cvRound(0.05 * work.width), cv::Scalar(0.14), cv::FILLED,
                 cv::LINE_AA);
    }
  }
  cv::GaussianBlur(bones, bones, cv::Size(0, 0), std::max(0.8, work.width * 0.003));
  cv::Mat inside_body;
  body_mask.convertTo(inside_body, CV_32FC1, 1.0 / 255);
  cv::GaussianBlur(inside_body, inside_body, cv::Size(0, 0), work.width * 0.006);
  density += bones.mul(inside_body);  // no bone outside the skin

  cv::Mat trachea = cv::Mat::zeros(work, CV_32FC1);
  cv::line(trachea, to_pixels(l.spine_u, 0.0, work), to_pixels(l.spine_u + 0.005, l.heart_v - 0.18, work), cv::Scalar(0.10),
           std::max(2, cvRound(work.width * 0.03)), cv::LINE_AA);
  cv::GaussianBlur(trachea, trachea, cv::Size(0, 0), work.width * 0.006);
  density -= trachea;

  cv::Mat vessels = cv::Mat::zeros(work, CV_32FC1);
  draw_vessels(vessels, l, work, rng);
  cv::GaussianBlur(vessels, vessels, cv::Size(0, 0), std::max(0.6, work.width * 0.0015));
  density += vessels.mul(lungs);  // visible only against aerated lung
  density += smooth_field(work, 6, rng) * 0.025;  // soft-tissue inhomogeneity

  // --- slight patient rotation, then up to full resolution --------------------------------
  const cv::Mat rotation = cv::getRotationMatrix2D(cv::Point2f(work.width / 2.0f, work.height / 2.0f), l.tilt_degrees, 1.0);
  cv::warpAffine(density, density, rotation, work, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  AnatomyImage result;
  cv::resize(density, result.density, full, 0, 0, cv::INTER_CUBIC);
  // Fine parenchymal texture exists only at full resolution.
  cv::Mat texture = smooth_field(full, std::max(8.0, full.width / 12.0), rng) * 0.012;
  result.density += texture;

  // --- landmarks and masks in full-resolution pixels (rotated like the image) ---------------
  const cv::Mat full_rotation =
      cv::getRotationMatrix2D(cv::Point2f(full.width / 2.0f, full.height / 2.0f), l.tilt_degrees, 1.0);
  auto rotate = [&](cv::Point2f p) {
    const double x = full_rotation.at<double>(0, 0) * p.x + full_rotation.at<double>(0, 1) * p.y + full_rotation.at<double>(0, 2);
    const double y = full_rotation.at<double>(1, 0) * p.x + full_rotation.at<double>(1, 1) * p.y + full_rotation.at<double>(1, 2);
    return cv::Point2f(static_cast<float>(x), static_cast<float>(y));
  };
  auto rotated_polygon = [&](const std::vector<cv::Point2d>& uv) {
    std::vector<cv::Point> points;
    for (const auto& p : uv) points.emplace_back(cv::Point(rotate(to_pixels(p.x, p.y, full))));
    return points;
  };
  AnatomyLandmarks& lm = result.landmarks;
  lm.size = full;
  lm.right_lung = rotated_polygon(right_lung);
  lm.left_lung = rotated_polygon(left_lung);
  lm.body = cv::boundingRect(rotated_polygon(body_uv)) & cv::Rect(0, 0, full.width, full.height);
  lm.heart_center = rotate(to_pixels(l.heart_u, l.heart_v, full));
  lm.heart_half_width = static_cast<float>(l.heart_half_width * full.width);
  lm.heart_half_height = static_cast<float>(l.heart_half_height * full.height);
  lm.spine_x = static_cast<float>(l.spine_u * full.width);
  lm.spine_half_width = static_cast<float>(spine_half * full.width);
  lm.lung_top_y = static_cast<float>(l.lung_top_v * full.height);
  lm.diaphragm_y = static_cast<float>(l.left_diaphragm_v * full.height);
  lm.trachea_top = rotate(to_pixels(l.spine_u, 0.02, full));
  lm.carina = rotate(to_pixels(l.spine_u + 0.005, l.heart_v - 0.18, full));
  lm.sternum_top_y = static_cast<float>((l.lung_top_v + 0.03) * full.height);
  lm.sternum_bottom_y = static_cast<float>((l.heart_v + l.heart_half_height * 0.5) * full.height);
  for (int s = 0; s < 2; ++s) {
    for (const auto& p : clavicles_work[s]) {
      lm.clavicles[s].push_back(rotate(cv::Point2f(static_cast<float>(p.x / work.width * full.width),
                                                   static_cast<float>(p.y / work.height * full.height))));
    }
  }

  result.lung_mask = cv::Mat::zeros(full, CV_8UC1);
  cv::fillPoly(result.lung_mask, std::vector<std::vector<cv::Point>>{lm.right_lung, lm.left_lung}, cv::Scalar(255));
  // The mediastinum: between the lungs, from the lung apices down to the diaphragm.
  result.mediastinum_mask = cv::Mat::zeros(full, CV_8UC1);
  const int top = cvRound(lm.lung_top_y + 0.1 * full.height), bottom = cvRound(lm.diaphragm_y - 0.02 * full.height);
  for (int y = std::max(0, top); y < std::min(full.height, bottom); ++y) {
    const uchar* lung_row = result.lung_mask.ptr<uchar>(y);
    int left_edge = -1, right_edge = -1;
    for (int x = cvRound(lm.spine_x); x >= 0; --x) {
      if (lung_row[x]) { left_edge = x; break; }
    }
    for (int x = cvRound(lm.spine_x); x < full.width; ++x) {
      if (lung_row[x]) { right_edge = x; break; }
    }
    if (left_edge >= 0 && right_edge > left_edge + 4) {
      result.mediastinum_mask.row(y).colRange(left_edge + 2, right_edge - 1).setTo(255);
    }
  }
  return result;
}

}  // namespace medanon::synth
