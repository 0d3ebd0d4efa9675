// Issue #13, border PHI recall: text on a plate or in letters of constant ink that no detector
// saw (unseen_text.hpp), read from its stored values, which are the anatomy guard's evidence
// (text_policy.hpp).
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pixel/unseen_text.hpp"
#include "pixel/text_policy.hpp"
#include "pixel_fixtures.hpp"

namespace medanon::pixel {
namespace {

// `text` in grey letters on a white plate at `plate`, drawn at four times the size and averaged
// down, so the letters' edges are anti-aliased as a TrueType renderer leaves them.
void draw_plate(cv::Mat& pixels, const cv::Rect& plate, const std::string& text, int plate_value, int letter_value) {
  cv::Mat large(plate.height * 4, plate.width * 4, CV_8UC1, cv::Scalar(255));
  cv::putText(large, text, {24, plate.height * 4 - 24}, cv::FONT_HERSHEY_DUPLEX, plate.height * 4 / 40.0, cv::Scalar(0), 4, cv::LINE_AA);
  cv::Mat small;
  cv::resize(large, small, plate.size(), 0, 0, cv::INTER_AREA);
  small.convertTo(small, CV_16UC1, (plate_value - letter_value) / 255.0, letter_value);
  small.copyTo(pixels(plate));
}

TEST(UnseenText, ReadsFaintLettersOnAPlateNoDetectorSaw) {
  cv::Mat pixels = testing::radiograph_like({1000, 1000}, 3);
  // 12-px letters 150 levels under a white plate: a few levels apart in the display window.
  const cv::Rect plate(30, 900, 300, 24);
  draw_plate(pixels, plate, "Exam 2022-06-21", 4095, 3945);
  PixelImage image;
  image.pixels = pixels;
  image.bits_stored = 12;
  const BorderGeometry zone = border_geometry(pixels.size(), 0.15, 100);
  TesseractReader reader;
  const std::vector<DetectedLine> lines = read_unseen_text(image, zone, {}, 24, 55, reader);
  ASSERT_EQ(lines.size(), 1u);
  std::string read;
  for (const TextDetection& word : lines[0].words) {
    read += word.text + " ";
    EXPECT_EQ(word.found_by, Detector::stored);
    EXPECT_TRUE(word.in_border);
    EXPECT_TRUE((word.box & plate) == word.box);
  }
  EXPECT_NE(read.find("2022-06-21"), std::string::npos) << read;

  // A plate the detectors already read is theirs; one only an unread, unsupported stroke word
  // covers (dropped as anatomy later) is still read.
  DetectedLine found;
  TextDetection covering;
  covering.box = plate;
  found.words.push_back(covering);
  EXPECT_EQ(read_unseen_text(image, zone, {found}, 24, 55, reader).size(), 1u);
  found.words[0].confidence = 80;
  EXPECT_TRUE(read_unseen_text(image, zone, {found}, 24, 55, reader).empty());
  // A blank label, and a plate under a lossy codec's noise, hold nothing to read.
  cv::Mat blank = testing::radiograph_like({1000, 1000}, 3);
  blank(plate).setTo(4095);
  image.pixels = blank;
  EXPECT_TRUE(read_unseen_text(image, zone, {}, 24, 55, reader).empty());
  cv::Mat noise(pixels.size(), CV_16UC1);
  cv::RNG(5).fill(noise, cv::RNG::UNIFORM, 0, 3);
  image.pixels = pixels + noise;
  EXPECT_TRUE(read_unseen_text(image, zone, {}, 24, 55, reader).empty());
}

// `text` burnt in as an overlay renderer does: its coverage computed at four times the size,
// each pixel blended between the background and `value` by it, the fully covered ones `value`.
void burn_text(cv::Mat& pixels, const std::string& text, cv::Point origin, double scale, int value) {
  cv::Mat large = cv::Mat::zeros(pixels.rows * 4, pixels.cols * 4, CV_8UC1);
  cv::putText(large, text, origin * 4, cv::FONT_HERSHEY_DUPLEX, scale * 4, cv::Scalar(255), 6, cv::LINE_8);
  cv::Mat coverage;
  cv::resize(large, coverage, pixels.size(), 0, 0, cv::INTER_AREA);
  for (int y = 0; y < pixels.rows; ++y) {
    for (int x = 0; x < pixels.cols; ++x) {
      const double a = coverage.at<std::uint8_t>(y, x) / 255.0;
      auto& p = pixels.at<std::uint16_t>(y, x);
      if (a > 0) p = a >= 1 ? value : cv::saturate_cast<std::uint16_t>((1 - a) * p + a * value);
    }
  }
}

TEST(UnseenText, ReadsALineOfConstantInkThatNoiseDrowns) {
  // Bright 14-px letters drawn over a detector's heavy noise (sigma 400, a third of the letters'
  // height above the mean): in the display window the noise is as strong as the strokes, but
  // every fully covered letter pixel holds the one value the overlay drew.
  cv::Mat pixels = testing::radiograph_like({1000, 1000}, 4);
  cv::Mat noise(pixels.size(), CV_16SC1);
  cv::RNG(9).fill(noise, cv::RNG::NORMAL, 0, 400);
  cv::Mat noisy;
  cv::add(pixels, noise, noisy, cv::noArray(), CV_16U);
  cv::Mat clean = noisy.clone();
  burn_text(noisy, "ACC# A78058555", {40, 145}, 0.6, 3100);
  PixelImage image;
  image.pixels = noisy;
  image.bits_stored = 12;
  const BorderGeometry zone = border_geometry(noisy.size(), 0.15, 100);
  TesseractReader reader;
  const std::vector<DetectedLine> lines = read_unseen_text(image, zone, {}, 24, 55, reader);
  std::string read;
  for (const DetectedLine& line : lines)
    for (const TextDetection& word : line.words) read += word.text + " ";
  EXPECT_NE(read.find("A78058555"), std::string::npos) << read;
  // The same noise without the line: nothing.
  image.pixels = clean;
  EXPECT_TRUE(read_unseen_text(image, zone, {}, 24, 55, reader).empty());
}

TEST(UnseenText, AnUnreadWordOnAPlateIsTextEnoughToFill) {
  // The same unread word in the zone: from a plate it is filled (unread text is PHI); found by
  // the stroke detector alone, with nothing to say it is text, the anatomy guard leaves it.
  const BorderGeometry zone = border_geometry({1000, 1000}, 0.15, 100);
  for (const Detector detector : {Detector::stored, Detector::stroke}) {
    TextDetection word;
    word.box = cv::Rect(40, 905, 120, 14);
    word.text = "2O2Z-O";
    word.confidence = 20;
    word.found_by = detector;
    word.in_border = true;
    word.word_class = WordClass::unreadable;
    word.phi = true;
    std::vector<TextDetection> words = {word};
    decide_text_actions(words, {}, zone, PixelOptions{}, /*learned_ran=*/true);
    if (detector == Detector::stored) {
      ASSERT_EQ(words.size(), 1u);
      EXPECT_EQ(words[0].action, TextAction::redacted);
    } else {
      EXPECT_TRUE(words.empty());
    }
  }
}

}  // namespace
}  // namespace medanon::pixel
