// medanon's scoring beyond the thesis: balanced grid-masking trials, per-pixel residual statistics,
// the z-map, z_peak and the calibration files.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "anomaly/anomaly_calibration.hpp"
#include "core/errors.hpp"
#include "mae/mae_model.hpp"
#include "mae/reconstruction.hpp"

using namespace medanon::mae;
using namespace medanon::anomaly;
namespace fs = std::filesystem;

TEST(MaeCalibration, BalancedTrialsShowEveryTokenExactlyOncePerCycleOfFour) {
  constexpr std::int64_t tokens = 196;
  const auto noises = trial_noises(3, tokens, 8, 42, torch::kCPU, TrialMasks::balanced);
  ASSERT_EQ(noises.size(), 8u);
  for (int cycle = 0; cycle < 2; ++cycle) {
    auto visible_count = torch::zeros({3, tokens}, torch::kLong);
    for (int t = 0; t < 4; ++t) {
      const Masking masking = grid_masking(noises[static_cast<std::size_t>(cycle * 4 + t)]);
      visible_count += 1 - masking.mask.to(torch::kLong);
    }
    EXPECT_TRUE(torch::equal(visible_count, torch::ones({3, tokens}, torch::kLong))) << "cycle " << cycle;
  }
  // The two cycles draw their own orders, and the same seed gives the same masks.
  EXPECT_FALSE(torch::equal(noises[0], noises[4]));
  const auto again = trial_noises(3, tokens, 8, 42, torch::kCPU, TrialMasks::balanced);
  for (std::size_t i = 0; i < noises.size(); ++i) EXPECT_TRUE(torch::equal(noises[i], again[i]));
}

TEST(MaeCalibration, RandomTrialsCanLeaveATokenHiddenInEveryTrial) {
  // The thesis' masks: why medanon balances them (some patch is never pasted from the input).
  const auto noises = trial_noises(1, 196, 4, 0, torch::kCPU, TrialMasks::random);
  auto visible_count = torch::zeros({1, 196}, torch::kLong);
  for (const auto& noise : noises) visible_count += 1 - grid_masking(noise).mask.to(torch::kLong);
  EXPECT_GT((visible_count == 0).sum().item<std::int64_t>(), 0);
  EXPECT_GT((visible_count > 1).sum().item<std::int64_t>(), 0);
}

TEST(MaeCalibration, PixelStatisticsArePopulationMeanAndDeviationAndAddUpAcrossShares) {
  const cv::Mat a = (cv::Mat_<float>(1, 2) << 1.0f, 0.0f), b = (cv::Mat_<float>(1, 2) << 3.0f, 0.0f),
                c = (cv::Mat_<float>(1, 2) << 5.0f, 6.0f);
  PixelStatistics whole(1, 2), first(1, 2), second(1, 2);
  for (const auto& m : {a, b, c}) whole.add(m);
  first.add(a);
  second.add(b);
  second.add(c);
  std::vector<double> sums = first.to_sums(), other = second.to_sums();
  for (std::size_t i = 0; i < sums.size(); ++i) sums[i] += other[i];  // what allreduce_sum does
  PixelStatistics merged(1, 2);
  merged.from_sums(sums);
  for (const auto* s : {&whole, &merged}) {
    EXPECT_DOUBLE_EQ(s->count(), 3.0);
    EXPECT_NEAR(s->mean().at<float>(0), 3.0f, 1e-6);
    EXPECT_NEAR(s->mean().at<float>(1), 2.0f, 1e-6);
    EXPECT_NEAR(s->standard_deviation().at<float>(0), std::sqrt(8.0 / 3.0), 1e-6);
    EXPECT_NEAR(s->standard_deviation().at<float>(1), std::sqrt(8.0), 1e-6);
  }
  EXPECT_THROW(whole.add(cv::Mat::zeros(2, 2, CV_32F)), medanon::InternalError);
}

