// The object prior's adaptation to a site (mae/prior_adaptation.hpp): its weights move, an object
// (a wire drawn on a site image) still stands out, it writes a prior that ObjectPrior loads with
// its settings recorded, and a rerun with the same settings keeps the file instead of training
// again. What it buys on images it was not tuned on is measured by
// tests/fo_render/report_fo_transfer.sh (docs/foreign-objects.md), not here.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "mae/display_polarity.hpp"
#include "mae/object_prior.hpp"
#include "mae/prior_adaptation.hpp"
#include "mae/radiograph_input.hpp"
#include "mae/torch_save_reader.hpp"
#include "synth/corpus.hpp"
#include "tests/unit/scratch_dir.hpp"
#include "tests/unit/test_world.hpp"

namespace medanon::mae {
namespace {

namespace fs = std::filesystem;

const fs::path& scratch() {
  static const testing::ScratchDir dir("medanon_prior_adaptation");
  return dir.path();
}

// A small site: text-free synth radiographs without objects, as PNGs under <site>/padchest.
const fs::path& site() {
  static const fs::path root = [] {
    synth::SynthJobOptions options;
    options.corpus.count = 10;
    options.corpus.seed = 515;
    options.corpus.size = 256;
    options.corpus.dicom_fraction = 0;
    options.corpus.object_fraction = 0;
    options.corpus.eight_bit_fraction = 0;
    options.corpus.burned_text = false;
    options.bad_files = false;
    options.out = (scratch() / "site").string();
    synth::generate_corpus(options, test_world());
    return scratch() / "site";
  }();
  return root;
}

std::vector<std::string> site_images() {
  std::vector<std::string> images;
  for (const auto& entry : fs::recursive_directory_iterator(site() / "padchest")) {
    if (entry.path().extension() == ".png") images.push_back(fs::relative(entry.path(), site() / "padchest").string());
  }
  std::sort(images.begin(), images.end());
  return images;
}

PriorAdaptationOptions small_options(const std::string& out, int steps) {
  PriorAdaptationOptions o;
  o.base_prior = (fs::path(MEDANON_SOURCE_DIR) / "models" / "fo_prior_synth.pth").string();
  o.out = (scratch() / out).string();
  o.root = (site() / "padchest").string();
  o.images = site_images();
  o.steps = steps;
  o.batch_size = 8;
  o.crop = 64;
  o.object_images = 12;
  o.threads = 1;
  o.device = "cpu";
  o.seed = 3;
  return o;
}

TEST(PriorAdaptation, ChangesThePriorAndKeepsObjects) {
  const auto options = small_options("adapted.pth", 20);
  const PriorAdaptationSummary summary = adapt_object_prior(options, test_world());
  EXPECT_FALSE(summary.reused);
  EXPECT_EQ(summary.steps, 20);
  EXPECT_EQ(summary.site_images, options.images.size());
  EXPECT_GT(summary.object_layers, 6u);  // synth images whose objects show
  EXPECT_TRUE(std::isfinite(summary.first_loss) && std::isfinite(summary.last_loss) && summary.last_loss > 0);
  ASSERT_TRUE(fs::exists(options.out));

  const PyRef config = read_torch_save(options.out)->find("config");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->find("site_steps")->integer, 20);
  EXPECT_EQ(config->find("adapted_from")->text, options.base_prior);
  EXPECT_EQ(config->find("view")->integer, 256);

  ObjectPrior base({options.base_prior, "cpu"}), adapted({options.out, "cpu"});
  const cv::Mat site_image = display_polarity(read_radiograph(options.root + "/" + options.images.front()));
  EXPECT_GT(cv::norm(base.probability(site_image), adapted.probability(site_image), cv::NORM_INF), 1e-3)
      << "the weights did not move";

  // a bright wire across a site image: its pixels still rank above the rest of that image
  cv::Mat pixels = display_polarity(read_radiograph(options.root + "/" + options.images.front()));
  double low = 0, high = 0;
  cv::minMaxLoc(pixels, &low, &high);
  cv::Mat wire = cv::Mat::zeros(pixels.size(), CV_8U);
  cv::line(wire, {pixels.cols / 3, pixels.rows / 5}, {pixels.cols / 2, 4 * pixels.rows / 5}, cv::Scalar(255), 3);
  pixels.setTo(cv::Scalar(high), wire);
  const cv::Mat p = adapted.probability(pixels);
  EXPECT_GT(cv::mean(p, wire)[0], 3 * cv::mean(p, ~wire)[0]) << "the adapted prior lost objects";
}

TEST(PriorAdaptation, ARerunKeepsAnAdaptedPriorWithTheSameSettings) {
  const auto first = small_options("rerun.pth", 2);
  adapt_object_prior(first, test_world());
  const auto written = fs::last_write_time(first.out);
  EXPECT_TRUE(adapt_object_prior(first, test_world()).reused);
  EXPECT_EQ(fs::last_write_time(first.out), written);
  auto more = first;
  more.steps = 3;  // other settings: trained again
  EXPECT_FALSE(adapt_object_prior(more, test_world()).reused);
  EXPECT_EQ(read_torch_save(more.out)->find("config")->find("site_steps")->integer, 3);
  EXPECT_EQ(read_torch_save(more.out)->find("config")->find("object_kinds")->text, "classic");
  auto all_kinds = more;
  all_kinds.all_object_kinds = true;  // other objects pasted in: trained again, and recorded
  const PriorAdaptationSummary summary = adapt_object_prior(all_kinds, test_world());
  EXPECT_FALSE(summary.reused);
  EXPECT_GT(summary.object_layers, 0u);
  EXPECT_EQ(read_torch_save(more.out)->find("config")->find("object_kinds")->text, "all");
  EXPECT_TRUE(adapt_object_prior(all_kinds, test_world()).reused);
}

TEST(PriorAdaptation, BadSettingsAndMissingImagesAreClearErrors) {
  auto o = small_options("bad.pth", 2);
  o.crop = 40;  // not a multiple of 16
  EXPECT_THROW(adapt_object_prior(o, test_world()), UsageError);
  o = small_options("bad.pth", 2);
  o.images = {"no/such.png"};
  EXPECT_THROW(adapt_object_prior(o, test_world()), InputError);
  o = small_options("bad.pth", 2);
  o.base_prior = (scratch() / "missing.pth").string();
  EXPECT_THROW(adapt_object_prior(o, test_world()), InputError);
  EXPECT_FALSE(fs::exists(scratch() / "bad.pth"));
}

}  // namespace
}  // namespace medanon::mae
