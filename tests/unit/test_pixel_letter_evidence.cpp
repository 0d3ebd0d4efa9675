// Issue #13, text-free damage: what the anatomy guard asks of a learned box nothing reads (letters
// inside it, letter_evidence.hpp), and the lone glyph or two a marker is (text_policy.hpp).
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <string>

#include "pixel/learned_text_detector.hpp"
#include "pixel/letter_evidence.hpp"
#include "pixel/pixel_pipeline.hpp"
#include "pixel/text_policy.hpp"

namespace medanon::pixel {
namespace {

// A dark, noisy band as the network sees it (8-bit), noise sigma 3 levels.
cv::Mat noisy_band(cv::Size size, int level, unsigned seed) {
  cv::Mat noise(size, CV_32F);
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::NORMAL, level, 3.0);
  cv::Mat band;
  noise.convertTo(band, CV_8U);
  return band;
}

const std::string kFixtures = std::string(MEDANON_SOURCE_DIR) + "/tests/text_render/fixtures/";

cv::Mat fixture(const std::string& name) {
  cv::Mat grey = cv::imread(kFixtures + name, cv::IMREAD_GRAYSCALE);
  EXPECT_FALSE(grey.empty()) << kFixtures + name;
  return grey;
}

// Real network inputs around boxes PP-OCRv4 reported with scores >= 0.93 (fixtures/README.md).
TEST(LetterEvidence, FaintSmallLettersShowLettersAnatomyTextureDoesNot) {
  const cv::Mat text = fixture("learned_box_faint_text.png");
  ASSERT_FALSE(text.empty());
  EXPECT_GE(letter_widths_in_box(text, {24, 24, 210, 24}), 5.0);
  // The same letters dark on bright (the other polarity) count as much.
  cv::Mat inverted = 255 - text;
  EXPECT_GE(letter_widths_in_box(inverted, {24, 24, 210, 24}), 5.0);

  const cv::Mat neck = fixture("learned_box_neck_texture.png"), shoulder = fixture("learned_box_shoulder_texture.png");
  ASSERT_FALSE(neck.empty() || shoulder.empty());
  EXPECT_LT(letter_widths_in_box(neck, {92, 63, 326, 92}), 1.0);
  EXPECT_LT(letter_widths_in_box(shoulder, {90, 90, 210, 90}), 1.0);
  // Noise alone, 3 levels sigma, is no letters either.
  EXPECT_LT(letter_widths_in_box(noisy_band({300, 90}, 40, 5), {30, 30, 240, 30}), 1.0);
}

// Large letters of one stored value on a detector noisy enough (sigma 300 of 65535) that the
// band's CLAHE hides their strokes from the count above: their ink is the witness. The same
// noise without letters, and a smooth bright blob in it (anatomy), have no letters of ink.
TEST(LetterEvidence, LettersOfOneStoredValueShowThroughNoise) {
  cv::Mat stored(120, 420, CV_16UC1);
  cv::RNG rng(13);
  rng.fill(stored, cv::RNG::NORMAL, 3000, 300);
  const cv::Mat plain = stored.clone();
  cv::putText(stored, "482-23-1847", {20, 80}, cv::FONT_HERSHEY_DUPLEX, 1.6, cv::Scalar(5408), 4, cv::LINE_AA);
  const cv::Rect box(14, 30, 390, 60);
  EXPECT_GE(ink_letters_in_box(stored, box), 5);
  EXPECT_EQ(ink_letters_in_box(plain, box), 0);
  cv::Mat blob = plain.clone();
  cv::circle(blob, {200, 60}, 30, cv::Scalar(5400), cv::FILLED);
  cv::GaussianBlur(blob, blob, {0, 0}, 8);
  cv::Mat noise(blob.size(), CV_16UC1);
  rng.fill(noise, cv::RNG::NORMAL, 0, 300);
  cv::Mat anatomy;
  cv::add(blob, noise, anatomy, cv::noArray(), CV_16U);
  EXPECT_EQ(ink_letters_in_box(anatomy, box), 0);
}

TextDetection zone_word(cv::Rect box, int line, std::string text, WordClass word_class) {
  TextDetection detection;
  detection.box = box;
  detection.line = line;
  detection.text = std::move(text);
  detection.word_class = word_class;
  detection.phi = word_class == WordClass::phi || word_class == WordClass::unreadable;
  detection.in_border = true;
  detection.confidence = 90;
  return detection;
}

const BorderGeometry kZone = border_geometry({1000, 1000}, 0.15, 100);

TEST(TextPolicy, ALearnedBoxWithNothingLetterLikeInsideIsNeitherFilledNorSupport) {
  // Two line-shaped learned boxes in the top band that no word accounts for: the network's score
  // is the same, but inside the first it saw letters and inside the second only texture.
  const std::vector<LearnedBox> learned = {{cv::Rect(200, 40, 180, 22), 0.95f, 6.0f},
                                           {cv::Rect(600, 40, 180, 46), 0.95f, 0.0f}};
  std::vector<TextDetection> words;
  decide_text_actions(words, learned, kZone, PixelOptions{}, /*learned_ran=*/true);
  ASSERT_EQ(words.size(), 1u);
  EXPECT_EQ(words[0].box, cv::Rect(200, 40, 180, 22));
  EXPECT_EQ(words[0].action, TextAction::redacted);
  EXPECT_TRUE(shows_letters({cv::Rect(0, 0, 10, 4), 0.9f}));  // not measured: the network's word
}

TEST(TextPolicy, ALoneMisreadMarkerIsKeptAGlyphOnAPhiRowIsNot) {
  // A large 'R' in its plate that Tesseract read as 'a', and a thin 'PA' read as 'my': alone
  // on their rows, marker-sized, kept.
  std::vector<TextDetection> lone = {zone_word({24, 12, 42, 47}, 0, "a", WordClass::phi),
                                     zone_word({533, 28, 52, 36}, 1, "my", WordClass::phi)};
  decide_text_actions(lone, {}, kZone, PixelOptions{}, /*learned_ran=*/true);
  ASSERT_EQ(lone.size(), 2u);
  for (const auto& w : lone) EXPECT_EQ(w.action, TextAction::kept) << w.text;

  // The same glyph beside a name on its row is the name's initial: the line is redacted whole.
  std::vector<TextDetection> initial = {zone_word({24, 12, 30, 40}, 0, "J", WordClass::phi),
                                        zone_word({64, 12, 220, 40}, 1, "KOWALSKI", WordClass::phi)};
  decide_text_actions(initial, {}, kZone, PixelOptions{}, true);
  for (const auto& w : initial) EXPECT_EQ(w.action, TextAction::redacted) << w.text;

  // Three characters, or a box wider than 1.5 letter heights, are a word: filled as before.
  std::vector<TextDetection> words = {zone_word({24, 12, 50, 40}, 0, "A12", WordClass::phi),
                                      zone_word({600, 12, 70, 40}, 1, "xy", WordClass::phi)};
  decide_text_actions(words, {}, kZone, PixelOptions{}, true);
  for (const auto& w : words) EXPECT_EQ(w.action, TextAction::redacted) << w.text;

  // With technical markers not kept (keep-technical false), nothing is kept for its size.
  std::vector<TextDetection> strict = {zone_word({24, 12, 42, 47}, 0, "a", WordClass::phi)};
  PixelOptions options;
  options.keep_technical = false;
  decide_text_actions(strict, {}, kZone, options, true);
  EXPECT_EQ(strict[0].action, TextAction::redacted);
}

TEST(TextPolicy, AHyphenatedMarkerSplitIntoTwoLinesIsKept) {
  // `SEMI-ERECT` detected as two lines, the hyphen read as a quote: one marker, kept whole.
  std::vector<TextDetection> words = {zone_word({39, 21, 103, 30}, 0, "SEMI", WordClass::phi),
                                      zone_word({174, 21, 169, 30}, 1, "\u201cERECT", WordClass::technical),
                                      zone_word({600, 21, 90, 30}, 2, "SEMI", WordClass::phi)};
  keep_split_markers(words, {}, PhiOptions{});
  EXPECT_EQ(words[0].word_class, WordClass::technical);
  EXPECT_FALSE(words[0].phi);
  EXPECT_EQ(words[1].word_class, WordClass::technical);
  // A SEMI far from any ERECT (or on another row) is still an unknown word.
  EXPECT_EQ(words[2].word_class, WordClass::phi);
  decide_text_actions(words, {}, kZone, PixelOptions{}, true);
  EXPECT_EQ(words[0].action, TextAction::kept);
  EXPECT_EQ(words[1].action, TextAction::kept);

  // Two readings of it that overlap on the image, each running past the other's end.
  std::vector<TextDetection> overlapping = {zone_word({673, 956, 142, 26}, 0, "SEMI-E", WordClass::phi),
                                            zone_word({773, 956, 152, 26}, 1, "-ERECT", WordClass::technical),
                                            zone_word({673, 1056, 142, 26}, 2, "SEMI-E", WordClass::phi),
                                            zone_word({673, 1056, 252, 26}, 3, "-ERECT", WordClass::technical)};
  keep_split_markers(overlapping, {}, PhiOptions{});
  EXPECT_EQ(overlapping[0].word_class, WordClass::technical);
  EXPECT_FALSE(overlapping[0].phi);
  // One inside the other is not two pieces of one marker.
  EXPECT_EQ(overlapping[2].word_class, WordClass::phi);
}

}  // namespace
}  // namespace medanon::pixel
