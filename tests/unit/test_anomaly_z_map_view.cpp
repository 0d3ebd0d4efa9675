// The published z-map view: inside (0, 1), 0.5 at z = 0, monotone in z, smoothed as asked.

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "anomaly/z_map_view.hpp"

namespace medanon::anomaly {
namespace {

TEST(ZMapView, MonotoneInsideTheUnitIntervalAndHalfAtZero) {
  cv::Mat z(1, 7, CV_32F);
  const float values[] = {-1000.0f, -10.0f, -1.0f, 0.0f, 1.0f, 10.0f, 1000.0f};
  for (int i = 0; i < 7; ++i) z.at<float>(0, i) = values[i];
  const cv::Mat view = z_map_view(z, 0);
  EXPECT_FLOAT_EQ(view.at<float>(0, 3), 0.5f);
  EXPECT_FLOAT_EQ(view.at<float>(0, 5), 0.75f);  // 0.5 + 0.5 * 10 / 20
  for (int i = 0; i < 7; ++i) {
    EXPECT_GT(view.at<float>(0, i), 0.0f);
    EXPECT_LT(view.at<float>(0, i), 1.0f);
    if (i > 0) {
      EXPECT_GT(view.at<float>(0, i), view.at<float>(0, i - 1));
    }
  }
}

TEST(ZMapView, SmoothsTheZMapFirstAndLeavesItUntouched) {
  cv::Mat z = cv::Mat::zeros(21, 21, CV_32F);
  z.at<float>(10, 10) = 40.0f;
  const cv::Mat before = z.clone();
  const cv::Mat sharp = z_map_view(z, 0), smooth = z_map_view(z, 1.5);
  EXPECT_EQ(cv::countNonZero(z != before), 0);
  EXPECT_LT(smooth.at<float>(10, 10), sharp.at<float>(10, 10));  // the peak spread out
  EXPECT_GT(smooth.at<float>(10, 11), 0.5f);                      // onto its neighbours
  EXPECT_FLOAT_EQ(sharp.at<float>(10, 11), 0.5f);
}

TEST(ZMapView, DetailViewIsAtTheImagesSizeAndAddsOnlyBrightDetail) {
  const cv::Mat z(8, 8, CV_32F, cv::Scalar(2.0f));
  cv::Mat detail = cv::Mat::zeros(32, 24, CV_32F);
  detail.at<float>(5, 7) = 4.0f;     // bright detail
  detail.at<float>(20, 3) = -6.0f;   // below the top-hat's median: clipped, not subtracted
  detail.at<float>(30, 20) = 500.0f;  // clipped at 20
  const cv::Mat view = z_detail_view(z, 0, detail, 0.5);
  ASSERT_EQ(view.size(), detail.size());
  const float flat = z_map_view(z, 0).at<float>(0, 0);
  EXPECT_FLOAT_EQ(view.at<float>(0, 0), flat);
  EXPECT_FLOAT_EQ(view.at<float>(20, 3), flat);
  EXPECT_FLOAT_EQ(view.at<float>(5, 7), 0.5f + 0.5f * 4.0f / 14.0f);     // z 2 + 0.5 * 4
  EXPECT_FLOAT_EQ(view.at<float>(30, 20), 0.5f + 0.5f * 12.0f / 22.0f);  // z 2 + 0.5 * 20
}

}  // namespace
}  // namespace medanon::anomaly
