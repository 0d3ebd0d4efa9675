// The thesis' post-processing, the metrics, the PadChest CSV and the learning-rate schedule:
// everything around the model that needs no torch.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "evaluation/detection_metrics.hpp"
#include "anomaly/foreign_object_mask.hpp"
#include "io/padchest_dataset.hpp"
#include "mae/radiograph_input.hpp"
#include "mae/training.hpp"

using namespace medanon::mae;
using namespace medanon::anomaly;
using namespace medanon::evaluation;
using namespace medanon::io;

TEST(MaePostprocessing, PercentileInterpolatesLinearlyLikeNumpy) {
  const cv::Mat values = (cv::Mat_<unsigned char>(1, 5) << 40, 0, 20, 10, 30);
  EXPECT_DOUBLE_EQ(percentile_of(values, 95), 38.0);  // rank 3.8 between 30 and 40
  EXPECT_DOUBLE_EQ(percentile_of(values, 50), 20.0);
}

TEST(MaePostprocessing, NormalisationTruncatesToEightBitsLikeAstype) {
  const cv::Mat map = (cv::Mat_<float>(1, 3) << 0.5f, 1.0f, 0.75f);
  const cv::Mat eight = normalise_to_8bit(map);
  EXPECT_EQ(eight.at<unsigned char>(0), 0);
  EXPECT_EQ(eight.at<unsigned char>(1), 255);
  EXPECT_EQ(eight.at<unsigned char>(2), 127);  // 127.5 truncated
}

TEST(MaePostprocessing, BrightBlobBecomesTheMaskAndSpecksAreDropped) {
  cv::Mat map(224, 224, CV_32F);
  cv::randu(map, 0.0f, 0.05f);
  cv::rectangle(map, cv::Rect(100, 60, 24, 24), cv::Scalar(0.9f), cv::FILLED);
  const MaskResult result = foreign_object_mask(map, MaskOptions{});
  EXPECT_EQ(result.mask.type(), CV_8U);
  EXPECT_EQ(result.mask.at<unsigned char>(72, 112), 255);
  EXPECT_EQ(cv::countNonZero(result.mask(cv::Rect(0, 150, 224, 74))), 0);  // no specks far away
  EXPECT_NEAR(result.mask_score, cv::countNonZero(result.mask) / (224.0 * 224.0), 1e-12);
  EXPECT_LT(result.mask_score, 0.05 + 1e-9);  // never more than the top 5 % (closing aside)
}

TEST(MaePostprocessing, SsimIsOneForIdenticalImagesAndLowerForNoise) {
  cv::Mat a(64, 64, CV_32F), noise(64, 64, CV_32F);
  cv::randu(a, 0.0f, 1.0f);
  cv::randn(noise, 0.0f, 0.2f);
  EXPECT_NEAR(structural_similarity(a, a), 1.0, 1e-9);
  EXPECT_LT(structural_similarity(a, a + noise), 0.9);
}

TEST(MaeMetrics, AurocCountsTiesHalfAndMatchesThePixelHistogram) {
  EXPECT_DOUBLE_EQ(auroc({0.1, 0.4, 0.35, 0.8}, {false, false, true, true}), 0.75);
  EXPECT_DOUBLE_EQ(auroc({0.5, 0.5}, {true, false}), 0.5);
  EXPECT_TRUE(std::isnan(auroc({0.1, 0.2}, {true, true})));
  PixelRoc pixels;
  const cv::Mat scores = (cv::Mat_<float>(1, 4) << 0.1f, 0.4f, 0.35f, 0.8f);
  const cv::Mat truth = (cv::Mat_<unsigned char>(1, 4) << 0, 0, 255, 255);
  pixels.add(scores, truth);
  EXPECT_NEAR(pixels.auroc(), 0.75, 1e-12);
  const auto curve = roc_curve({0.1, 0.4, 0.35, 0.8}, {false, false, true, true});
  EXPECT_EQ(curve.front(), std::make_pair(0.0, 0.0));
  EXPECT_EQ(curve.back(), std::make_pair(1.0, 1.0));
}

TEST(MaeMetrics, DiceOfMasks) {
  cv::Mat a = cv::Mat::zeros(10, 10, CV_8U), b = cv::Mat::zeros(10, 10, CV_8U);
  EXPECT_DOUBLE_EQ(dice(a, b), 1.0);
  a(cv::Rect(0, 0, 4, 5)).setTo(255);  // 20 pixels
  b(cv::Rect(2, 0, 4, 5)).setTo(255);  // 20 pixels, 10 shared
  EXPECT_DOUBLE_EQ(dice(a, b), 0.5);
}

