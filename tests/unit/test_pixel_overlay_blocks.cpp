// Overlay blocks and redaction spans: a corner block that runs past the band is redacted to its
// last line, a line broken by the detectors is filled across the break, and neither rule ever
// reaches a kept word or the central region.
#include <gtest/gtest.h>

#include "pixel/overlay_blocks.hpp"
#include "pixel/pixel_pipeline.hpp"
#include "pixel/redaction_spans.hpp"
#include "tests/unit/pixel_fixtures.hpp"

namespace medanon::pixel {
namespace {

TextDetection word_at(const cv::Rect& box, const BorderGeometry& zone, int line, TextAction action = TextAction::redacted) {
  TextDetection word;
  word.box = box;
  word.in_border = zone.in_border(box);
  word.line = line;
  word.action = action;
  return word;
}

DetectedLine line_of(std::vector<cv::Rect> boxes, const BorderGeometry& zone) {
  DetectedLine line;
  for (const cv::Rect& box : boxes) line.words.push_back(word_at(box, zone, 0));
  return line;
}

// 1000 x 1000 film: the band (and so the zone) is 150 px deep on every side.
const BorderGeometry kZone = border_geometry({1000, 1000}, 0.15, 100);

TEST(PixelOverlayBlocks, LinesStackedUnderABorderLineJoinTheZone) {
  std::vector<DetectedLine> lines = {line_of({{40, 100, 120, 20}}, kZone),   // in the band
                                     line_of({{40, 135, 200, 20}}, kZone),   // straddles its edge
                                     line_of({{42, 165, 150, 20}}, kZone)};  // wholly past it
  ASSERT_FALSE(lines[2].words[0].in_border);
  EXPECT_EQ(extend_overlay_blocks(lines, kZone), 2);
  EXPECT_TRUE(lines[1].words[0].in_border);
  EXPECT_TRUE(lines[2].words[0].in_border);
}

TEST(PixelOverlayBlocks, UnalignedOrDistantOrDeepLinesStayCentral) {
  std::vector<DetectedLine> lines = {line_of({{40, 100, 120, 20}}, kZone),
                                     line_of({{400, 160, 100, 20}}, kZone),   // not aligned with the block
                                     line_of({{40, 240, 120, 20}}, kZone),    // four line heights below it
                                     line_of({{40, 125, 120, 60}}, kZone)};   // letters three times as tall
  EXPECT_EQ(extend_overlay_blocks(lines, kZone), 0);
  // However well aligned, a stack never grows past `reach` band depths (300 px here).
  std::vector<DetectedLine> stack;
  for (int y = 100; y < 500; y += 30) stack.push_back(line_of({{40, y, 120, 20}}, kZone));
  extend_overlay_blocks(stack, kZone);
  for (const DetectedLine& line : stack) {
    EXPECT_EQ(line.words[0].in_border, line.words[0].box.br().y <= 300) << "line at y " << line.words[0].box.y;
  }
}

TEST(PixelRedactionSpans, JoinsRedactedWordsOnOneRowAcrossADetectorBreak) {
  // "HOSPITAL S" and "TA" seen as two lines: the letters between them are filled too.
  const std::vector<TextDetection> words = {word_at({40, 30, 200, 30}, kZone, 0), word_at({270, 31, 40, 30}, kZone, 0),
                                            word_at({350, 30, 60, 30}, kZone, 1)};
  const std::vector<cv::Rect> spans = redaction_spans(words, kZone);
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(spans[0], cv::Rect(40, 30, 370, 31));
}

TEST(PixelRedactionSpans, NeverRunsAcrossAKeptWordNorFarGapsNorOutOfTheZone) {
  const std::vector<TextDetection> kept_between = {word_at({40, 30, 100, 30}, kZone, 0),
                                                   word_at({150, 30, 40, 30}, kZone, 1, TextAction::kept),
                                                   word_at({200, 30, 100, 30}, kZone, 2)};
  EXPECT_EQ(redaction_spans(kept_between, kZone).size(), 2U);
  const std::vector<TextDetection> far_apart = {word_at({40, 30, 100, 30}, kZone, 0), word_at({300, 30, 100, 30}, kZone, 1)};
  EXPECT_EQ(redaction_spans(far_apart, kZone).size(), 2U);
  // A word at the foot of the left band and one in the bottom band on its rows: joined, they
  // would cover central pixels.
  const std::vector<TextDetection> corner = {word_at({20, 840, 100, 30}, kZone, 0), word_at({160, 852, 100, 30}, kZone, 1)};
  ASSERT_TRUE(corner[0].in_border);
  ASSERT_TRUE(corner[1].in_border);
  EXPECT_EQ(redaction_spans(corner, kZone).size(), 2U);
}

TEST(PixelPipeline, RedactsTheLastLineOfACornerBlockPastTheBand) {
  // 480 x 480: the zone is 72 px deep (15 %; the 100 px margin scales to 47 px at this size);
  // the block's fourth line starts below it.
  cv::Mat pixels = testing::radiograph_like({480, 480});
  testing::draw_text(pixels, "GARCIA MARIA", {14, 30}, 16, 4000);
  testing::draw_text(pixels, "ID 40817263", {14, 58}, 16, 4000);
  testing::draw_text(pixels, "DOB 1950-03-12", {14, 86}, 16, 4000);
  const cv::Rect last = testing::draw_text(pixels, "2011-04-16", {14, 122}, 16, 4000);
  const cv::Rect central = testing::draw_text(pixels, "2011-04-16", {180, 260}, 16, 4000);
  ASSERT_GT(last.y, 72);
  // Each run gets its own copy: the pipeline redacts the buffer it is given.
  auto film = [&] {
    PixelImage image;
    image.pixels = pixels.clone();
    image.bits_stored = 12;
    image.format = SourceFormat::png;
    return image;
  };
  PixelPipeline pipeline;
  const PixelResult result = pipeline.process_image(film(), {});
  cv::Mat changed;
  cv::compare(pixels, result.image.pixels, changed, cv::CMP_NE);
  EXPECT_EQ(cv::countNonZero(changed(last)), last.area());
  EXPECT_EQ(cv::countNonZero(changed(central)), 0);
  // With the zone held at the band, the date that starts in the left band is still one PHI
  // line and redacted whole (issue #13's whole-line rule)...
  PixelOptions band_only;
  band_only.overlay_block_reach = 1;
  const PixelResult whole = PixelPipeline(band_only).process_image(film(), {});
  cv::compare(pixels, whole.image.pixels, changed, cv::CMP_NE);
  EXPECT_EQ(cv::countNonZero(changed(last)), last.area());
  // ...and with words only, the date running past the band is flagged and stays.
  band_only.whole_line = false;
  PixelPipeline strict(band_only);
  const PixelResult flagged = strict.process_image(film(), {});
  cv::compare(pixels, flagged.image.pixels, changed, cv::CMP_NE);
  EXPECT_LT(cv::countNonZero(changed(last)), last.area() / 2);
}

}  // namespace
}  // namespace medanon::pixel
