// Stage 2: photographs are turned away, radiographs pass with an anatomy class, and the
// decision rests on evidence the file carries (DICOM header words first).
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <filesystem>

#include "pixel/image_validation.hpp"
#include "pixel/medical_gate.hpp"
#include "synth/corpus_plan.hpp"
#include "synth/radiograph.hpp"
#include "tests/unit/pixel_fixtures.hpp"

namespace medanon::pixel {
namespace {

PixelImage synth_radiograph(int index) {
  synth::CorpusOptions options;
  options.count = 3;
  options.seed = 5;
  options.size = 256;
  const synth::CorpusPlan plan = synth::make_corpus_plan(options);
  PixelImage image;
  image.pixels = synth::render_radiograph(plan, plan.images.at(static_cast<size_t>(index))).pixels;
  image.bits_stored = plan.images.at(static_cast<size_t>(index)).bits_stored;
  image.format = SourceFormat::png;
  return image;
}

TEST(PixelGate, ColourPhotographsOfTheCorpusAreRejected) {
  for (const char* name : {"bad/photo.jpg", "bad/photo.png"}) {
    const ReadResult read = read_and_validate((testing::tiny_corpus() / name).string());
    ASSERT_TRUE(read.ok) << read.reason;
    const GateDecision decision = gate_image(read.image);
    EXPECT_FALSE(decision.medical) << name;
    EXPECT_NE(decision.reason.find("colour"), std::string::npos) << decision.reason;
  }
}

TEST(PixelGate, SynthRadiographsPassAsChest) {
  for (int i = 0; i < 3; ++i) {
    const GateDecision decision = gate_image(synth_radiograph(i));
    EXPECT_TRUE(decision.medical) << decision.reason;
    EXPECT_EQ(decision.anatomy, Anatomy::chest) << i;
  }
}

// A small 8-bit film with a hard tone curve, quantum noise and grid lines has as many strong
// edges as a photograph of coins (the independent corpus' films reach 17 %): its chest layout
// lets it through; the same pixels turned on their side are texture without it, and rejected.
TEST(PixelGate, ANoisyGriddedEightBitChestPassesOnItsLayout) {
  synth::CorpusOptions options;
  options.count = 1;
  options.seed = 5;
  options.size = 480;
  const synth::CorpusPlan plan = synth::make_corpus_plan(options);
  cv::Mat film = synth::render_radiograph(plan, plan.images.at(0)).pixels;
  film.convertTo(film, CV_32F, 1.0 / (plan.images.at(0).bits_stored >= 16 ? 65535.0 : (1 << plan.images.at(0).bits_stored) - 1));
  cv::Mat noise(film.size(), CV_32F);
  cv::RNG rng(11);
  rng.fill(noise, cv::RNG::NORMAL, 0.0, 0.06);
  film += noise;
  for (int x = 0; x < film.cols; x += 3) film.col(x) *= 0.8;  // stationary grid lines
  cv::Mat hard;  // a steep sigmoid tone curve: black lungs, white bone
  cv::exp(-(film - 0.45) * 12.0, hard);
  hard = 1.0 / (1.0 + hard);
  PixelImage image;
  image.format = SourceFormat::png;
  image.bits_stored = 8;
  hard.convertTo(image.pixels, CV_8U, 255.0);

  const GateDecision decision = gate_image(image);
  EXPECT_TRUE(decision.medical) << decision.reason;
  EXPECT_EQ(decision.anatomy, Anatomy::chest);
  bool above_limit = false;
  for (const std::string& e : decision.evidence) above_limit |= e.find("but the layout of a chest radiograph") != std::string::npos;
  EXPECT_TRUE(above_limit) << "the film's edges stayed under the limit: the test no longer exercises the rule";

  cv::rotate(image.pixels, image.pixels, cv::ROTATE_90_CLOCKWISE);
  const GateDecision sideways = gate_image(image);
  EXPECT_FALSE(sideways.medical);
  EXPECT_NE(sideways.reason.find("photograph-like"), std::string::npos) << sideways.reason;
}

TEST(PixelGate, CorpusFilesPassTheGate) {
  for (const char* folder : {"padchest", "archive"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::tiny_corpus() / folder)) {
      const std::string extension = entry.path().extension().string();
      if (extension != ".png" && extension != ".dcm") continue;
      const ReadResult read = read_and_validate(entry.path().string());
      ASSERT_TRUE(read.ok) << entry.path() << ": " << read.reason;
      EXPECT_TRUE(gate_image(read.image).medical) << entry.path();
    }
  }
}

TEST(PixelGate, HeaderBodyPartDecidesTheAnatomy) {
  PixelImage image;
  image.pixels = testing::radiograph_like({128, 128});
  image.bits_stored = 12;
  image.format = SourceFormat::dicom;
  image.header = {{"Modality", "DX"}, {"BodyPartExamined", "SKULL"}};
  EXPECT_EQ(gate_image(image).anatomy, Anatomy::skull);
  image.header = {{"Modality", "CR"}, {"BodyPartExamined", "PELVIS"}};
  EXPECT_EQ(gate_image(image).anatomy, Anatomy::pelvic);
  image.header = {{"Modality", "PX"}};
  EXPECT_EQ(gate_image(image).anatomy, Anatomy::dental);
  image.header = {{"Modality", "CR"}, {"StudyDescription", "RX TORAX PA"}};
  EXPECT_EQ(gate_image(image).anatomy, Anatomy::chest);
}

TEST(PixelGate, GreyImageSavedAsRgbIsNotAPhotograph) {
  cv::Mat grey;
  testing::radiograph_like({128, 128}).convertTo(grey, CV_8U, 1.0 / 16);
  PixelImage image;
  cv::cvtColor(grey, image.pixels, cv::COLOR_GRAY2BGR);
  image.format = SourceFormat::jpeg;
  EXPECT_TRUE(gate_image(image).medical);
  EXPECT_EQ(grey_if_achromatic(image.pixels).channels(), 1);
}

TEST(PixelGate, BlankPagesAreRejected) {
  PixelImage image;
  image.pixels = cv::Mat(200, 150, CV_8UC1, cv::Scalar(250));
  cv::putText(image.pixels, "Invoice", {10, 50}, cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(0), 2);
  image.format = SourceFormat::png;
  EXPECT_FALSE(gate_image(image).medical);
}

// A CT slice: padding outside the reconstruction circle and air fill most of the picture with
// one grey level. As a DICOM CT it is medical by its header; the same pixels as a picture file or
// a secondary capture still meet the blank-page rule.
TEST(PixelGate, AcquisitionModalitiesAreNotBlankPages) {
  PixelImage image;
  image.pixels = cv::Mat(256, 256, CV_16SC1, cv::Scalar(-2000));
  cv::circle(image.pixels, cv::Point(128, 128), 60, cv::Scalar(40), cv::FILLED);  // a small body in air
  cv::circle(image.pixels, cv::Point(128, 128), 20, cv::Scalar(900), cv::FILLED);
  image.bits_stored = 12;
  image.format = SourceFormat::dicom;
  image.header["Modality"] = "CT";
  const GateDecision ct = gate_image(image);
  EXPECT_TRUE(ct.medical) << ct.reason;
  image.header["Modality"] = "OT";
  EXPECT_FALSE(gate_image(image).medical);
  image.format = SourceFormat::png;
  image.header.clear();
  EXPECT_FALSE(gate_image(image).medical);
}

}  // namespace
}  // namespace medanon::pixel
