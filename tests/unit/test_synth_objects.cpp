// Foreign objects of the synthetic corpus: exact masks, honest boxes, PadChest labels,
// determinism, and metal that really shows as metal.

#include <gtest/gtest.h>

#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <string>
#include <vector>

#include "synth/foreign_objects.hpp"

namespace medanon::synth {
namespace {

const std::vector<ObjectKind> kAllKinds = {
    ObjectKind::pacemaker,        ObjectKind::central_venous_catheter,
    ObjectKind::nasogastric_tube, ObjectKind::endotracheal_tube,
    ObjectKind::chest_drain,      ObjectKind::sternotomy_wires,
    ObjectKind::osteosynthesis,   ObjectKind::heart_valve_ring,
    ObjectKind::surgical_clips,   ObjectKind::ring,
    // --object-kinds all
    ObjectKind::port_catheter,       ObjectKind::pulmonary_artery_catheter,
    ObjectKind::tracheostomy_tube,   ObjectKind::shoulder_prosthesis,
    ObjectKind::vertebral_cement,    ObjectKind::aortic_stent_graft,
    ObjectKind::metal_fragments,     ObjectKind::ecg_electrodes,
};

const std::vector<ObjectKind> kMetalKinds = {ObjectKind::pacemaker,      ObjectKind::sternotomy_wires,
                                             ObjectKind::osteosynthesis, ObjectKind::heart_valve_ring,
                                             ObjectKind::surgical_clips, ObjectKind::ring,
                                             ObjectKind::shoulder_prosthesis, ObjectKind::vertebral_cement,
                                             ObjectKind::metal_fragments};

const std::vector<ObjectKind> kTubeKinds = {ObjectKind::central_venous_catheter, ObjectKind::nasogastric_tube,
                                            ObjectKind::endotracheal_tube, ObjectKind::chest_drain,
                                            ObjectKind::pulmonary_artery_catheter, ObjectKind::tracheostomy_tube};

std::vector<cv::Point> scaled(const std::vector<cv::Point2f>& uv, cv::Size size) {
  std::vector<cv::Point> points;
  for (const auto& p : uv) points.emplace_back(cvRound(p.x * size.width), cvRound(p.y * size.height));
  return points;
}

// A plausible PA chest laid out by hand in normalised coordinates, independent of the
// anatomy renderer.
AnatomyLandmarks chest(int width, int height) {
  const cv::Size size(width, height);
  const auto at = [&](float u, float v) { return cv::Point2f(u * width, v * height); };
  AnatomyLandmarks a;
  a.size = size;
  a.body = cv::Rect(cvRound(0.08 * width), cvRound(0.05 * height), cvRound(0.84 * width), cvRound(0.95 * height));
  a.right_lung = scaled(
      {{0.30f, 0.16f}, {0.17f, 0.35f}, {0.13f, 0.70f}, {0.20f, 0.76f}, {0.42f, 0.72f}, {0.44f, 0.40f}, {0.42f, 0.18f}},
      size);
  a.left_lung = scaled(
      {{0.70f, 0.16f}, {0.83f, 0.35f}, {0.87f, 0.72f}, {0.80f, 0.78f}, {0.66f, 0.75f}, {0.58f, 0.50f}, {0.58f, 0.18f}},
      size);
  a.heart_center = at(0.55f, 0.63f);
  a.heart_half_width = 0.15f * width;
  a.heart_half_height = 0.11f * height;
  a.spine_x = 0.5f * width;
  a.spine_half_width = 0.035f * width;
  a.lung_top_y = 0.15f * height;
  a.diaphragm_y = 0.75f * height;
  a.trachea_top = at(0.5f, 0.03f);
  a.carina = at(0.505f, 0.42f);
  for (int s = 0; s < 2; ++s) {
    const float side = s == 0 ? -1.f : 1.f;
    for (int i = 0; i <= 10; ++i) {
      const float t = i / 10.f;
      a.clavicles[static_cast<size_t>(s)].push_back(at(0.5f + side * (0.04f + 0.3f * t), 0.2f - 0.06f * t));
    }
  }
  a.sternum_top_y = 0.19f * height;
  a.sternum_bottom_y = 0.58f * height;
  return a;
}

ObjectLayer draw(const std::vector<ObjectKind>& kinds, int size, std::uint64_t seed) {
  Rng rng(seed);
  return draw_foreign_objects(kinds, chest(size, size), rng);
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::countNonZero(a != b) == 0;
}

TEST(SynthObjects, MaskIsExactlyWhereDensityIsPositive) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const ObjectLayer layer = draw(kAllKinds, 512, seed);
    ASSERT_EQ(layer.density.type(), CV_32FC1);
    ASSERT_EQ(layer.mask.type(), CV_8UC1);
    ASSERT_EQ(layer.mask.size(), cv::Size(512, 512));
    EXPECT_TRUE(same(layer.mask, layer.density > 0));
    EXPECT_EQ(cv::countNonZero((layer.mask != 0) & (layer.mask != 255)), 0);
  }
}

TEST(SynthObjects, EachBoxContainsItsObjectAndLiesInsideTheImage) {
  const cv::Rect image(0, 0, 768, 768);
  for (ObjectKind kind : kAllKinds) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      const ObjectLayer layer = draw({kind}, 768, seed);
      ASSERT_EQ(layer.objects.size(), 1u) << to_string(kind);
      const cv::Rect box = layer.objects[0].bbox;
      EXPECT_EQ(box & image, box) << to_string(kind);
      // With one object the mask is that object's pixels: the box must be their tight box.
      EXPECT_EQ(box, cv::boundingRect(layer.mask)) << to_string(kind);
    }
  }
}

