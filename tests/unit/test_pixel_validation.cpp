// Stage 1: every input is read or turned away with a reason; nothing crashes or throws.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <fstream>

#include "pixel/image_validation.hpp"
#include "tests/unit/pixel_fixtures.hpp"
#include "tests/unit/scratch_dir.hpp"

namespace medanon::pixel {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  static const medanon::testing::ScratchDir root("medanon_pixel_validation");
  return root.path() / name;
}

TEST(PixelValidation, EveryBadFileOfTheCorpusIsRejectedWithAReasonOrLeftToTheGate) {
  std::ifstream in(testing::tiny_corpus() / "ground_truth.json");
  const auto truth = nlohmann::json::parse(in);
  ASSERT_FALSE(truth.at("bad_files").empty());
  for (const auto& bad : truth.at("bad_files")) {
    const std::string path = (testing::tiny_corpus() / bad.at("path").get<std::string>()).string();
    const ReadResult result = read_and_validate(path);
    if (bad.at("expect") == "reject") {
      EXPECT_FALSE(result.ok) << path;
      EXPECT_FALSE(result.reason.empty()) << path;
    } else {
      EXPECT_TRUE(result.ok) << path << ": " << result.reason;  // decodable; the gate rejects it
    }
  }
}

TEST(PixelValidation, CorpusImagesDecodeToTheirTrueSizeAndDepth) {
  std::ifstream in(testing::tiny_corpus() / "ground_truth.json");
  const auto truth = nlohmann::json::parse(in);
  for (const auto& image : truth.at("images")) {
    const ReadResult result = read_and_validate((testing::tiny_corpus() / image.at("path").get<std::string>()).string());
    ASSERT_TRUE(result.ok) << image.at("path") << ": " << result.reason;
    EXPECT_EQ(result.image.pixels.cols, image.at("width").get<int>());
    EXPECT_EQ(result.image.pixels.rows, image.at("height").get<int>());
    EXPECT_EQ(result.image.pixels.depth(), image.at("bits_stored").get<int>() > 8 ? CV_16U : CV_8U);
    if (image.at("layout") == "dicom") {
      EXPECT_EQ(result.image.format, SourceFormat::dicom);
      EXPECT_EQ(result.image.header.count("PatientName"), 1U);
      EXPECT_EQ(result.image.monochrome1, image.at("photometric") == "MONOCHROME1");
    }
  }
}

TEST(PixelValidation, SixteenBitPngKeepsItsSamples) {
  const cv::Mat pixels = testing::radiograph_like({64, 48});
  const fs::path path = scratch("sixteen.png");
  cv::imwrite(path.string(), pixels);
  const ReadResult result = read_and_validate(path.string());
  ASSERT_TRUE(result.ok) << result.reason;
  EXPECT_EQ(result.image.pixels.type(), CV_16UC1);
  EXPECT_EQ(cv::norm(result.image.pixels, pixels, cv::NORM_INF), 0.0);
}

TEST(PixelValidation, JpegTiffAndBmpAreRead) {
  cv::Mat grey;
  testing::radiograph_like({64, 48}).convertTo(grey, CV_8U, 1.0 / 16);
  for (const char* name : {"image.jpg", "image.tiff", "image.bmp"}) {
    const fs::path path = scratch(name);
    ASSERT_TRUE(cv::imwrite(path.string(), grey));
    const ReadResult result = read_and_validate(path.string());
    EXPECT_TRUE(result.ok) << name << ": " << result.reason;
    EXPECT_EQ(result.image.pixels.size(), grey.size()) << name;
  }
}

TEST(PixelValidation, ImagesOutsideTheSizeLimitsAreRejected) {
  const fs::path path = scratch("small.png");
  cv::imwrite(path.string(), cv::Mat(8, 8, CV_8UC1, cv::Scalar(10)));
  EXPECT_NE(read_and_validate(path.string()).reason.find("too small"), std::string::npos);
  ImageLimits tight;
  tight.max_side = 32;
  cv::imwrite(path.string(), cv::Mat(40, 20, CV_8UC1, cv::Scalar(10)));
  EXPECT_NE(read_and_validate(path.string(), tight).reason.find("too large"), std::string::npos);
}

TEST(PixelValidation, UnknownTypesAndMissingFilesAreRejectedNotThrown) {
  const fs::path text = scratch("notes.txt");
  std::ofstream(text) << "not an image";
  EXPECT_FALSE(read_and_validate(text.string()).ok);
  EXPECT_FALSE(read_and_validate(scratch("missing.png").string()).ok);
  const fs::path fake = scratch("fake.png");
  std::ofstream(fake) << "definitely not a PNG";
  const ReadResult result = read_and_validate(fake.string());
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.reason.empty());
}

}  // namespace
}  // namespace medanon::pixel
