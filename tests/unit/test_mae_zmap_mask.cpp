// Masks from the calibrated z-map: hysteresis keeps a faint structure connected to a strong one,
// drops what never reaches the high threshold, small specks and excluded pixels.

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "anomaly/zmap_mask.hpp"

namespace medanon::anomaly {
namespace {

ZMapMaskOptions unsmoothed() {
  ZMapMaskOptions options;
  options.smoothing = 0;
  options.high = 6;
  options.low = 2;
  options.min_area = 6;
  return options;
}

TEST(ZMapMask, FollowsAFaintWireFromItsBrightestPoint) {
  cv::Mat z = cv::Mat::zeros(64, 64, CV_32F);
  cv::line(z, cv::Point(5, 30), cv::Point(58, 30), cv::Scalar(3.0), 1);  // faint: above low only
  z.at<float>(30, 40) = 9.0f;                                             // one strong point on it
  const cv::Mat mask = zmap_mask(z, cv::Mat(), unsmoothed());
  EXPECT_EQ(cv::countNonZero(mask), 54);  // the whole wire
  EXPECT_EQ(mask.at<unsigned char>(30, 5), 255);
  EXPECT_EQ(mask.at<unsigned char>(31, 5), 0);
}

TEST(ZMapMask, DropsRegionsThatNeverReachTheHighThreshold) {
  cv::Mat z = cv::Mat::zeros(64, 64, CV_32F);
  z(cv::Rect(10, 10, 20, 20)).setTo(5.0);  // a large, moderately unusual region: rib-edge-like
  EXPECT_EQ(cv::countNonZero(zmap_mask(z, cv::Mat(), unsmoothed())), 0);
}

TEST(ZMapMask, DropsSpecksSmallerThanTheMinimumArea) {
  cv::Mat z = cv::Mat::zeros(64, 64, CV_32F);
  z(cv::Rect(10, 10, 2, 2)).setTo(20.0);  // 4 pixels, strong
  z(cv::Rect(40, 40, 3, 2)).setTo(20.0);  // 6 pixels, strong: kept
  const cv::Mat mask = zmap_mask(z, cv::Mat(), unsmoothed());
  EXPECT_EQ(cv::countNonZero(mask), 6);
  EXPECT_EQ(mask.at<unsigned char>(10, 10), 0);
  EXPECT_EQ(mask.at<unsigned char>(40, 40), 255);
}

TEST(ZMapMask, NeverFlagsExcludedPixelsAndExclusionCanCutARegion) {
  cv::Mat z = cv::Mat::zeros(64, 64, CV_32F);
  cv::line(z, cv::Point(5, 20), cv::Point(58, 20), cv::Scalar(3.0), 1);
  z.at<float>(20, 8) = 9.0f;
  cv::Mat exclude = cv::Mat::zeros(64, 64, CV_8U);
  exclude(cv::Rect(30, 0, 4, 64)).setTo(255);  // burned-in text across the wire
  const cv::Mat mask = zmap_mask(z, exclude, unsmoothed());
  EXPECT_EQ(cv::countNonZero(mask & exclude), 0);
  EXPECT_EQ(mask.at<unsigned char>(20, 10), 255);  // the seeded side
  EXPECT_EQ(mask.at<unsigned char>(20, 50), 0);    // the far side has no seed of its own
}

TEST(ZMapMask, SmoothingLetsAThinStrongLineSurviveAsARegion) {
  cv::Mat z = cv::Mat::zeros(64, 64, CV_32F);
  cv::line(z, cv::Point(10, 10), cv::Point(50, 50), cv::Scalar(30.0), 1);
  ZMapMaskOptions options = unsmoothed();
  options.smoothing = 1.0;
  const cv::Mat mask = zmap_mask(z, cv::Mat(), options);
  EXPECT_GT(cv::countNonZero(mask), 41);  // at least the line itself, grown by the blur
  EXPECT_EQ(mask.at<unsigned char>(30, 30), 255);
  EXPECT_EQ(mask.at<unsigned char>(10, 50), 0);
}

TEST(ZMapMask, LeavesTheCallersZMapUnsmoothed) {
  // infer publishes the z-map it masked (--write-zmaps); the mask's blur must not reach it
  cv::Mat z = cv::Mat::zeros(32, 32, CV_32F);
  z.at<float>(16, 16) = 20.0f;
  const cv::Mat before = z.clone();
  ZMapMaskOptions options = unsmoothed();
  options.smoothing = 1.5;
  zmap_mask(z, cv::Mat(), options);
  EXPECT_EQ(cv::countNonZero(z != before), 0);
}

}  // namespace
}  // namespace medanon::anomaly