TEST(SynthObjects, BoxesOfSeveralObjectsCoverTheWholeMask) {
  const ObjectLayer layer = draw(kAllKinds, 1024, 7);
  ASSERT_EQ(layer.objects.size(), kAllKinds.size());
  cv::Mat covered = cv::Mat::zeros(layer.mask.size(), CV_8UC1);
  for (const auto& object : layer.objects) covered(object.bbox).setTo(255);
  EXPECT_EQ(cv::countNonZero(layer.mask & ~covered), 0);
}

TEST(SynthObjects, LabelsAreThePadChestStrings) {
  const std::set<std::string> padchest = {"pacemaker",
                                          "dual chamber device",
                                          "single chamber device",
                                          "central venous catheter via jugular vein",
                                          "central venous catheter via subclavian vein",
                                          "NSG tube",
                                          "endotracheal tube",
                                          "chest drain tube",
                                          "sternotomy",
                                          "osteosynthesis material",
                                          "artificial heart valve",
                                          "suture material",
                                          "external foreign body",
                                          "reservoir central venous catheter",
                                          "Swan Ganz catheter",
                                          "tracheostomy tube",
                                          "humeral prosthesis",
                                          "bone cement",
                                          "aortic endoprosthesis",
                                          "metal",
                                          "electrical device"};
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    for (const auto& object : draw(kAllKinds, 512, seed).objects) {
      const auto labels = padchest_labels(object);
      ASSERT_FALSE(labels.empty());
      for (const auto& label : labels) EXPECT_TRUE(padchest.count(label)) << label;
      if (object.kind == ObjectKind::pacemaker) {
        ASSERT_EQ(labels.size(), 2u);
        EXPECT_EQ(labels[0], "pacemaker");
      } else {
        EXPECT_EQ(labels.size(), 1u);
      }
    }
  }
  EXPECT_EQ(padchest_labels({ObjectKind::nasogastric_tube, "NSG tube", {}}), std::vector<std::string>{"NSG tube"});
}

TEST(SynthObjects, PacemakersComeWithOneOrTwoChamberLabels) {
  std::set<std::string> seen;
  for (std::uint64_t seed = 1; seed <= 20; ++seed)
    seen.insert(draw({ObjectKind::pacemaker}, 512, seed).objects[0].label);
  EXPECT_EQ(seen, (std::set<std::string>{"dual chamber device", "single chamber device"}));
}

TEST(SynthObjects, SameSeedGivesIdenticalObjects) {
  const ObjectLayer first = draw(kAllKinds, 640, 42);
  const ObjectLayer second = draw(kAllKinds, 640, 42);
  EXPECT_TRUE(same(first.density, second.density));
  EXPECT_TRUE(same(first.mask, second.mask));
  ASSERT_EQ(first.objects.size(), second.objects.size());
  for (size_t i = 0; i < first.objects.size(); ++i) EXPECT_EQ(first.objects[i].bbox, second.objects[i].bbox);
  EXPECT_FALSE(same(first.density, draw(kAllKinds, 640, 43).density));
}

TEST(SynthObjects, MetalSaturatesToWhiteOverMidGreyAnatomy) {
  for (ObjectKind kind : kMetalKinds) {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      const ObjectLayer layer = draw({kind}, 1024, seed);
      const cv::Mat exposed = layer.density + 0.5;  // mid-grey anatomy, clipped at 1 like the detector
      const int metal = cv::countNonZero(layer.mask);
      const int white = cv::countNonZero((exposed >= 1.0) & layer.mask);
      // Anti-aliased rims are partial; the body of the object must reach white.
      EXPECT_GE(white, metal / 3) << to_string(kind) << " seed " << seed;
    }
  }
}

TEST(SynthObjects, TubesAreFainterThanMetal) {
  for (ObjectKind kind : kTubeKinds) {
    const ObjectLayer layer = draw({kind}, 1024, 3);
    const double mean = cv::mean(layer.density, layer.mask)[0];
    EXPECT_GT(mean, 0.1) << to_string(kind);
    EXPECT_LT(mean, 0.5) << to_string(kind);
  }
}

TEST(SynthObjects, EveryKindCanBeDrawnSmallAndLarge) {
  for (int size : {256, 2048}) {
    for (ObjectKind kind : kAllKinds) {
      const ObjectLayer layer = draw({kind}, size, 11);
      ASSERT_EQ(layer.objects.size(), 1u) << to_string(kind) << " at " << size;
      EXPECT_EQ(layer.objects[0].kind, kind);
      EXPECT_GT(cv::countNonZero(layer.mask), 10) << to_string(kind) << " at " << size;
    }
  }
}

TEST(SynthObjects, LandmarksWithoutOutlinesStillPlaceEveryKind) {
  AnatomyLandmarks sparse = chest(512, 512);
  sparse.right_lung.clear();
  sparse.left_lung.clear();
  sparse.clavicles = {};
  Rng rng(3);
  const ObjectLayer layer = draw_foreign_objects(kAllKinds, sparse, rng);
  EXPECT_EQ(layer.objects.size(), kAllKinds.size());
}

TEST(SynthObjects, NoObjectsGiveAnEmptyLayer) {
  const ObjectLayer layer = draw({}, 300, 1);
  EXPECT_TRUE(layer.objects.empty());
  EXPECT_EQ(cv::countNonZero(layer.mask), 0);
  EXPECT_EQ(layer.density.size(), cv::Size(300, 300));
}

TEST(SynthObjects, RepeatedKindsAreDrawnSeparately) {
  const ObjectLayer layer = draw({ObjectKind::surgical_clips, ObjectKind::surgical_clips}, 512, 5);
  ASSERT_EQ(layer.objects.size(), 2u);
  EXPECT_NE(layer.objects[0].bbox, layer.objects[1].bbox);
}

}  // namespace
}  // namespace medanon::synth
