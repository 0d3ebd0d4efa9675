// Radiographs stored with inverted grey levels are looked at turned back, and only those.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "mae/display_polarity.hpp"
#include "synth/corpus_plan.hpp"
#include "synth/radiograph.hpp"

namespace medanon::mae {
namespace {

std::vector<cv::Mat> synth_radiographs(int count, std::uint64_t seed, double eight_bit_fraction) {
  synth::CorpusOptions options;
  options.count = count;
  options.seed = seed;
  options.size = 256;
  options.eight_bit_fraction = eight_bit_fraction;
  options.object_fraction = 0.5;
  const synth::CorpusPlan plan = synth::make_corpus_plan(options);
  std::vector<cv::Mat> images;
  for (const auto& image : plan.images) images.push_back(synth::render_radiograph(plan, image).pixels);
  return images;
}

cv::Mat mirrored(const cv::Mat& image) {
  double low = 0, high = 0;
  cv::minMaxLoc(image, &low, &high);
  cv::Mat out;
  image.convertTo(out, image.depth(), -1.0, low + high);
  return out;
}

TEST(DisplayPolarity, RadiographsAsStoredAreLeftAloneAndTheirMirrorsAreTurnedBack) {
  for (const cv::Mat& image : synth_radiographs(12, 31, 0.3)) {
    ASSERT_EQ(image.channels(), 1);
    EXPECT_GT(mediastinum_contrast(image), 0.1);
    const cv::Mat same = display_polarity(image);
    EXPECT_EQ(same.data, image.data);  // no copy

    const cv::Mat stored_inverted = mirrored(image);
    EXPECT_LT(mediastinum_contrast(stored_inverted), -0.1);
    const cv::Mat shown = display_polarity(stored_inverted);
    ASSERT_EQ(shown.type(), image.type());
    EXPECT_EQ(cv::norm(shown, image, cv::NORM_INF), 0.0);  // back to the stored values exactly
    // once turned back it stays turned back: the detector and infer may both apply it
    EXPECT_EQ(display_polarity(shown).data, shown.data);
  }
}

TEST(DisplayPolarity, FlatOrEmptyImagesAreNotTurned) {
  const cv::Mat flat(128, 128, CV_16U, cv::Scalar(1000));
  EXPECT_EQ(mediastinum_contrast(flat), 0.0);
  EXPECT_FALSE(looks_inverted(flat));
  EXPECT_FALSE(looks_inverted(cv::Mat()));
}

}  // namespace
}  // namespace medanon::mae