TEST(MaeCalibration, TopMeanLeavesExcludedPixelsOut) {
  cv::Mat map = cv::Mat::zeros(10, 100, CV_32F);  // 1000 pixels: the top 0.1 % is one pixel
  map.at<float>(0, 0) = 9.0f;                      // e.g. a redacted text block
  map.at<float>(5, 50) = 4.0f;                     // the object
  EXPECT_FLOAT_EQ(top_mean(map, cv::Mat(), 0.001), 9.0f);
  cv::Mat exclude = cv::Mat::zeros(map.size(), CV_8U);
  exclude(cv::Rect(0, 0, 3, 3)).setTo(255);
  EXPECT_FLOAT_EQ(top_mean(map, exclude, 0.001), 4.0f);
  EXPECT_FLOAT_EQ(top_mean(map, exclude, 0.002), 2.0f);  // two pixels: 4 and 0
  EXPECT_TRUE(std::isnan(top_mean(map, cv::Mat(map.size(), CV_8U, cv::Scalar(1)), 0.001)));
}

TEST(MaeCalibration, ExclusionAtModelSizeKeepsAnyTouchedPixel) {
  cv::Mat text = cv::Mat::zeros(448, 448, CV_8U);
  text(cv::Rect(101, 201, 1, 1)).setTo(255);  // one image pixel
  const cv::Mat small = exclusion_at(text, cv::Size(224, 224));
  EXPECT_EQ(cv::countNonZero(small), 1);
  EXPECT_EQ(small.at<unsigned char>(100, 50), 255);
  EXPECT_TRUE(exclusion_at(cv::Mat(), cv::Size(224, 224)).empty());
}

TEST(MaeCalibration, ZMapDividesByTheSpreadPlusFloor) {
  AnomalyCalibration calibration;
  calibration.mean = cv::Mat(2, 2, CV_32F, cv::Scalar(0.1f));
  calibration.spread = cv::Mat(2, 2, CV_32F, cv::Scalar(0.04f));
  calibration.floor = 0.01;
  const cv::Mat z = calibration.standardise(cv::Mat(2, 2, CV_32F, cv::Scalar(0.6f)));
  EXPECT_NEAR(z.at<float>(1, 1), 10.0f, 1e-5);
  EXPECT_THROW(calibration.standardise(cv::Mat::zeros(3, 3, CV_32F)), medanon::InternalError);
}

TEST(MaeCalibration, FilesRoundTripAndOldThresholdFilesStillRead) {
  const fs::path dir = fs::temp_directory_path() / ("medanon-calibration-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  AnomalyCalibration written;
  written.score = "z_peak";
  written.threshold = 7.25;
  written.residual = "positive";
  written.mean = cv::Mat(224, 224, CV_32F, cv::Scalar(0.02f));
  written.spread = cv::Mat(224, 224, CV_32F, cv::Scalar(0.005f));
  written.spread.at<float>(3, 4) = 0.5f;
  write_calibration(written, (dir / "cal.json").string(), R"({"percentile": 85})");
  ASSERT_TRUE(fs::exists(dir / "cal.stats.yml.gz"));
  const AnomalyCalibration read = read_calibration((dir / "cal.json").string());
  EXPECT_EQ(read.score, "z_peak");
  EXPECT_DOUBLE_EQ(read.threshold, 7.25);
  EXPECT_EQ(read.residual, "positive");
  EXPECT_EQ(cv::norm(read.mean, written.mean, cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::norm(read.spread, written.spread, cv::NORM_INF), 0.0);

  std::ofstream(dir / "old.json") << R"({"threshold": 0.05})";  // before calibration statistics
  const AnomalyCalibration old = read_calibration((dir / "old.json").string());
  EXPECT_EQ(old.score, "mask_score");
  EXPECT_DOUBLE_EQ(old.threshold, 0.05);
  EXPECT_FALSE(old.has_statistics());

  fs::remove(dir / "cal.stats.yml.gz");  // a z_peak threshold without its statistics is refused
  EXPECT_THROW(read_calibration((dir / "cal.json").string()), std::runtime_error);
  std::ofstream(dir / "bad.json") << R"({"threshold": 1, "score": "median"})";
  EXPECT_THROW(read_calibration((dir / "bad.json").string()), std::runtime_error);
  fs::remove_all(dir);
}
