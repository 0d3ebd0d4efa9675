// A redacted line whose letters go on past its detected end is filled to where the letters stop
// (line_ends.hpp): the rest of an ID across a shutter edge, where the background turns bright
// and the mid-grey letters dark. Smooth background after a line grows nothing.
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

// `words` after line-end growth on the scene's image, with the default display settings.
std::vector<TextDetection> grown(const Scene& scene, std::vector<TextDetection> words) {
  const EnhanceOptions enhance;
  grow_redacted_line_ends(words, scene.image, make_detection_view(scene.image, enhance), enhance);
  return words;
}

TEST(LineEnds, ALineGoingOnPastAShutterEdgeIsFilledToItsEnd) {
  const Scene scene = shutter_scene(true);
  const std::vector<TextDetection> words = grown(scene, {redacted(scene.first)});
  cv::Rect filled;
  for (const TextDetection& word : words) filled |= word.box;
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

}  // namespace
}  // namespace medanon::pixel
