// A redacted line whose letters go on past its detected end is filled to where the letters stop
// (line_ends.hpp): the rest of an ID across a shutter edge, where the background turns bright
// and the mid-grey letters dark, or letters fading into the background. Noisy or flat
// background after a line grows nothing, nor does a line whose ink is not constant.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "pixel/line_ends.hpp"
#include "pixel_fixtures.hpp"

namespace medanon::pixel {
namespace {

TextDetection redacted(const cv::Rect& box) {
  TextDetection word;
  word.box = box;
  word.phi = true;
  word.in_border = true;
  word.action = TextAction::redacted;
  return word;
}

struct Scene {
  PixelImage image;
  cv::Rect first, rest;  // the part a detector boxed, the part past the shutter edge
};

Scene shutter_scene(bool with_rest) {
  Scene scene;
  cv::Mat pixels = testing::radiograph_like({1024, 1024});
  scene.first = testing::draw_text(pixels, "388-93", {120, 100}, 20, 2000);
  // A shutter: the top band turns bright just past the boxed part.
  const int edge = scene.first.br().x + 4;
  pixels(cv::Rect(edge, 0, 1024 - edge, 200)).setTo(3800);
  if (with_rest) scene.rest = testing::draw_text(pixels, "-3826", {edge + 4, 100}, 20, 2000);
  scene.image.bits_stored = 12;
  scene.image.format = SourceFormat::png;
  scene.image.pixels = pixels;
  return scene;
}

// `words` after line-end growth on the scene's image.
std::vector<TextDetection> grown(const Scene& scene, std::vector<TextDetection> words) {
  grow_line_ends(words, scene.image);
  return words;
}

cv::Rect filled_extent(const std::vector<TextDetection>& words) {
  cv::Rect filled;
  for (const TextDetection& word : words) filled |= word.box;
  return filled;
}

TEST(LineEnds, ALineGoingOnPastAShutterEdgeIsFilledToItsEnd) {
  const Scene scene = shutter_scene(true);
  const std::vector<TextDetection> words = grown(scene, {redacted(scene.first)});
  const cv::Rect filled = filled_extent(words);
  EXPECT_GE(filled.br().x, scene.rest.br().x - 4) << "filled " << filled << ", the line ends at " << scene.rest.br().x;
  EXPECT_LE(filled.br().x, scene.rest.br().x + 2 * scene.rest.height) << "grew well past the letters";
}

TEST(LineEnds, NothingGrowsWhereNoLettersFollowOrAKeptWordStands) {
  const Scene scene = shutter_scene(false);
  const std::vector<TextDetection> words = grown(scene, {redacted(scene.first)});
  EXPECT_EQ(words.size(), 1U) << "grew over bare background to " << words.back().box;

  const Scene with_rest = shutter_scene(true);
  std::vector<TextDetection> kept = {redacted(with_rest.first), redacted(with_rest.rest)};
  kept[1].action = TextAction::kept;  // a technical word on the row
  kept = grown(with_rest, kept);
  for (size_t i = 2; i < kept.size(); ++i) EXPECT_EQ((kept[i].box & with_rest.rest).area(), 0) << kept[i].box;
}

// The last word at a contrast below the noise (its ink 20 levels above a background with noise
// of 25): no eye and no stroke test sees it, its constant ink does.
TEST(LineEnds, ALastWordFadingIntoTheBackgroundIsFilled) {
  Scene scene;
  cv::Mat pixels = testing::radiograph_like({1024, 1024});
  // 30-px capitals: OpenCV's anti-aliased Hershey strokes at 20 px keep almost no pixel of
  // full coverage (TrueType's hinted stems and synth's own text do).
  scene.first = testing::draw_text(pixels, "MORIARTY", {120, 100}, 30, 3600);
  const double local = cv::mean(pixels(cv::Rect(scene.first.br().x + 10, 60, 160, 50)))[0];
  scene.rest = testing::draw_text(pixels, "PADRAIG", {scene.first.br().x + 16, 100}, 30, static_cast<int>(local) + 20);
  scene.image.bits_stored = 12;
  scene.image.pixels = pixels;
  const cv::Rect filled = filled_extent(grown(scene, {redacted(scene.first)}));
  EXPECT_GE(filled.br().x, scene.rest.br().x - 3) << "filled " << filled << ", the line ends at " << scene.rest.br().x;
  EXPECT_LE(filled.br().x, scene.rest.br().x + scene.rest.height);
}

// Each word in a grey of its own, the boxed part ending in small letters (`del`: its letters'
// middle lies below a capital's) and the next word starting with a capital that stands alone in
// the first window: the line still grows over that word.
TEST(LineEnds, ANextWordInAnotherGreyStartingWithACapitalIsTaken) {
  Scene scene;
  cv::Mat pixels = testing::radiograph_like({1024, 1024});
  scene.first = testing::draw_text(pixels, "Hospital del", {120, 100}, 30, 3600);
  scene.rest = testing::draw_text(pixels, "Roble", {scene.first.br().x + 14, 100}, 30, 3680);
  scene.image.bits_stored = 12;
  scene.image.pixels = pixels;
  const cv::Rect filled = filled_extent(grown(scene, {redacted(scene.first)}));
  EXPECT_GE(filled.br().x, scene.rest.br().x - 3) << "filled " << filled << ", the line ends at " << scene.rest.br().x;
  EXPECT_LE(filled.br().x, scene.rest.br().x + scene.rest.height);
}

// A central line flagged for review grows the same way, as review: nothing there is altered.
TEST(LineEnds, ACentralLineFlaggedForReviewGrowsAsReview) {
  Scene scene;
  cv::Mat pixels = testing::radiograph_like({1024, 1024});
  scene.first = testing::draw_text(pixels, "MORIARTY", {300, 520}, 30, 3600);
  const double local = cv::mean(pixels(cv::Rect(scene.first.br().x + 10, 480, 160, 50)))[0];
  scene.rest = testing::draw_text(pixels, "PADRAIG", {scene.first.br().x + 16, 520}, 30, static_cast<int>(local) - 20);
  scene.image.bits_stored = 12;
  scene.image.pixels = pixels;
  TextDetection flagged = redacted(scene.first);
  flagged.phi = false;
  flagged.in_border = false;
  flagged.action = TextAction::review;
  const std::vector<TextDetection> words = grown(scene, {flagged});
  ASSERT_GE(words.size(), 2U);
  for (const TextDetection& word : words) EXPECT_EQ(word.action, TextAction::review) << word.box;
  EXPECT_GE(filled_extent(words).br().x, scene.rest.br().x - 3);
}

TEST(LineEnds, NoiseAfterALineOrInkThatIsNotConstantGrowsNothing) {
  // Anatomy's noise after the line: nothing recurs there in letter shapes.
  Scene bare;
  bare.image.pixels = testing::radiograph_like({1024, 1024});
  bare.first = testing::draw_text(bare.image.pixels, "388-93", {120, 100}, 20, 3600);
  bare.image.bits_stored = 12;
  EXPECT_EQ(grown(bare, {redacted(bare.first)}).size(), 1U);

  // Lossy compression spreads the ink over many values: the line cannot be measured, and then
  // it does not grow (it stays as the detectors boxed it).
  Scene blurred;
  cv::Mat pixels = testing::radiograph_like({1024, 1024});
  blurred.first = testing::draw_text(pixels, "388-93", {120, 100}, 20, 3600);
  blurred.rest = testing::draw_text(pixels, "-3826", {blurred.first.br().x + 8, 100}, 20, 3600);
  cv::Mat noise(pixels.size(), CV_16S);
  cv::randn(noise, 0, 6);
  cv::add(pixels, noise, pixels, cv::noArray(), CV_16U);
  blurred.image.bits_stored = 12;
  blurred.image.pixels = pixels;
  EXPECT_EQ(grown(blurred, {redacted(blurred.first)}).size(), 1U);
}

}  // namespace
}  // namespace medanon::pixel
