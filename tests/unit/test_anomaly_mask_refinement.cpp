// The z-map mask at full resolution, trimmed to bright detail: a thin wire's blocky map mask
// shrinks onto the wire, dark structures and flat background drop out, nothing happens when
// disabled or when nothing is flagged.

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <random>

#include "anomaly/mask_refinement.hpp"

namespace medanon::anomaly {
namespace {

constexpr int kSide = 512, kMap = 224;

// A smooth 16-bit "radiograph" with noise, `value` above (or below) it wherever `truth` is set.
cv::Mat radiograph_with(const cv::Mat& truth, double value) {
  cv::Mat image(kSide, kSide, CV_32F);
  std::mt19937 random(7);
  std::normal_distribution<float> noise(0.0f, 60.0f);
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      image.at<float>(y, x) = 20000.0f + 8.0f * x + 5.0f * y + noise(random) +
                              (truth.at<unsigned char>(y, x) ? static_cast<float>(value) : 0.0f);
    }
  }
  cv::Mat image16;
  image.convertTo(image16, CV_16U);
  return image16;
}

// ... with a 2-px line across it.
cv::Mat radiograph_with_line(double value, cv::Mat& line_truth) {
  line_truth = cv::Mat::zeros(kSide, kSide, CV_8U);
  cv::line(line_truth, {60, 100}, {450, 380}, 255, 2);
  return radiograph_with(line_truth, value);
}

// The map mask a z-map would give: the line at map resolution, one map pixel wider.
cv::Mat map_mask_of(const cv::Mat& truth) {
  cv::Mat small;
  cv::resize(truth, small, cv::Size(kMap, kMap), 0, 0, cv::INTER_AREA);
  small = small > 0;
  cv::dilate(small, small, cv::Mat::ones(3, 3, CV_8U));
  return small;
}

double dice(const cv::Mat& a, const cv::Mat& b) {
  return 2.0 * cv::countNonZero(a & b) / (cv::countNonZero(a) + cv::countNonZero(b));
}

TEST(MaskRefinement, AThinWiresBlockyMaskShrinksOntoTheWire) {
  cv::Mat truth;
  const cv::Mat image = radiograph_with_line(900.0, truth);
  const cv::Mat map_mask = map_mask_of(truth);
  MaskRefinementOptions off;
  off.enabled = false;
  const cv::Mat blocky = refine_mask(map_mask, image, off), refined = refine_mask(map_mask, image, {});
  ASSERT_EQ(refined.size(), image.size());
  ASSERT_EQ(refined.type(), CV_8U);
  EXPECT_LT(dice(blocky, truth), 0.45);
  EXPECT_GT(dice(refined, truth), 0.85);
  EXPECT_GT(cv::countNonZero(refined & truth), 0.95 * cv::countNonZero(truth));  // the wire is kept
  cv::Mat reach;  // the map mask grown by 0.9 model px = 2 px at 512
  cv::dilate(blocky, reach, cv::Mat::ones(5, 5, CV_8U));
  EXPECT_EQ(cv::countNonZero(refined & ~reach), 0);
}

TEST(MaskRefinement, AnObjectTooWideForTheFineSquareIsKeptByTheWideOne) {
  // a 30-px bright plate at 512 px: wider than the fine square (17 px), narrower than the wide (41)
  cv::Mat truth = cv::Mat::zeros(kSide, kSide, CV_8U);
  cv::rectangle(truth, cv::Rect(200, 220, 30, 60), 255, cv::FILLED);
  const cv::Mat image = radiograph_with(truth, 3000.0);
  MaskRefinementOptions fine_only;
  fine_only.wide_detail_radius = 0;
  const cv::Mat map_mask = map_mask_of(truth);
  const double kept_fine = cv::countNonZero(refine_mask(map_mask, image, fine_only) & truth);
  const double kept_both = cv::countNonZero(refine_mask(map_mask, image, {}) & truth);
  EXPECT_LT(kept_fine, 0.6 * cv::countNonZero(truth));  // the fine top-hat keeps a rim
  EXPECT_GT(kept_both, 0.95 * cv::countNonZero(truth));
}

