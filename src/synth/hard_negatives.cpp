// Calcifications and bone islands as synth's hard negatives; see hard_negatives.hpp.

#include "synth/hard_negatives.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace medanon::synth {
namespace {

// A dense focus: a filled ellipse, anti-aliased by a slight blur so it looks like a calcified
// nodule rather than a stamped disk.
void draw_focus(cv::Mat& density, cv::Point2f centre, float radius_x, float radius_y, float angle, double value) {
  cv::Mat one = cv::Mat::zeros(density.size(), CV_32FC1);
  cv::ellipse(one, cv::Point(cvRound(centre.x), cvRound(centre.y)),
              cv::Size(std::max(1, cvRound(radius_x)), std::max(1, cvRound(radius_y))), angle, 0, 360,
              cv::Scalar(value), cv::FILLED, cv::LINE_AA);
  density = cv::max(density, one);
}

// A point inside the lungs, by rejection; false when none was found (a tiny or empty mask).
bool point_in_lungs(const cv::Mat& lung_mask, const cv::Rect& body, Rng& rng, cv::Point2f& point) {
  for (int tries = 0; tries < 200; ++tries) {
    const cv::Point2f p(static_cast<float>(rng.uniform(body.x, body.x + body.width)),
                        static_cast<float>(rng.uniform(body.y, body.y + body.height)));
    const cv::Point q(cvRound(p.x), cvRound(p.y));
    if (q.inside(cv::Rect(cv::Point(), lung_mask.size())) && lung_mask.at<unsigned char>(q) != 0) {
      point = p;
      return true;
    }
  }
  return false;
}

}  // namespace

HardNegativeLayer draw_hard_negatives(const AnatomyLandmarks& anatomy, const cv::Mat& lung_mask, Rng& rng) {
  HardNegativeLayer layer;
  layer.density = cv::Mat::zeros(anatomy.size, CV_32FC1);
  const float scale = static_cast<float>(anatomy.size.height) / 1024.0f;  // sizes below are at 1024 px
  std::vector<std::string> kinds = {"calcified_granuloma", "calcified_nodes", "aortic_calcification", "bone_island"};
  for (std::size_t i = kinds.size(); i > 1; --i) {  // a seeded shuffle, then the first 1-3
    std::swap(kinds[i - 1], kinds[static_cast<std::size_t>(rng.uniform_int(0, static_cast<int>(i) - 1))]);
  }
  kinds.resize(static_cast<std::size_t>(rng.uniform_int(1, 3)));
  for (const auto& kind : kinds) {
    cv::Mat one = cv::Mat::zeros(anatomy.size, CV_32FC1);
    if (kind == "calcified_granuloma") {
      const int count = rng.uniform_int(1, 3);
      for (int k = 0; k < count; ++k) {
        cv::Point2f p;
        if (!point_in_lungs(lung_mask, anatomy.body, rng, p)) continue;
        const float r = static_cast<float>(rng.uniform(3.0, 9.0)) * scale;
        draw_focus(one, p, r, r * static_cast<float>(rng.uniform(0.75, 1.0)), static_cast<float>(rng.uniform(0, 180)),
                   rng.uniform(0.3, 0.45));
      }
    } else if (kind == "calcified_nodes") {
      const float side = rng.bernoulli(0.5) ? -1.0f : 1.0f;  // which hilum
      const cv::Point2f hilum(anatomy.heart_center.x + side * anatomy.heart_half_width * 0.55f,
                              0.5f * (anatomy.carina.y + anatomy.heart_center.y));
      const int count = rng.uniform_int(2, 4);
      for (int k = 0; k < count; ++k) {
        const cv::Point2f p(hilum.x + static_cast<float>(rng.uniform(-22.0, 22.0)) * scale,
                            hilum.y + static_cast<float>(rng.uniform(-28.0, 28.0)) * scale);
        const float r = static_cast<float>(rng.uniform(4.0, 10.0)) * scale;
        draw_focus(one, p, r, r * static_cast<float>(rng.uniform(0.6, 1.0)), static_cast<float>(rng.uniform(0, 180)),
                   rng.uniform(0.22, 0.38));
      }
    } else if (kind == "aortic_calcification") {
      // the knob sits left of the spine (image right) above the heart: a short arc of its wall
      const cv::Point knob(cvRound(anatomy.spine_x + anatomy.spine_half_width * 1.6f),
                           cvRound(anatomy.carina.y - 10.0f * scale));
      const int radius = std::max(3, cvRound(static_cast<float>(rng.uniform(24.0, 36.0)) * scale));
      const double start = rng.uniform(180.0, 240.0);
      cv::ellipse(one, knob, cv::Size(radius, radius), 0, start, start + rng.uniform(60.0, 110.0),
                  cv::Scalar(rng.uniform(0.25, 0.4)), std::max(1, cvRound(rng.uniform(2.0, 4.0) * scale)), cv::LINE_AA);
    } else {  // bone_island: in the upper chest wall, where ribs and clavicles lie
      const cv::Point2f p(static_cast<float>(rng.uniform(anatomy.body.x + 0.12 * anatomy.body.width,
                                                         anatomy.body.x + 0.88 * anatomy.body.width)),
                          static_cast<float>(rng.uniform(anatomy.lung_top_y, 0.5 * (anatomy.lung_top_y + anatomy.diaphragm_y))));
      const float r = static_cast<float>(rng.uniform(4.0, 10.0)) * scale;
      draw_focus(one, p, r * 1.5f, r, static_cast<float>(rng.uniform(0, 180)), rng.uniform(0.18, 0.3));
    }
    cv::GaussianBlur(one, one, cv::Size(), 0.8 * std::max(1.0f, scale));
    const cv::Mat mask = one > 0.01;
    if (cv::countNonZero(mask) == 0) continue;  // e.g. no lung pixel found
    one.setTo(0, ~mask);
    layer.findings.push_back({kind, cv::boundingRect(mask)});
    layer.density = cv::max(layer.density, one);
  }
  layer.mask = layer.density > 0;
  return layer;
}

}  // namespace medanon::synth