TEST(MaeInput, SixteenBitImagesAreMinMaxScaledAndResizedToTheModelSquare) {
  cv::Mat image(300, 200, CV_16U, cv::Scalar(1000));
  image(cv::Rect(0, 0, 200, 150)).setTo(3000);
  const cv::Mat input = model_input(image, 224, IntensityMapping::min_max);
  EXPECT_EQ(input.size(), cv::Size(224, 224));
  EXPECT_EQ(input.type(), CV_32F);
  EXPECT_NEAR(input.at<float>(10, 10), 1.0f, 1e-6);
  EXPECT_NEAR(input.at<float>(200, 10), 0.0f, 1e-6);
  EXPECT_EQ(to_original_size(cv::Mat::zeros(224, 224, CV_8U), image.size(), true).size(), image.size());
}

TEST(MaePadChest, LabelListsParseCaseInsensitivelyWithPadChestsSpacing) {
  EXPECT_EQ(parse_label_list("[' Pacemaker', 'NSG tube', \"double J stent\"]"),
            (std::vector<std::string>{"pacemaker", "nsg tube", "double j stent"}));
  EXPECT_TRUE(parse_label_list("[]").empty());
  EXPECT_THROW(parse_label_list("normal"), std::invalid_argument);
  EXPECT_EQ(foreign_object_labels().size(), 34u);
}

TEST(MaePadChest, CsvFiltersProjectionsAndLabelsMatchesNsgTubeAndSplitsByPatient) {
  const auto dir = std::filesystem::temp_directory_path() / ("medanon_padchest_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream csv(dir / "labels.csv");
  csv << "ImageID,ImageDir,PatientID,Projection,Labels\n"
      << "a.png,1,P1,PA,\"['normal']\"\n"
      << "b.png,1,P1,PA,\"['NSG tube', 'pneumonia']\"\n"
      << "c.png,2,P2,L,\"['normal']\"\n"
      << "d.png,2,P3,AP,\"['suboptimal study']\"\n"
      << "e.png,3,P4,AP_horizontal,\"[' double J stent']\"\n"
      << "f.png,3,P5,PA,\n";
  for (int i = 0; i < 200; ++i) csv << "n" << i << ".png,4,Q" << i / 3 << ",PA,\"['normal']\"\n";
  csv.close();
  PadChestSummary summary;
  const auto images = read_padchest_csv((dir / "labels.csv").string(), &summary);
  EXPECT_EQ(summary.excluded_projection, 1u);
  EXPECT_EQ(summary.excluded_label, 1u);
  EXPECT_EQ(summary.no_labels, 1u);
  ASSERT_EQ(images.size(), 203u);
  EXPECT_EQ(images[1].foreign_objects, (std::vector<std::string>{"NSG tube"}));  // the thesis missed this one
  EXPECT_EQ(images[2].foreign_objects, (std::vector<std::string>{"double J stent"}));

  const auto split = split_by_patient(images, /*seed=*/7);
  std::set<std::string> train_patients, other_patients;
  for (const auto& image : split.train) {
    EXPECT_FALSE(image.has_foreign_object());
    train_patients.insert(image.patient_id);
  }
  for (const auto* part : {&split.validation, &split.test}) {
    for (const auto& image : *part) other_patients.insert(image.patient_id);
  }
  for (const auto& patient : other_patients) EXPECT_FALSE(train_patients.count(patient)) << patient;
  EXPECT_GT(split.train.size(), 120u);
  EXPECT_EQ(split_by_patient(images, 7).train.size(), split.train.size());  // seeded
  std::filesystem::remove_all(dir);
}

TEST(MaeSchedule, LinearWarmupThenHalfCycleCosine) {
  EXPECT_DOUBLE_EQ(learning_rate_at(0.0, 1e-3, 0.0, 5, 100), 0.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(2.5, 1e-3, 0.0, 5, 100), 0.5e-3);
  EXPECT_DOUBLE_EQ(learning_rate_at(5.0, 1e-3, 0.0, 5, 100), 1e-3);
  EXPECT_NEAR(learning_rate_at(52.5, 1e-3, 1e-5, 5, 100), 1e-5 + (1e-3 - 1e-5) * 0.5, 1e-15);
  EXPECT_NEAR(learning_rate_at(100.0, 1e-3, 1e-5, 5, 100), 1e-5, 1e-15);
}
