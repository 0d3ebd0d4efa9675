// The foreign-object prior: the C++ network and image preparation equal the training script's
// (scripts/train_fo_prior.py, run by Debian's python3-torch), the shipped weights find a wire and
// leave plain anatomy alone, and the fusion with the MAE's view.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <vector>

#include "anomaly/anomaly_calibration.hpp"
#include "anomaly/object_fusion.hpp"
#include "core/errors.hpp"
#include "mae/object_prior.hpp"
#include "tests/unit/mae_python_fixtures.hpp"
#include "tests/unit/scratch_dir.hpp"

namespace medanon::mae {
namespace {

namespace fs = std::filesystem;

const fs::path& scratch() {
  static const testing::ScratchDir dir("medanon_object_prior");
  return dir.path();
}

// A radiograph-like 16-bit image: a smooth dome with noise, and (optionally) a bright 2-px wire.
cv::Mat radiograph(int rows, int cols, bool wire, std::uint32_t seed) {
  cv::Mat image(rows, cols, CV_32F);
  std::mt19937 random(seed);
  std::normal_distribution<float> noise(0.0f, 300.0f);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const float dx = (c - cols / 2.0f) / cols, dy = (r - rows / 2.0f) / rows;
      image.at<float>(r, c) = 20000.0f + 15000.0f * std::exp(-6.0f * (dx * dx + dy * dy)) + noise(random);
    }
  }
  cv::GaussianBlur(image, image, cv::Size(), 1.0);
  if (wire) cv::line(image, {cols / 4, rows / 5}, {cols / 2, 4 * rows / 5}, cv::Scalar(60000), 2, cv::LINE_AA);
  cv::Mat out;
  image.convertTo(out, CV_16U);
  return out;
}

TEST(ObjectPrior, PercentileIsNumpysLinearInterpolation) {
  cv::Mat values(1, 100, CV_16U);
  for (int i = 0; i < 100; ++i) values.at<std::uint16_t>(0, i) = static_cast<std::uint16_t>(99 - i);  // any order
  EXPECT_DOUBLE_EQ(image_percentile(values, 0), 0.0);
  EXPECT_DOUBLE_EQ(image_percentile(values, 100), 99.0);
  EXPECT_NEAR(image_percentile(values, 0.5), 0.495, 1e-12);  // numpy.percentile(range(100), 0.5)
  EXPECT_NEAR(image_percentile(values, 99.9), 98.901, 1e-12);
  cv::Mat eight(3, 3, CV_8U, cv::Scalar(7));
  EXPECT_DOUBLE_EQ(image_percentile(eight, 50), 7.0);
  EXPECT_THROW(image_percentile(cv::Mat(2, 2, CV_32F, cv::Scalar(0)), 50), std::exception);
}

// Random weights from the training script's own UNet, its own preparation and forward pass; the
// C++ side must give the same probabilities (names, shapes, window, area resampling, bilinear).
TEST(ObjectPrior, EqualsTheTrainingScriptOnRandomWeights) {
  if (!test::system_python_has_torch()) GTEST_SKIP() << "/usr/bin/python3 with python3-torch is not installed";
  const fs::path image_path = scratch() / "equivalence.png", weights = scratch() / "random_prior.pth",
                 reference = scratch() / "reference.f32";
  const cv::Mat image = radiograph(301, 267, /*wire=*/true, 5);
  ASSERT_TRUE(cv::imwrite(image_path.string(), image));
  const fs::path script_dir = fs::path(MEDANON_SOURCE_DIR) / "scripts";
  const std::string python =
      "import sys, torch, numpy as np\n"
      "sys.path.insert(0, '" +
      script_dir.string() +
      "')\n"
      "import train_fo_prior as t\n"
      "torch.manual_seed(3)\n"
      "net = t.UNet()\n"
      "for m in net.modules():\n"
      "    if isinstance(m, torch.nn.BatchNorm2d):\n"
      "        m.running_mean.uniform_(-0.2, 0.2); m.running_var.uniform_(0.5, 2.0)\n"
      "net.eval()\n"
      "torch.save({'model': net.state_dict(), 'config': {'architecture': 'unet', 'channels': list(t.CHANNELS), "
      "'view': t.VIEW, 'window_low': t.WINDOW[0], 'window_high': t.WINDOW[1]}}, '" +
      weights.string() +
      "')\n"
      "a = t.windowed('" +
      image_path.string() +
      "')\n"
      "with torch.no_grad():\n"
      "    p = torch.sigmoid(net(torch.from_numpy(t.view(a))[None, None]))\n"
      "    p = torch.nn.functional.interpolate(p, size=a.shape, mode='bilinear', align_corners=False)\n"
      "p[0, 0].numpy().astype(np.float32).tofile('" +
      reference.string() + "')\n";
  const fs::path script = scratch() / "reference.py";
  std::ofstream(script) << python;
  ASSERT_EQ(std::system(("/usr/bin/python3 " + script.string()).c_str()), 0);

  const ObjectPrior prior(ObjectPriorOptions{weights.string(), "cpu"});
  const cv::Mat mine = prior.probability(image);
  ASSERT_EQ(mine.size(), image.size());
  cv::Mat theirs(image.rows, image.cols, CV_32F);
  std::ifstream in(reference, std::ios::binary);
  in.read(reinterpret_cast<char*>(theirs.ptr<float>()), static_cast<std::streamsize>(theirs.total() * sizeof(float)));
  ASSERT_TRUE(in.good());
  double low = 0, high = 0;
  cv::minMaxLoc(theirs, &low, &high);
  EXPECT_GT(high - low, 1e-3);  // random weights still vary over the image: the comparison means something
  EXPECT_LT(cv::norm(mine, theirs, cv::NORM_INF), 1e-4);
}