TEST(MaskRefinement, SquareOpeningEqualsOpenCVsRectangularOpening) {
  std::mt19937 random(3);
  std::uniform_real_distribution<float> value(0.0f, 1000.0f);
  for (const cv::Size size : {cv::Size(97, 61), cv::Size(5, 40), cv::Size(200, 3)}) {
    cv::Mat x(size, CV_32F);
    for (int y = 0; y < x.rows; ++y) {
      for (int c = 0; c < x.cols; ++c) x.at<float>(y, c) = value(random);
    }
    for (const cv::Size radius : {cv::Size(1, 1), cv::Size(4, 2), cv::Size(0, 7), cv::Size(30, 45)}) {
      cv::Mat expected;
      const cv::Mat square = cv::getStructuringElement(cv::MORPH_RECT, {2 * radius.width + 1, 2 * radius.height + 1});
      cv::morphologyEx(x, expected, cv::MORPH_OPEN, square, {-1, -1}, 1, cv::BORDER_REPLICATE);
      EXPECT_EQ(cv::countNonZero(square_opening(x, radius) != expected), 0)
          << size << " radius " << radius;
    }
  }
}

TEST(MaskRefinement, DisabledIsTheNearestNeighbourUpsampling) {
  cv::Mat truth;
  const cv::Mat image = radiograph_with_line(900.0, truth);
  const cv::Mat map_mask = map_mask_of(truth);
  MaskRefinementOptions off;
  off.enabled = false;
  cv::Mat expected;
  cv::resize(map_mask, expected, image.size(), 0, 0, cv::INTER_NEAREST);
  EXPECT_EQ(cv::countNonZero(refine_mask(map_mask, image, off) != expected), 0);
}

TEST(MaskRefinement, ADarkLineIsNotRadioOpaqueAndIsDropped) {
  cv::Mat truth;
  const cv::Mat image = radiograph_with_line(-900.0, truth);
  const cv::Mat refined = refine_mask(map_mask_of(truth), image, {});
  EXPECT_LT(cv::countNonZero(refined & truth), 0.02 * cv::countNonZero(truth));
}

TEST(MaskRefinement, NothingFlaggedStaysNothingAndAFlat8BitImageDoesNotDivideByZero) {
  const cv::Mat flat(300, 280, CV_8U, cv::Scalar(90));
  EXPECT_EQ(cv::countNonZero(refine_mask(cv::Mat::zeros(kMap, kMap, CV_8U), flat, {})), 0);
  const cv::Mat detail = bright_detail(flat, {4, 4});
  EXPECT_EQ(cv::countNonZero(detail), 0);  // spread floored at one stored value, no NaN
  cv::Mat dot = flat.clone();
  dot.at<unsigned char>(150, 140) = 200;
  const cv::Mat everything(kMap, kMap, CV_8U, cv::Scalar(255));
  const cv::Mat refined = refine_mask(everything, dot, {});
  EXPECT_EQ(cv::countNonZero(refined), 1);
  EXPECT_EQ(refined.at<unsigned char>(150, 140), 255);
}

TEST(MaskRefinement, SizesScaleWithTheImageInEachAxis) {
  // A 1024 x 512 image: the grown mask of one map pixel spans twice as many columns as rows.
  const cv::Mat image(512, 1024, CV_16U, cv::Scalar(30000));
  cv::Mat map_mask = cv::Mat::zeros(kMap, kMap, CV_8U);
  map_mask.at<unsigned char>(112, 112) = 255;
  MaskRefinementOptions options;
  options.threshold = -1.0;  // keep every pixel the grown mask reaches
  const cv::Rect box = cv::boundingRect(refine_mask(map_mask, image, options));
  EXPECT_NEAR(static_cast<double>(box.width) / box.height, 2.0, 0.35);
}

}  // namespace
}  // namespace medanon::anomaly
