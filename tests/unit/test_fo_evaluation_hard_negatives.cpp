// `evaluate fo` reads a corpus' hard-negative masks (tests/fo_render's layout): per kind the share
// of its pixels the run's masks flag, against the background of pixels that are neither object
// nor hard negative; a corpus without them reports none.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "evaluation/fo_evaluation.hpp"

namespace medanon::evaluation {
namespace {

namespace fs = std::filesystem;

// One 40 x 40 positive image: an object at (2, 2, 10, 10) fully flagged; a marker at (20, 20, 10,
// 10), 30 of its 100 pixels flagged; a granuloma at (2, 20, 5, 5) not flagged; 12 background
// pixels flagged.
fs::path write_corpus(bool with_hard_negatives) {
  const fs::path root = fs::temp_directory_path() / ("medanon-fo-hard-" + std::to_string(with_hard_negatives) + "-" +
                                                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::remove_all(root);
  fs::create_directories(root / "gt");
  fs::create_directories(root / "run" / "maps");
  fs::create_directories(root / "run" / "masks");
  cv::Mat gt = cv::Mat::zeros(40, 40, CV_8U), hard = cv::Mat::zeros(40, 40, CV_8U);
  gt(cv::Rect(2, 2, 10, 10)).setTo(255);
  hard(cv::Rect(20, 20, 10, 10)).setTo(255);
  hard(cv::Rect(2, 20, 5, 5)).setTo(255);
  cv::Mat mask = cv::Mat::zeros(40, 40, CV_8U);
  mask(cv::Rect(2, 2, 10, 10)).setTo(255);
  mask(cv::Rect(20, 20, 10, 3)).setTo(255);
  mask(cv::Rect(34, 0, 3, 4)).setTo(255);
  cv::imwrite((root / "gt" / "fo.png").string(), gt);
  cv::imwrite((root / "gt" / "hard.png").string(), hard);
  cv::imwrite((root / "run" / "masks" / "000000.png").string(), mask);
  cv::imwrite((root / "run" / "maps" / "000000.png").string(), cv::Mat(mask.size(), CV_16U, cv::Scalar(0)));
  nlohmann::json image = {{"index", 0},
                          {"path", "a.png"},
                          {"has_foreign_object", true},
                          {"foreign_objects", {{{"kind", "clips"}, {"bbox", {2, 2, 10, 10}}}}},
                          {"foreign_object_mask", "gt/fo.png"}};
  if (with_hard_negatives) {
    image["hard_negative_mask"] = "gt/hard.png";
    image["hard_negatives"] = {{{"kind", "marker"}, {"bbox", {20, 20, 10, 10}}},
                               {{"kind", "calcified_granuloma"}, {"bbox", {2, 20, 5, 5}}}};
  }
  std::ofstream(root / "ground_truth.json") << nlohmann::json({{"images", {image}}}).dump();
  std::ofstream(root / "run" / "scores.csv")
      << "index,path,width,height,mask_score,anomaly_score,ssim_score,peak_score,z_peak,foreign_object\n"
      << "0,a.png,40,40,0,0,0,0,1,0\n";
  return root;
}

FoEvaluation evaluate(const fs::path& root) {
  FoEvaluationOptions options;
  options.corpus = root.string();
  options.run = (root / "run").string();
  return evaluate_foreign_objects(options);
}

TEST(FoEvaluationHardNegatives, RatesPerKindAgainstTheBackgroundOutsideThem) {
  const fs::path root = write_corpus(true);
  const FoEvaluation result = evaluate(root);
  // background: 1600 - 100 object - 125 hard negative pixels, 12 of them flagged
  const double background = 12.0 / 1375.0;
  EXPECT_NEAR(result.background_outside_hard_negatives, background, 1e-12);
  ASSERT_EQ(result.hard_negatives.size(), 2u);
  EXPECT_EQ(result.hard_negatives.at("marker").instances, 1u);
  EXPECT_NEAR(result.hard_negatives.at("marker").flag_rate, 0.30, 1e-12);
  EXPECT_NEAR(result.hard_negatives.at("marker").times_background, 0.30 / background, 1e-9);
  EXPECT_EQ(result.hard_negatives.at("calcified_granuloma").flag_rate, 0.0);
  // the object-based background (every non-object pixel) still counts the marker's flags
  EXPECT_NEAR(result.background_flag_rate, 42.0 / 1500.0, 1e-12);
  const auto j = nlohmann::json::parse(result.json());
  EXPECT_NEAR(j.at("hard_negatives").at("marker").at("times_background").get<double>(), 0.30 / background, 1e-9);
  fs::remove_all(root);
}

TEST(FoEvaluationHardNegatives, ACorpusWithoutThemReportsNone) {
  const fs::path root = write_corpus(false);
  const FoEvaluation result = evaluate(root);
  EXPECT_TRUE(result.hard_negatives.empty());
  EXPECT_TRUE(std::isnan(result.background_outside_hard_negatives));
  EXPECT_FALSE(nlohmann::json::parse(result.json()).contains("hard_negatives"));
  fs::remove_all(root);
}

}  // namespace
}  // namespace medanon::evaluation
