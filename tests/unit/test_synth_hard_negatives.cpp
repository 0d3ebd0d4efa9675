// synth's hard negatives (calcifications, bone islands): exact masks and boxes, their own random
// stream (switching them on changes no other pixel and no object), and off by default.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <set>
#include <string>

#include "synth/corpus_plan.hpp"
#include "synth/ground_truth.hpp"
#include "synth/radiograph.hpp"

namespace medanon::synth {
namespace {

CorpusOptions options(double hard_negative_fraction) {
  CorpusOptions o;
  o.count = 8;
  o.seed = 77;
  o.size = 256;
  o.dicom_fraction = 0;
  o.object_fraction = 0.5;
  o.hard_negative_fraction = hard_negative_fraction;
  return o;
}

RenderSwitches no_text() {
  RenderSwitches s;
  s.text = false;  // text placement may look at the pixels; the comparison is about the rest
  return s;
}

TEST(SynthHardNegatives, EveryImageHasThemAtFractionOneWithMasksThatFitTheirBoxes) {
  const CorpusPlan plan = make_corpus_plan(options(1.0));
  const std::set<std::string> kinds = {"calcified_granuloma", "calcified_nodes", "aortic_calcification", "bone_island"};
  for (const auto& image : plan.images) {
    const RenderedImage r = render_radiograph(plan, image, no_text());
    ASSERT_FALSE(r.hard_negatives.empty()) << image.index;
    EXPECT_LE(r.hard_negatives.size(), 3u);
    cv::Mat covered = cv::Mat::zeros(r.hard_negative_mask.size(), CV_8U);
    for (const auto& [kind, box] : r.hard_negatives) {
      EXPECT_TRUE(kinds.count(kind)) << kind;
      EXPECT_EQ(box & cv::Rect(cv::Point(), r.pixels.size()), box);
      covered(box).setTo(255);
    }
    // the mask lies inside the boxes (collimation may have cut some of it, never added)
    EXPECT_EQ(cv::countNonZero(r.hard_negative_mask & ~covered), 0) << image.index;
  }
}

TEST(SynthHardNegatives, ChangeOnlyTheirOwnPixelsNeverTheObjects) {
  const CorpusPlan without = make_corpus_plan(options(0.0)), with = make_corpus_plan(options(1.0));
  int changed_images = 0;
  for (std::size_t i = 0; i < without.images.size(); ++i) {
    const RenderedImage a = render_radiograph(without, without.images[i], no_text());
    const RenderedImage b = render_radiograph(with, with.images[i], no_text());
    EXPECT_EQ(cv::countNonZero(a.object_mask != b.object_mask), 0);
    EXPECT_EQ(cv::countNonZero(a.hard_negative_mask), 0);
    EXPECT_TRUE(a.hard_negatives.empty());
    cv::Mat near;  // the findings' pixels, grown by the blur's reach
    cv::dilate(b.hard_negative_mask, near, cv::Mat::ones(5, 5, CV_8U));
    const cv::Mat differs = a.pixels != b.pixels;
    EXPECT_EQ(cv::countNonZero(differs & ~near), 0) << i;
    changed_images += cv::countNonZero(differs) > 0 ? 1 : 0;
  }
  EXPECT_GT(changed_images, 0);  // they are visible
}

TEST(SynthHardNegatives, GroundTruthRecordsThemOnlyWhenTheCorpusHasThem) {
  for (const double fraction : {0.0, 1.0}) {
    const CorpusPlan plan = make_corpus_plan(options(fraction));
    const RenderedImage r = render_radiograph(plan, plan.images[0], no_text());
    const auto record = nlohmann::json::parse(image_record_json(plan, plan.images[0], r, {}, "m.png"));
    EXPECT_EQ(record.contains("hard_negative_mask"), fraction > 0);
    if (fraction > 0) {
      EXPECT_EQ(record.at("hard_negative_mask").get<std::string>(), hard_negative_mask_path(0));
      EXPECT_EQ(record.at("hard_negatives").size(), r.hard_negatives.size());
    }
  }
}

}  // namespace
}  // namespace medanon::synth
