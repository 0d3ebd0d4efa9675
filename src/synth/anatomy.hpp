#pragma once
// A chest radiograph's anatomy as an attenuation map: lungs dark, mediastinum, heart, spine,
// ribs and clavicles bright, smooth soft-tissue gradients. Foreign objects and burned-in text
// are placed relative to the landmarks it reports.

#include <opencv2/core.hpp>

#include <array>
#include <vector>

#include "synth/random.hpp"
#include "synth/records.hpp"

namespace medanon::synth {

// Image coordinates follow radiological convention for a PA view: the patient's right lung
// is on the image's left.
struct AnatomyLandmarks {
  cv::Size size;
  cv::Rect body;                        // torso bounding box
  std::vector<cv::Point> right_lung;    // polygon, image left
  std::vector<cv::Point> left_lung;     // polygon, image right
  cv::Point2f heart_center;
  float heart_half_width = 0;
  float heart_half_height = 0;
  float spine_x = 0;                    // midline column
  float spine_half_width = 0;
  float lung_top_y = 0;                 // apices
  float diaphragm_y = 0;                // dome level
  cv::Point2f trachea_top;              // where the trachea enters at the neck
  cv::Point2f carina;                   // tracheal bifurcation
  std::array<std::vector<cv::Point2f>, 2> clavicles;  // [0] image left, [1] image right
  float sternum_top_y = 0;
  float sternum_bottom_y = 0;
};

struct AnatomyImage {
  cv::Mat density;           // CV_32FC1, relative attenuation, about [0, 1]: higher = brighter
  cv::Mat lung_mask;         // CV_8UC1, 255 inside the lung fields
  cv::Mat mediastinum_mask;  // CV_8UC1, 255 over mediastinum + heart
  AnatomyLandmarks landmarks;
};

// Renders the anatomy of `plan` (size, projection, cardiomegaly) from the anatomy stream.
AnatomyImage render_anatomy(const ImagePlan& plan, Rng& rng);

}  // namespace medanon::synth