TEST(ObjectPrior, ShippedWeightsFindAWireAndNotPlainAnatomy) {
  const fs::path shipped = fs::path(MEDANON_SOURCE_DIR) / "models" / "fo_prior_synth.pth";
  ASSERT_TRUE(fs::exists(shipped)) << "models/fo_prior_synth.pth is committed (scripts/train-fo-prior.sh)";
  const ObjectPrior prior(ObjectPriorOptions{shipped.string(), "cpu"});
  EXPECT_EQ(prior.view(), 256);
  const cv::Mat with_wire = radiograph(512, 480, true, 11), plain = radiograph(512, 480, false, 11);
  cv::Mat wire_pixels = cv::Mat::zeros(with_wire.size(), CV_8U);
  cv::line(wire_pixels, {120, 102}, {240, 409}, cv::Scalar(255), 2);
  const cv::Mat on_wire = prior.probability(with_wire), on_plain = prior.probability(plain);
  EXPECT_GT(cv::mean(on_wire, wire_pixels)[0], 0.5);
  double plain_max = 0;
  cv::minMaxLoc(on_plain, nullptr, &plain_max);
  EXPECT_LT(plain_max, 0.5);
}

TEST(ObjectPrior, UnreadableOrForeignCheckpointsAreInputErrors) {
  const fs::path junk = scratch() / "junk.pth";
  std::ofstream(junk) << "not a torch file";
  EXPECT_THROW(ObjectPrior(ObjectPriorOptions{junk.string(), "cpu"}), InputError);
  const fs::path mae =
      fs::path(MEDANON_SOURCE_DIR) / "models" / "mae_small_synth.pth";  // a state dict of another network
  EXPECT_THROW(ObjectPrior(ObjectPriorOptions{mae.string(), "cpu"}), InputError);
}

TEST(ObjectFusion, GeometricMeanAndThePriorsShareOfTheMask) {
  cv::Mat view(1, 3, CV_32F), prior(1, 3, CV_32F);
  view.at<float>(0, 0) = 0.81f, prior.at<float>(0, 0) = 1.0f;
  view.at<float>(0, 1) = 0.9f, prior.at<float>(0, 1) = 0.0f;  // anomalous, but nothing like an object
  view.at<float>(0, 2) = 0.5f, prior.at<float>(0, 2) = 0.5f;
  const cv::Mat fused = anomaly::fused_object_map(view, prior);
  EXPECT_FLOAT_EQ(fused.at<float>(0, 0), 0.9f);
  EXPECT_FLOAT_EQ(fused.at<float>(0, 1), 0.0f);
  EXPECT_FLOAT_EQ(fused.at<float>(0, 2), 0.5f);
  cv::Mat mask(1, 3, CV_8U, cv::Scalar(255));
  anomaly::keep_where_prior(mask, prior, 0.5);
  EXPECT_EQ(mask.at<std::uint8_t>(0, 0), 255);
  EXPECT_EQ(mask.at<std::uint8_t>(0, 1), 0);
  EXPECT_EQ(mask.at<std::uint8_t>(0, 2), 255);
  cv::Mat untouched(1, 3, CV_8U, cv::Scalar(255));
  anomaly::keep_where_prior(untouched, prior, 0);
  EXPECT_EQ(cv::countNonZero(untouched), 3);
}

