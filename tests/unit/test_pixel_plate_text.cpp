// Issue #13, border PHI recall: text on a plate that no detector saw (plate_text.hpp), read
// from the plate, and the plate as the anatomy guard's evidence (text_policy.hpp).
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <string>
#include <vector>

#include "pixel/plate_text.hpp"
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

TEST(PlateText, ReadsFaintLettersOnAPlateNoDetectorSaw) {
  cv::Mat pixels = testing::radiograph_like({1000, 1000}, 3);
  // 12-px letters 150 levels under a white plate: a few levels apart in the display window.
  const cv::Rect plate(30, 900, 300, 24);
  draw_plate(pixels, plate, "Exam 2022-06-21", 4095, 3945);
  PixelImage image;
  image.pixels = pixels;
  image.bits_stored = 12;
  const BorderGeometry zone = border_geometry(pixels.size(), 0.15, 100);
  TesseractReader reader;
  const std::vector<DetectedLine> lines = read_text_plates(image, zone, {}, 24, 55, reader);
  ASSERT_EQ(lines.size(), 1u);
  std::string read;
  for (const TextDetection& word : lines[0].words) {
    read += word.text + " ";
    EXPECT_EQ(word.found_by, Detector::plate);
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
  EXPECT_EQ(read_text_plates(image, zone, {found}, 24, 55, reader).size(), 1u);
  found.words[0].confidence = 80;
  EXPECT_TRUE(read_text_plates(image, zone, {found}, 24, 55, reader).empty());
  // A blank label, and a plate under a lossy codec's noise, hold nothing to read.
  cv::Mat blank = testing::radiograph_like({1000, 1000}, 3);
  blank(plate).setTo(4095);
  image.pixels = blank;
  EXPECT_TRUE(read_text_plates(image, zone, {}, 24, 55, reader).empty());
  cv::Mat noise(pixels.size(), CV_16UC1);
  cv::RNG(5).fill(noise, cv::RNG::UNIFORM, 0, 3);
  image.pixels = pixels + noise;
  EXPECT_TRUE(read_text_plates(image, zone, {}, 24, 55, reader).empty());
}

TEST(PlateText, AnUnreadWordOnAPlateIsTextEnoughToFill) {
  // The same unread word in the zone: from a plate it is filled (unread text is PHI); found by
  // the stroke detector alone, with nothing to say it is text, the anatomy guard leaves it.
  const BorderGeometry zone = border_geometry({1000, 1000}, 0.15, 100);
  for (const Detector detector : {Detector::plate, Detector::stroke}) {
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
    if (detector == Detector::plate) {
      ASSERT_EQ(words.size(), 1u);
      EXPECT_EQ(words[0].action, TextAction::redacted);
    } else {
      EXPECT_TRUE(words.empty());
    }
  }
}

}  // namespace
}  // namespace medanon::pixel
