// Letters of constant ink (constant_ink.hpp): counted among noise at any contrast, not in the
// noise itself, not in a flat plate, not in the gaps a plate leaves inside letters, and not
// once noise has been added over the ink.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "pixel/constant_ink.hpp"
#include "pixel_fixtures.hpp"

namespace medanon::pixel {
namespace {

TEST(ConstantInk, LettersOfOneStoredValueAmongNoiseAreCountedAtAnyContrast) {
  // Hershey capitals drawn anti-aliased: most letters keep a connected core of full coverage.
  for (const int above : {1500, 40, 10}) {
    cv::Mat pixels = testing::radiograph_like({512, 512});
    const int level = static_cast<int>(cv::mean(pixels(cv::Rect(100, 80, 200, 40)))[0]);
    const cv::Rect word = testing::draw_text(pixels, "HOLMQVIST", {110, 115}, 30, level + above);
    const InkLetters found = constant_ink_letters(pixels, word + cv::Point(-6, -6) + cv::Size(12, 12), 9, 39);
    EXPECT_GE(found.count, 5) << "ink " << above << " above the background";
    EXPECT_EQ(found.value, level + above);
    EXPECT_NEAR(found.middle, word.y + word.height / 2.0, 3);
    EXPECT_GE((found.extent & word).area(), 0.8 * word.area());
    EXPECT_GE(letters_in_ink(pixels, word, found.value, 9, 39).count, 5);
  }
}

TEST(ConstantInk, NoiseFlatPlatesAndInkUnderNoiseShowNoLetters) {
  const cv::Mat noise_only = testing::radiograph_like({512, 512});
  EXPECT_EQ(constant_ink_letters(noise_only, {100, 80, 220, 40}, 9, 39).count, 0);

  // Dark letters on a flat plate: the ink counts, the plate's pieces between and inside the
  // letters do not.
  cv::Mat plate = testing::radiograph_like({512, 512});
  plate(cv::Rect(90, 70, 260, 60)).setTo(4000);
  const cv::Rect word = testing::draw_text(plate, "808 088", {110, 115}, 30, 1200);
  const InkLetters on_plate = constant_ink_letters(plate, {90, 70, 260, 60}, 9, 39);
  EXPECT_EQ(on_plate.value, 1200);
  EXPECT_GE(on_plate.count, 5);
  EXPECT_EQ(letters_in_ink(plate, {90, 70, 260, 60}, 4000, 9, 39).count, 0) << "the plate is background";
  EXPECT_EQ(constant_ink_letters(plate, {360, 70, 100, 60}, 9, 39).count, 0) << "bare plate edge";

  cv::Mat noisy = plate.clone();
  cv::Mat noise(noisy.size(), CV_16S);
  cv::randn(noise, 0, 6);
  cv::add(noisy, noise, noisy, cv::noArray(), CV_16U);
  EXPECT_EQ(constant_ink_letters(noisy, word, 9, 39).count, 0);
}

TEST(ConstantInk, EightBitImagesAndTheirSaturatedPatches) {
  cv::Mat pixels(256, 512, CV_8U);
  cv::randn(pixels, 120, 3);
  const cv::Rect word = testing::draw_text(pixels, "PADRAIG", {40, 100}, 20, 200);
  EXPECT_GE(constant_ink_letters(pixels, word + cv::Point(-4, -4) + cv::Size(8, 8), 9, 39).count, 5);
  // A patch clipped at 255 is mostly one value: background, not letters.
  cv::Mat clipped(256, 512, CV_8U);
  cv::randn(clipped, 250, 6);
  EXPECT_EQ(constant_ink_letters(clipped, {40, 60, 200, 60}, 9, 39).count, 0);
}

}  // namespace
}  // namespace medanon::pixel