TEST(ObjectFusion, ComponentsThePriorSeesAreKeptWhole) {
  // two mask components: a wire the prior sees at one end only, and a blob it never sees
  cv::Mat mask = cv::Mat::zeros(20, 20, CV_8U), prior = cv::Mat::zeros(20, 20, CV_32F);
  cv::line(mask, {2, 2}, {2, 17}, cv::Scalar(255), 1);
  prior.at<float>(3, 2) = 0.6f;
  cv::rectangle(mask, {10, 10}, {13, 13}, cv::Scalar(255), cv::FILLED);
  prior(cv::Rect(10, 10, 4, 4)).setTo(0.2f);
  cv::Mat kept = mask.clone();
  anomaly::keep_components_the_prior_sees(kept, prior, 0.3);
  EXPECT_EQ(cv::countNonZero(kept.col(2)), 16) << "the wire is kept to its whole length";
  EXPECT_EQ(cv::countNonZero(kept(cv::Rect(10, 10, 4, 4))), 0) << "the blob the prior never sees is dropped";
  cv::Mat untouched = mask.clone();
  anomaly::keep_components_the_prior_sees(untouched, prior, 0);
  EXPECT_EQ(cv::countNonZero(untouched), cv::countNonZero(mask));
}

TEST(ObjectFusion, PixelsThePriorIsSureOfJoinTheMask) {
  // the MAE's mask holds a blob; the prior is sure of a thin line the mask missed, unsure elsewhere
  cv::Mat mask = cv::Mat::zeros(20, 20, CV_8U), prior = cv::Mat::zeros(20, 20, CV_32F);
  cv::rectangle(mask, {10, 10}, {13, 13}, cv::Scalar(255), cv::FILLED);
  cv::line(prior, {2, 2}, {2, 17}, cv::Scalar(0.95f), 1);
  prior(cv::Rect(15, 2, 3, 3)).setTo(0.6f);
  cv::Mat added = mask.clone();
  anomaly::add_where_prior(added, prior, 0.9);
  EXPECT_EQ(cv::countNonZero(added.col(2)), 16) << "the line joins the mask";
  EXPECT_EQ(cv::countNonZero(added(cv::Rect(10, 10, 4, 4))), 16) << "the MAE's blob stays";
  EXPECT_EQ(cv::countNonZero(added(cv::Rect(15, 2, 3, 3))), 0) << "an unsure prior adds nothing";
  cv::Mat untouched = mask.clone();
  anomaly::add_where_prior(untouched, prior, 0);
  EXPECT_EQ(cv::countNonZero(untouched), cv::countNonZero(mask));

  // a 5 x 5 mask of the same image (the model's mask): the one-pixel line fills the cells it crosses
  cv::Mat small = cv::Mat::zeros(5, 5, CV_8U);
  anomaly::add_where_prior_pooled(small, prior, 0.9);
  EXPECT_EQ(cv::countNonZero(small.col(0)), 5) << "the line shows at the mask's size";
  EXPECT_EQ(cv::countNonZero(small), 5) << "nothing else joins (the unsure 0.6 patch, the empty cells)";
  cv::Mat small_untouched = cv::Mat::zeros(5, 5, CV_8U);
  anomaly::add_where_prior_pooled(small_untouched, prior, 0);
  EXPECT_EQ(cv::countNonZero(small_untouched), 0);
}

TEST(ObjectFusion, ThresholdFileNamesItsPriorRelativeToItself) {
  const fs::path folder = scratch() / "site" / "adapt";
  fs::create_directories(folder);
  anomaly::AnomalyCalibration calibration;
  calibration.score = "object_peak";
  calibration.threshold = 0.7;
  calibration.mean = cv::Mat(4, 4, CV_32F, cv::Scalar(0));
  calibration.spread = cv::Mat(4, 4, CV_32F, cv::Scalar(1));
  calibration.residual = "positive";
  calibration.object_prior = (folder / "object_prior.pth").string();
  anomaly::write_calibration(calibration, (folder / "model.threshold.json").string());
  std::ifstream in(folder / "model.threshold.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"object_prior\": \"object_prior.pth\""), std::string::npos) << text;
  // the pair moves together
  fs::rename(scratch() / "site", scratch() / "moved");
  const auto read = anomaly::read_calibration((scratch() / "moved" / "adapt" / "model.threshold.json").string());
  EXPECT_EQ(read.score, "object_peak");
  EXPECT_EQ(fs::path(read.object_prior), scratch() / "moved" / "adapt" / "object_prior.pth");
}

}  // namespace
}  // namespace medanon::mae
