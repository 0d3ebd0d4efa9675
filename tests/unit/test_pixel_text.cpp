// Stages 3-6 on small images the test draws: the detection copy leaves the pixels alone, both
// detectors find border text of either polarity, PHI is told from technical text, and only
// border PHI is redacted, in the image's own sample type.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "pixel/border_enhancement.hpp"
#include "pixel/pixel_pipeline.hpp"
#include "pixel/stroke_text_detector.hpp"
#include "pixel/tesseract_reader.hpp"
#include "tests/unit/pixel_fixtures.hpp"

namespace medanon::pixel {
namespace {

PixelImage sixteen_bit(const cv::Mat& pixels) {
  PixelImage image;
  image.pixels = pixels;
  image.bits_stored = 12;
  image.format = SourceFormat::png;
  return image;
}

// One pipeline (one Tesseract engine) for the whole test binary: loading it takes time.
PixelPipeline& pipeline() {
  static PixelPipeline shared;
  return shared;
}

TEST(PixelBorderEnhancement, DetectionCopyNeverTouchesTheImage) {
  const PixelImage image = sixteen_bit(testing::radiograph_like({300, 240}));
  const cv::Mat before = image.pixels.clone();
  const DetectionView view = make_detection_view(image, {});
  EXPECT_EQ(cv::norm(before, image.pixels, cv::NORM_INF), 0.0);
  EXPECT_NE(view.grey.data, image.pixels.data);
  EXPECT_EQ(view.grey.type(), CV_8UC1);
}

TEST(PixelBorderEnhancement, ClaheChangesOnlyTheBorderBands) {
  const PixelImage image = sixteen_bit(testing::radiograph_like({300, 240}));
  EnhanceOptions plain;
  plain.clahe_clip_limit = 0.0001;  // nearly no equalisation
  EnhanceOptions enhanced;
  const DetectionView a = make_detection_view(image, plain), b = make_detection_view(image, enhanced);
  const cv::Rect centre(a.border.left, a.border.top, a.grey.cols - a.border.left - a.border.right,
                        a.grey.rows - a.border.top - a.border.bottom);
  EXPECT_EQ(cv::norm(a.grey(centre), b.grey(centre), cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(a.grey(cv::Rect(0, 0, a.grey.cols, a.border.top)), b.grey(cv::Rect(0, 0, b.grey.cols, b.border.top)),
                     cv::NORM_L1), 0.0);
}

// A bright collimator stretches the image's window over 60000 levels; faint text in a dark
// corner, 300 levels above its background there, is about one grey level in that window. The
// corner's own range is a few percent of the window's, so the network's input for it gets a
// window of its own and the text stands out.
TEST(PixelBorderEnhancement, ANarrowRegionGetsAWindowOfItsOwn) {
  cv::Mat pixels(400, 600, CV_16UC1);
  cv::randn(pixels, 1000, 40);
  pixels(cv::Rect(450, 0, 150, 400)).setTo(60000);
  const cv::Rect text(40, 40, 200, 24);
  cv::putText(pixels, "MORIARTY 1986", cv::Point(text.x, text.br().y - 4), cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(1300), 2);
  const PixelImage image = sixteen_bit(pixels);
  const DetectionView view = make_detection_view(image, {});
  ASSERT_GT(view.display_high - view.display_low, 50000);
  const cv::Rect corner(0, 0, 300, 120);
  const cv::Mat input = display_region(image, view, corner, 1.0, {});
  cv::Mat ink = pixels(corner) >= 1250, background;
  cv::bitwise_not(ink, background);
  cv::erode(background, background, cv::Mat(), cv::Point(-1, -1), 3);
  EXPECT_GT(cv::mean(input, ink)[0] - cv::mean(input, background)[0], 40.0);
  // The whole top band spans the collimator too: it keeps the view's window, in which the text
  // and its background are within a few grey levels of each other before the CLAHE.
  const cv::Mat band = display_region(image, view, cv::Rect(0, 0, 600, 120), 1.0, {});
  EXPECT_LT(cv::mean(band(corner), ink)[0] - cv::mean(band(corner), background)[0],
            cv::mean(input, ink)[0] - cv::mean(input, background)[0]);
}

TEST(PixelStrokeDetector, FindsBrightAndDarkLinesInTheBorder) {
  cv::Mat pixels = testing::radiograph_like({400, 400});
  const cv::Rect bright = testing::draw_text(pixels, "GARCIA MARIA", {12, 30}, 14, 4000);
  pixels(cv::Rect(200, 350, 190, 40)).setTo(3800);  // a bright plate for dark text
  const cv::Rect dark = testing::draw_text(pixels, "40817263", {210, 378}, 14, 200);
  const DetectionView view = make_detection_view(sixteen_bit(pixels), {});
  const auto lines = detect_stroke_text(view.grey, cv::Rect(0, 0, view.grey.cols, view.grey.rows));
  auto found = [&](const cv::Rect& truth, Polarity polarity) {
    return std::any_of(lines.begin(), lines.end(), [&](const StrokeLine& l) {
      return l.polarity == polarity && (l.box & truth).area() >= 0.8 * truth.area();
    });
  };
  EXPECT_TRUE(found(bright, Polarity::bright));
  EXPECT_TRUE(found(dark, Polarity::dark));
}

TEST(PixelStrokeDetector, FindsNothingOnPlainAnatomy) {
  const DetectionView view = make_detection_view(sixteen_bit(testing::radiograph_like({400, 400})), {});
  EXPECT_TRUE(detect_stroke_text(view.grey, cv::Rect(0, 0, 400, 400)).empty());
}

TEST(PixelTesseract, ReadsAWordFromACrop) {
  cv::Mat crop(48, 220, CV_8UC1, cv::Scalar(255));
  cv::putText(crop, "PORTABLE", {10, 36}, cv::FONT_HERSHEY_SIMPLEX, 1.1, cv::Scalar(0), 2, cv::LINE_AA);
  TesseractReader reader;
  const auto words = reader.read_line(crop);
  ASSERT_EQ(words.size(), 1U);
  EXPECT_EQ(words[0].text, "PORTABLE");
  EXPECT_GT(words[0].confidence, 60);
  EXPECT_GE((words[0].box & cv::Rect(8, 10, 200, 30)).area(), words[0].box.area() / 2);
}

TEST(PixelPipeline, RedactsBorderPhiKeepsMarkersAndFlagsCentralText) {
  cv::Mat pixels = testing::radiograph_like({480, 480});
  const cv::Rect name = testing::draw_text(pixels, "MUNOZ", {14, 34}, 16, 4000);
  const cv::Rect marker = testing::draw_text(pixels, "PORTABLE", {300, 460}, 16, 4000);
  const cv::Rect central = testing::draw_text(pixels, "MUNOZ", {200, 250}, 16, 4000);
  const cv::Mat before = pixels.clone();
  const PixelResult result = pipeline().process_image(sixteen_bit(pixels), {{"PatientName", "MUÑOZ^ANA"}});
  ASSERT_EQ(result.status, pixel::ImageStatus::processed);
  const cv::Mat& after = result.image.pixels;
  EXPECT_EQ(after.type(), CV_16UC1);
  cv::Mat changed;
  cv::compare(before, after, changed, cv::CMP_NE);
  EXPECT_EQ(cv::countNonZero(changed(name)), name.area());  // every pixel of the name replaced
  EXPECT_EQ(cv::countNonZero(changed(marker)), 0);
  EXPECT_EQ(cv::countNonZero(changed(central)), 0);
  const bool flagged = std::any_of(result.text.begin(), result.text.end(), [&](const TextDetection& d) {
    return d.action == TextAction::review && (d.box & central).area() > 0;
  });
  EXPECT_TRUE(flagged);
  EXPECT_FALSE(result.burned_in_text_clean());
  EXPECT_EQ(cv::countNonZero(result.redaction_mask), cv::countNonZero(changed));
}

TEST(PixelRedaction, SolidFillChangesEveryPixelEvenOnABlackPlate) {
  PixelImage image = sixteen_bit(cv::Mat(100, 100, CV_16UC1, cv::Scalar(0)));
  image.pixels(cv::Rect(20, 20, 10, 10)).setTo(4095);
  const cv::Mat before = image.pixels.clone();
  cv::Mat mask;
  redact(image, {cv::Rect(10, 10, 30, 30)}, {}, mask);
  cv::Mat changed;
  cv::compare(before, image.pixels, changed, cv::CMP_NE);
  EXPECT_EQ(cv::countNonZero(changed), 900);
  EXPECT_EQ(image.pixels.type(), CV_16UC1);
}

TEST(PixelRedaction, PaddingGrowsWithTheLetterHeightAboveAFixedMinimum) {
  RedactionOptions options;
  options.padding_px = 2;
  options.padding_fraction = 0.08;
  const cv::Size image(1000, 1000);
  // Small letters: the fixed minimum.
  EXPECT_EQ(padded_box(cv::Rect(100, 100, 80, 20), image, options), cv::Rect(98, 98, 84, 24));
  // Large letters: ceil(0.08 x 50) = 4 on every side, since their anti-aliased fringe is wider.
  EXPECT_EQ(padded_box(cv::Rect(100, 100, 200, 50), image, options), cv::Rect(96, 96, 208, 58));
  // Clipped to the image at its edges.
  EXPECT_EQ(padded_box(cv::Rect(0, 990, 50, 10), image, options), cv::Rect(0, 988, 52, 12));
}

TEST(PixelRedaction, TeleaInpaintingStaysSixteenBit) {
  PixelImage image = sixteen_bit(testing::radiograph_like({120, 120}));
  testing::draw_text(image.pixels, "ID 123", {10, 30}, 14, 4000);
  RedactionOptions options;
  options.method = FillMethod::telea;
  cv::Mat mask;
  redact(image, {cv::Rect(5, 10, 80, 28)}, options, mask);
  EXPECT_EQ(image.pixels.type(), CV_16UC1);
  double high = 0;
  cv::minMaxLoc(image.pixels(cv::Rect(5, 10, 80, 28)), nullptr, &high);
  EXPECT_LT(high, 3900);  // the bright strokes are gone
}

}  // namespace
}  // namespace medanon::pixel
