// Anomaly maps finer than the model (mae/fine_map.hpp): what the residual at N px is made of.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "mae/fine_map.hpp"

using namespace medanon::mae;
using namespace medanon::anomaly;

namespace {

// A 1024-px "radiograph": a flat grey field with a 2-px bright vertical wire at `column`.
cv::Mat image_with_wire(int column = 500) {
  cv::Mat image(1024, 1024, CV_16U, cv::Scalar(20000));
  image(cv::Rect(column, 0, 2, 1024)).setTo(60000);
  image.at<unsigned short>(0, 0) = 0;  // min-max mapping: 0 .. 60000
  return image;
}

double wire_contrast(const cv::Mat& input) {  // the wire's brightest column over the field
  double field = input.at<float>(input.rows / 2, 10), peak = 0;
  cv::minMaxLoc(input.row(input.rows / 2), nullptr, &peak);
  return peak - field;
}

}  // namespace

TEST(MaeFineMap, BothViewsHaveTheMapSize) {
  const cv::Mat reconstruction(224, 224, CV_32F, cv::Scalar(0.3));
  const FineView view = fine_view(image_with_wire(), reconstruction, 448, IntensityMapping::min_max);
  EXPECT_EQ(view.input.size(), cv::Size(448, 448));
  EXPECT_EQ(view.reconstruction.size(), cv::Size(448, 448));
  EXPECT_EQ(view.input.type(), CV_32F);
}

TEST(MaeFineMap, AFlatReconstructionStaysFlatWhenBroughtUp) {
  const cv::Mat reconstruction(224, 224, CV_32F, cv::Scalar(0.42));
  const FineView view = fine_view(image_with_wire(), reconstruction, 448, IntensityMapping::min_max);
  double low = 0, high = 0;
  cv::minMaxLoc(view.reconstruction, &low, &high);
  EXPECT_NEAR(low, 0.42, 1e-5);
  EXPECT_NEAR(high, 0.42, 1e-5);
}

TEST(MaeFineMap, AThinWireKeepsMoreContrastAtTwiceTheModelSide) {
  // Why the option exists: area resampling to 224 averages a 2-px wire of a 1024-px image into a
  // pixel 4.6 px wide; at 448 the pixels are 2.3 px wide and keep more of its contrast: up to
  // twice, less where the wire straddles two pixels. Averaged over positions: clearly more.
  const cv::Mat reconstruction(224, 224, CV_32F, cv::Scalar(0.3));
  double at_model = 0, at_448 = 0;
  for (int column = 500; column < 516; ++column) {
    const cv::Mat image = image_with_wire(column);
    at_model += wire_contrast(model_input(image, 224, IntensityMapping::min_max));
    at_448 += wire_contrast(fine_view(image, reconstruction, 448, IntensityMapping::min_max).input);
  }
  EXPECT_GT(at_448, 1.5 * at_model);
}

TEST(MaeFineMap, MaskOptionsKeepTheirMeaningInModelPixels) {
  ZMapMaskOptions options;
  options.smoothing = 1.0;
  options.min_area = 6;
  const ZMapMaskOptions scaled = scaled_for_map(options, 2.0);
  EXPECT_DOUBLE_EQ(scaled.smoothing, 2.0);
  EXPECT_EQ(scaled.min_area, 24);  // an area: scale squared
  EXPECT_DOUBLE_EQ(scaled.high, options.high);
  EXPECT_DOUBLE_EQ(scaled.low, options.low);
  const ZMapMaskOptions same = scaled_for_map(options, 1.0);
  EXPECT_EQ(same.min_area, 6);
}
