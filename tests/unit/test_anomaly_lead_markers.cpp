// Lead markers in foreign-object masks (anomaly/lead_markers.hpp): a mask component over a lead
// L or R is read as a marker; components over metal that is not a letter (a clip, a bent wire, a
// screw) are not, nor is anything when the reader is off.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "anomaly/lead_markers.hpp"

namespace medanon::anomaly {
namespace {

// A 16-bit film of 512 px: smooth soft tissue with quantum noise.
cv::Mat film() {
  cv::Mat image(512, 512, CV_32F);
  for (int y = 0; y < image.rows; ++y)
    for (int x = 0; x < image.cols; ++x) image.at<float>(y, x) = 14000.0f + 6000.0f * std::sin(x / 90.0f) + 8.0f * y;
  cv::Mat noise(image.size(), CV_32F);
  cv::RNG rng(3);
  rng.fill(noise, cv::RNG::NORMAL, 0.0, 700.0);
  image += noise;
  cv::GaussianBlur(image, image, cv::Size(), 0.8);
  cv::Mat out;
  image.convertTo(out, CV_16U);
  return out;
}

// A lead letter as radiographers' markers are made: block strokes of 5 x 7 cells, far denser
// than tissue, on a faint plastic plate or bare, slightly blurred by the detector.
void lead_letter(cv::Mat& image, const std::vector<std::string>& rows, cv::Point at, int cell, bool plate = true) {
  cv::Mat layer = cv::Mat::zeros(image.size(), CV_32F);
  if (plate) cv::rectangle(layer, cv::Rect(at.x - cell, at.y - cell, 7 * cell, 9 * cell), cv::Scalar(5000), cv::FILLED);
  for (int r = 0; r < static_cast<int>(rows.size()); ++r)
    for (int c = 0; c < 5; ++c)
      if (rows[r][c] == 'X') cv::rectangle(layer, cv::Rect(at.x + c * cell, at.y + r * cell, cell, cell), cv::Scalar(30000), cv::FILLED);
  cv::GaussianBlur(layer, layer, cv::Size(), 0.7);
  cv::Mat sum;
  image.convertTo(sum, CV_32F);
  sum += layer;
  sum.convertTo(image, CV_16U);
}

// The mask an anomaly map gives such a letter: most of it, not exactly its outline.
cv::Mat mask_over(cv::Size size, cv::Rect where) {
  cv::Mat mask = cv::Mat::zeros(size, CV_8U);
  cv::ellipse(mask, (where.tl() + where.br()) / 2, where.size() / 2, 0, 0, 360, cv::Scalar(255), cv::FILLED);
  return mask;
}

const std::vector<std::string> kR = {"XXXX.", "X...X", "X...X", "XXXX.", "X.X..", "X..X.", "X...X"};
const std::vector<std::string> kL = {"X....", "X....", "X....", "X....", "X....", "X....", "XXXXX"};

TEST(LeadMarkers, ALeadLetterUnderAMaskComponentIsReadAsAMarker) {
  LeadMarkerReader reader{LeadMarkerOptions{}};
  if (!reader.available()) GTEST_SKIP() << "Tesseract's English data missing: " << reader.reason();
  for (const auto& [rows, letter, cell, plate] :
       {std::tuple{kR, "R", 4, true}, std::tuple{kL, "L", 3, true}, std::tuple{kR, "R", 3, false}, std::tuple{kL, "L", 4, false}}) {
    cv::Mat image = film();
    lead_letter(image, rows, {420, 40}, cell, plate);
    const cv::Mat mask = mask_over(image.size(), cv::Rect(418, 38, 5 * cell + 4, 7 * cell + 4));
    const std::vector<LeadMarker> markers = reader.read(image, mask);
    ASSERT_EQ(markers.size(), 1u) << letter << " of " << cell << " px cells, plate " << plate;
    EXPECT_EQ(markers[0].text, letter);
    EXPECT_GE(markers[0].confidence, 70.0f);
    EXPECT_TRUE(markers[0].box.contains({425, 45})) << "the box covers the letter";
    // an object lying beside the marker keeps its pixels: the box is the letter's, not the crop read
    EXPECT_LE(markers[0].box.width, 5 * cell + 4 + 2 * std::max(3, cell + 1)) << markers[0].box;
    EXPECT_FALSE(markers[0].box.contains({410, 45})) << markers[0].box;
    const cv::Mat left_out = marker_mask(markers, image.size());
    EXPECT_EQ(cv::countNonZero(mask & ~left_out), 0) << "the whole component is left out";
  }
}

TEST(LeadMarkers, MetalThatIsNoLetterIsNotAMarker) {
  LeadMarkerReader reader{LeadMarkerOptions{}};
  if (!reader.available()) GTEST_SKIP() << "Tesseract's English data missing: " << reader.reason();
  cv::Mat image = film();
  cv::Mat metal = cv::Mat::zeros(image.size(), CV_32F);
  // a surgical clip (two jaws), a wire bent at a right angle, a screw, a round port
  cv::line(metal, {100, 100}, {112, 130}, cv::Scalar(30000), 3);
  cv::line(metal, {124, 100}, {112, 130}, cv::Scalar(30000), 3);
  cv::line(metal, {300, 80}, {300, 130}, cv::Scalar(30000), 2);
  cv::line(metal, {300, 130}, {335, 130}, cv::Scalar(30000), 2);
  cv::rectangle(metal, cv::Rect(100, 300, 36, 9), cv::Scalar(30000), cv::FILLED);
  for (int x = 102; x < 136; x += 5) cv::line(metal, {x, 298}, {x + 2, 311}, cv::Scalar(36000), 1);
  cv::circle(metal, {330, 330}, 14, cv::Scalar(30000), cv::FILLED);
  cv::GaussianBlur(metal, metal, cv::Size(), 0.7);
  cv::Mat sum;
  image.convertTo(sum, CV_32F);
  sum += metal;
  sum.convertTo(image, CV_16U);
  cv::Mat mask = mask_over(image.size(), cv::Rect(96, 96, 32, 38));
  mask |= mask_over(image.size(), cv::Rect(296, 76, 42, 58));
  mask |= mask_over(image.size(), cv::Rect(96, 294, 44, 20));
  mask |= mask_over(image.size(), cv::Rect(314, 314, 32, 32));
  for (const LeadMarker& m : reader.read(image, mask)) ADD_FAILURE() << "read '" << m.text << "' at " << m.box;
}

TEST(LeadMarkers, NothingIsReadWhenTheReaderIsOffOrTheComponentIsLarge) {
  cv::Mat image = film();
  lead_letter(image, kR, {420, 40}, 4);
  const cv::Mat mask = mask_over(image.size(), cv::Rect(418, 38, 24, 32));
  LeadMarkerOptions off;
  off.enabled = false;
  LeadMarkerReader none(off);
  EXPECT_FALSE(none.available());
  EXPECT_TRUE(none.read(image, mask).empty());

  LeadMarkerReader reader{LeadMarkerOptions{}};
  if (!reader.available()) GTEST_SKIP() << "Tesseract's English data missing: " << reader.reason();
  cv::Mat merged = mask.clone();
  cv::rectangle(merged, cv::Rect(400, 0, 60, 200), cv::Scalar(255), cv::FILLED);  // the letter joined to a long edge
  EXPECT_TRUE(reader.read(image, merged).empty()) << "a component larger than a letter is not read";
}

}  // namespace
}  // namespace medanon::anomaly
