// Stage 2 on pictures no part of medanon made: the photographs, text pages and medical colour
// images that Debian's python3-skimage ships (skimage.data), exported once per run by the
// system interpreter. Greyscale photographs and scanned documents are turned away; a fundus
// photograph and a stained-tissue slide are medical; synth radiographs at 8 bits still pass.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "pixel/image_validation.hpp"
#include "pixel/medical_gate.hpp"
#include "tests/unit/scratch_dir.hpp"

namespace medanon::pixel {
namespace {

namespace fs = std::filesystem;

// Writes skimage.data's pictures as 8-bit PNGs (grey ones as one channel); empty when
// python3-skimage is missing.
fs::path skimage_pictures() {
  static const medanon::testing::ScratchDir scratch("medanon_skimage");
  static const fs::path folder = [] {
    const fs::path& out = scratch.path();
    const std::string script =
        "import sys, numpy as np\n"
        "from PIL import Image\n"
        "import skimage.data as d\n"
        "for name in "
        "['page','text','camera','coins','moon','brick','grass','gravel','retina','immunohistochemistry']:\n"
        "    x = getattr(d, name)()\n"
        "    x = (x * 255).astype(np.uint8) if x.dtype == bool else x.astype(np.uint8)\n"
        "    Image.fromarray(x[..., :3] if x.ndim == 3 else x).save(sys.argv[1] + '/' + name + '.png')\n";
    const fs::path script_path = out / "export.py";
    FILE* file = std::fopen(script_path.c_str(), "w");
    std::fputs(script.c_str(), file);
    std::fclose(file);
    const std::string command = "/usr/bin/python3 " + script_path.string() + " " + out.string() + " 2>/dev/null";
    return std::system(command.c_str()) == 0 ? out : fs::path();
  }();
  return folder;
}

GateDecision gate_file(const fs::path& path) {
  const ReadResult read = read_and_validate(path.string());
  EXPECT_TRUE(read.ok) << path << ": " << read.reason;
  return gate_image(read.image);
}

TEST(PixelGateRealImages, GreyscalePhotographsAndScannedPagesAreNotMedical) {
  const fs::path pictures = skimage_pictures();
  if (pictures.empty()) GTEST_SKIP() << "python3-skimage not installed (scripts/install-deps.sh installs it)";
  for (const char* name : {"page", "text", "coins", "brick", "grass", "gravel"}) {
    const GateDecision decision = gate_file(pictures / (std::string(name) + ".png"));
    EXPECT_FALSE(decision.medical) << name << " passed the gate: " << decision.reason;
  }
}

TEST(PixelGateRealImages, FundusAndHistologyColourImagesAreMedical) {
  const fs::path pictures = skimage_pictures();
  if (pictures.empty()) GTEST_SKIP() << "python3-skimage not installed (scripts/install-deps.sh installs it)";
  for (const char* name : {"retina", "immunohistochemistry"}) {
    const GateDecision decision = gate_file(pictures / (std::string(name) + ".png"));
    EXPECT_TRUE(decision.medical) << name << " rejected: " << decision.reason;
  }
}

// Procedural colour medical images: an H&E-like slide (pink eosin, purple nuclei on white) and
// a colour ultrasound (grey sector with a red/blue Doppler box).
TEST(PixelGateRealImages, ProceduralHistologyAndDopplerAreMedical) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> where(0, 383);
  PixelImage slide;
  slide.format = SourceFormat::png;
  slide.pixels = cv::Mat(384, 384, CV_8UC3, cv::Scalar(245, 240, 248));
  for (int i = 0; i < 60; ++i)
    cv::ellipse(slide.pixels, {where(rng), where(rng)}, {30, 18}, where(rng), 0, 360, cv::Scalar(200, 130, 230), -1);
  for (int i = 0; i < 300; ++i) cv::circle(slide.pixels, {where(rng), where(rng)}, 4, cv::Scalar(150, 60, 110), -1);
  const GateDecision histology = gate_image(slide);
  EXPECT_TRUE(histology.medical) << histology.reason;

  PixelImage doppler;
  doppler.format = SourceFormat::png;
  doppler.pixels = cv::Mat::zeros(384, 384, CV_8UC3);
  cv::ellipse(doppler.pixels, {192, 0}, {340, 340}, 0, 55, 125, cv::Scalar(90, 90, 90), -1);
  cv::rectangle(doppler.pixels, {170, 150, 30, 20}, cv::Scalar(0, 0, 220), -1);
  cv::rectangle(doppler.pixels, {200, 150, 20, 20}, cv::Scalar(220, 0, 0), -1);
  const GateDecision ultrasound = gate_image(doppler);
  EXPECT_TRUE(ultrasound.medical) << ultrasound.reason;
}

}  // namespace
}  // namespace medanon::pixel
