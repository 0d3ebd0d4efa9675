// The anatomy must look like a chest film where it matters to detectors: dark lungs, brighter
// mediastinum, and a layout that varies from image to image.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "synth/anatomy.hpp"
#include "synth/corpus_plan.hpp"

using namespace medanon::synth;

namespace {

ImagePlan plan_of(int width, int height, const std::string& projection, bool cardiomegaly = false) {
  ImagePlan plan;
  plan.width = width;
  plan.height = height;
  plan.projection = projection;
  plan.cardiomegaly = cardiomegaly;
  return plan;
}

}  // namespace

TEST(SynthAnatomy, LungsAreDarkerThanTheMediastinumForManyBodies) {
  for (int item = 0; item < 12; ++item) {
    Rng rng = Rng::stream(7, static_cast<std::uint64_t>(item), Stream::anatomy);
    const AnatomyImage a = render_anatomy(plan_of(400, 440, item % 3 ? "PA" : "AP", item % 4 == 0), rng);
    ASSERT_GT(cv::countNonZero(a.lung_mask), 400 * 440 / 10) << "item " << item;
    ASSERT_GT(cv::countNonZero(a.mediastinum_mask), 400 * 440 / 100) << "item " << item;
    const double lungs = cv::mean(a.density, a.lung_mask)[0];
    const double mediastinum = cv::mean(a.density, a.mediastinum_mask)[0];
    EXPECT_LT(lungs + 0.08, mediastinum) << "item " << item;
  }
}

TEST(SynthAnatomy, AirOutsideTheBodyIsDarkerThanSoftTissue) {
  Rng rng = Rng::stream(3, 0, Stream::anatomy);
  const AnatomyImage a = render_anatomy(plan_of(512, 512, "PA"), rng);
  const auto& lm = a.landmarks;
  // The corner below the shoulder line and outside the trunk is air (or arm); the abdomen is tissue.
  const double abdomen = a.density.at<float>(500, static_cast<int>(lm.spine_x));
  const double lung = cv::mean(a.density, a.lung_mask)[0];
  EXPECT_GT(abdomen, lung + 0.1);
  EXPECT_TRUE(lm.body.area() > 0 && lm.body.width < 512);
}

TEST(SynthAnatomy, LandmarksLieInsideTheImageAndInAnatomicalOrder) {
  Rng rng = Rng::stream(11, 5, Stream::anatomy);
  const AnatomyImage a = render_anatomy(plan_of(300, 360, "PA"), rng);
  const auto& lm = a.landmarks;
  EXPECT_LT(lm.lung_top_y, lm.carina.y);
  EXPECT_LT(lm.carina.y, lm.heart_center.y);
  EXPECT_LT(lm.heart_center.y, lm.diaphragm_y);
  EXPECT_LT(lm.sternum_top_y, lm.sternum_bottom_y);
  EXPECT_GT(lm.spine_x, 0.3f * 300);
  EXPECT_LT(lm.spine_x, 0.7f * 300);
  for (const auto& clavicle : lm.clavicles) EXPECT_FALSE(clavicle.empty());
}

TEST(SynthAnatomy, BodiesDifferBetweenImages) {
  Rng first_rng = Rng::stream(1, 0, Stream::anatomy);
  Rng second_rng = Rng::stream(1, 1, Stream::anatomy);
  const AnatomyImage first = render_anatomy(plan_of(256, 256, "PA"), first_rng);
  const AnatomyImage second = render_anatomy(plan_of(256, 256, "PA"), second_rng);
  const int overlap = cv::countNonZero(first.lung_mask & second.lung_mask);
  const int either = cv::countNonZero(first.lung_mask | second.lung_mask);
  EXPECT_LT(static_cast<double>(overlap) / either, 0.97);
}

TEST(SynthAnatomy, CardiomegalyEnlargesTheHeart) {
  Rng normal_rng = Rng::stream(5, 2, Stream::anatomy);
  Rng large_rng = Rng::stream(5, 2, Stream::anatomy);
  const AnatomyImage normal = render_anatomy(plan_of(400, 400, "PA", false), normal_rng);
  const AnatomyImage large = render_anatomy(plan_of(400, 400, "PA", true), large_rng);
  EXPECT_GT(large.landmarks.heart_half_width, normal.landmarks.heart_half_width * 1.3f);
}
