// The corpus as a whole: deterministic plans and pixels, ground truth that matches what was
// drawn, the PadChest CSV and DICOM archive as the pipeline will read them, and bad files that
// really are bad.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/errors.hpp"
#include "input/codecs.hpp"
#include "io/atomic_file.hpp"
#include "synth/corpus.hpp"
#include "synth/dicom_writer.hpp"
#include "synth/radiograph.hpp"
#include "tests/unit/scratch_dir.hpp"
#include "tests/unit/test_world.hpp"

using namespace medanon;
using namespace medanon::synth;
namespace fs = std::filesystem;

namespace {

CorpusOptions small_options(std::uint64_t seed = 42) {
  CorpusOptions o;
  o.count = 16;
  o.seed = seed;
  o.size = 192;
  o.dicom_fraction = 0.5;
  o.object_fraction = 0.6;
  return o;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("medanon_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// Generates one small corpus per test binary run, shared by the read-only tests below.
const fs::path& shared_corpus() {
  static const medanon::testing::ScratchDir scratch("medanon_test_shared_corpus");
  static const fs::path dir = [] {
    const fs::path d = scratch.path();
    SynthJobOptions options;
    options.corpus = small_options();
    options.out = d.string();
    generate_corpus(options, test_world());
    return d;
  }();
  return dir;
}

}  // namespace

TEST(SynthPlan, SameSeedGivesTheSamePlanAndOtherSeedsDiffer) {
  const CorpusPlan a = make_corpus_plan(small_options(1));
  const CorpusPlan b = make_corpus_plan(small_options(1));
  const CorpusPlan c = make_corpus_plan(small_options(2));
  ASSERT_EQ(a.images.size(), b.images.size());
  for (size_t i = 0; i < a.images.size(); ++i) {
    EXPECT_EQ(a.images[i].relative_path, b.images[i].relative_path);
    EXPECT_EQ(a.images[i].sop_instance_uid, b.images[i].sop_instance_uid);
  }
  EXPECT_NE(a.images[0].relative_path, c.images[0].relative_path);
}

// --object-kinds all adds kinds without moving the classic corpora: the classic plan draws only
// the ten classic kinds, and the wider one also draws the new ones.
TEST(SynthPlan, AllObjectKindsAddTheNewKindsOnlyWhenAsked) {
  const auto is_classic = [](ObjectKind kind) {
    return static_cast<int>(kind) <= static_cast<int>(ObjectKind::ring);
  };
  CorpusOptions o = small_options(5);
  o.count = 200;
  o.object_fraction = 1;
  int classic_new = 0, all_new = 0;
  for (const auto& image : make_corpus_plan(o).images)
    classic_new += static_cast<int>(std::count_if(image.objects.begin(), image.objects.end(),
                                                  [&](ObjectKind k) { return !is_classic(k); }));
  o.all_object_kinds = true;
  std::set<ObjectKind> seen;
  for (const auto& image : make_corpus_plan(o).images) {
    for (ObjectKind k : image.objects) {
      seen.insert(k);
      all_new += is_classic(k) ? 0 : 1;
    }
  }
  EXPECT_EQ(classic_new, 0);
  EXPECT_GT(all_new, 60);
  EXPECT_EQ(seen.size(), 18u);
}

TEST(SynthPlan, ArchiveCoversEveryTransferSyntaxAndSharesPatientsAcrossImages) {
  CorpusOptions o = small_options();
  o.count = 60;
  const CorpusPlan plan = make_corpus_plan(o);
  std::set<std::string> syntaxes;
  std::map<int, int> images_per_patient;
  std::map<int, std::set<int>> series_per_study;
  for (const auto& image : plan.images) {
    images_per_patient[image.patient]++;
    if (image.layout == Layout::dicom) {
      syntaxes.insert(image.transfer_syntax);
      series_per_study[image.study].insert(image.series);
      if (image.transfer_syntax == kJpegBaseline) {
        EXPECT_EQ(image.bits_stored, 8);
      }
    }
  }
  EXPECT_EQ(syntaxes.size(), all_transfer_syntaxes().size());
  int multi_image_patients = 0;
  for (const auto& [patient, count] : images_per_patient) multi_image_patients += count > 1;
  EXPECT_GE(multi_image_patients, 5);
  int multi_series_studies = 0;
  for (const auto& [study, series] : series_per_study) multi_series_studies += series.size() > 1;
  EXPECT_GE(multi_series_studies, 1);
}

TEST(SynthPlan, RejectsOptionsOutOfRange) {
  CorpusOptions o = small_options();
  o.count = 0;
  EXPECT_THROW(validate(o), UsageError);
  o = small_options();
  o.dicom_fraction = 1.5;
  EXPECT_THROW(validate(o), UsageError);
}

TEST(SynthRadiograph, RenderingTwiceGivesIdenticalPixels) {
  const CorpusPlan plan = make_corpus_plan(small_options());
  for (int i : {0, 9}) {
    const RenderedImage a = render_radiograph(plan, plan.images[static_cast<size_t>(i)]);
    const RenderedImage b = render_radiograph(plan, plan.images[static_cast<size_t>(i)]);
    ASSERT_EQ(a.pixels.type(), b.pixels.type());
    EXPECT_EQ(cv::norm(a.pixels, b.pixels, cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(a.object_mask, b.object_mask, cv::NORM_INF), 0.0);
  }
}

TEST(SynthRadiograph, PixelsRespectTheStoredBitDepth) {
  const CorpusPlan plan = make_corpus_plan(small_options());
  for (const auto& image : plan.images) {
    const RenderedImage r = render_radiograph(plan, image);
    double lo = 0, hi = 0;
    cv::minMaxLoc(r.pixels, &lo, &hi);
    EXPECT_LE(hi, max_value_for_bits(image.bits_stored)) << image.index;
    EXPECT_EQ(r.pixels.depth(), image.bits_stored <= 8 ? CV_8U : CV_16U);
    EXPECT_GT(hi - lo, 0.3 * max_value_for_bits(image.bits_stored)) << "image " << image.index << " has little contrast";
  }
}

TEST(SynthRadiograph, ObjectMaskMarksExactlyThePixelsTheObjectsChanged) {
  const CorpusPlan plan = make_corpus_plan(small_options());
  int images_checked = 0;
  for (const auto& image : plan.images) {
    if (image.objects.empty()) continue;
    const RenderedImage with = render_radiograph(plan, image, {true, false, true});
    const RenderedImage without = render_radiograph(plan, image, {false, false, true});
    cv::Mat changed;
    cv::compare(with.pixels, without.pixels, changed, cv::CMP_NE);
    ASSERT_GT(cv::countNonZero(with.object_mask), 0) << image.index;
    // No pixel outside the mask changed...
    EXPECT_EQ(cv::countNonZero(changed & ~with.object_mask), 0) << image.index;
    // ...and nearly every mask pixel did (a few saturate in both renderings).
    const double changed_share =
        static_cast<double>(cv::countNonZero(changed & with.object_mask)) / cv::countNonZero(with.object_mask);
    EXPECT_GT(changed_share, 0.9) << image.index;
    ++images_checked;
  }
  EXPECT_GE(images_checked, 3);
}

TEST(SynthRadiograph, EveryTextBoxHoldsChangedPixelsAndLabelsFollowTheObjects) {
  const CorpusPlan plan = make_corpus_plan(small_options());
  int boxes = 0;
  for (const auto& image : plan.images) {
    const RenderedImage with = render_radiograph(plan, image, {true, true, true});
    const RenderedImage without = render_radiograph(plan, image, {true, false, true});
    cv::Mat changed;
    cv::compare(with.pixels, without.pixels, changed, cv::CMP_NE);
    for (const auto& box : with.text) {
      ASSERT_EQ(box.box & cv::Rect(0, 0, with.pixels.cols, with.pixels.rows), box.box) << box.text;
      EXPECT_GT(cv::countNonZero(changed(box.box)), 0) << "word '" << box.text << "' in image " << image.index;
      ++boxes;
    }
    if (with.objects.empty()) {
      EXPECT_TRUE(with.labels == std::vector<std::string>{"normal"} ||
                  with.labels == std::vector<std::string>{"cardiomegaly"});
    } else {
      EXPECT_EQ(std::count(with.labels.begin(), with.labels.end(), "normal"), 0);
    }
  }
  EXPECT_GT(boxes, 10);
}

TEST(SynthCorpus, GroundTruthListsEveryFileAndItsMaskMatchesTheImage) {
  const fs::path& root = shared_corpus();
  const auto truth = read_json(root / "ground_truth.json");
  ASSERT_EQ(truth.at("images").size(), 16u);
  int index = 0;
  for (const auto& record : truth.at("images")) {
    EXPECT_EQ(record.at("index").get<int>(), index++);
    const fs::path image_path = root / record.at("path").get<std::string>();
    ASSERT_TRUE(fs::exists(image_path)) << image_path;
    const cv::Mat mask = cv::imread((root / record.at("foreign_object_mask").get<std::string>()).string(), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(mask.empty());
    EXPECT_EQ(mask.cols, record.at("width").get<int>());
    EXPECT_EQ(mask.rows, record.at("height").get<int>());
    EXPECT_EQ(cv::countNonZero(mask), record.at("foreign_object_pixels").get<int>());
    EXPECT_EQ(record.at("has_foreign_object").get<bool>(), cv::countNonZero(mask) > 0);
    if (record.at("layout") == "padchest") {
      const cv::Mat png = cv::imread(image_path.string(), cv::IMREAD_UNCHANGED);
      ASSERT_FALSE(png.empty());
      EXPECT_EQ(png.depth(), record.at("bits_stored").get<int>() <= 8 ? CV_8U : CV_16U);
    }
  }
  // No temporary files survive a completed run.
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    EXPECT_EQ(entry.path().string().find(".medanon-tmp."), std::string::npos) << entry.path();
  }
}

TEST(SynthCorpus, PadChestCsvHasTheOriginalColumnsAndPythonListLabels) {
  const fs::path& root = shared_corpus();
  std::ifstream csv(root / "padchest" / "padchest_labels.csv");
  std::string header;
  std::getline(csv, header);
  for (const char* column : {"ImageID", "ImageDir", "PatientID", "StudyDate_DICOM", "Projection", "Labels"}) {
    EXPECT_NE(header.find(column), std::string::npos) << column;
  }
  const auto truth = read_json(root / "ground_truth.json");
  int rows = 0;
  std::string line;
  while (std::getline(csv, line)) {
    ++rows;
    // Labels is a Python list literal; quoted by the CSV only when it holds a comma.
    const auto open = line.find("['");
    ASSERT_NE(open, std::string::npos) << line;
    EXPECT_NE(line.find("']", open), std::string::npos) << line;
  }
  int padchest_images = 0;
  for (const auto& record : truth.at("images")) padchest_images += record.at("layout") == "padchest";
  EXPECT_EQ(rows, padchest_images);
}

TEST(SynthCorpus, DicomFilesCarryThePlantedHeaderPhiInTheirTransferSyntax) {
  const fs::path& root = shared_corpus();
  input::register_codecs();
  const auto truth = read_json(root / "ground_truth.json");
  int files = 0;
  for (const auto& record : truth.at("images")) {
    if (record.at("layout") != "dicom") continue;
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile((root / record.at("path").get<std::string>()).string().c_str()).good());
    OFString name, patient_id, sop_uid;
    file.getDataset()->findAndGetOFString(DCM_PatientName, name);
    file.getDataset()->findAndGetOFString(DCM_PatientID, patient_id);
    EXPECT_EQ(std::string(name.c_str()), record.at("phi").at("PatientName").get<std::string>());
    EXPECT_EQ(std::string(patient_id.c_str()), record.at("phi").at("PatientID").get<std::string>());
    EXPECT_TRUE(record.at("header_phi").get<bool>());
    ++files;
  }
  EXPECT_EQ(files, 8);
}

TEST(SynthCorpus, BadFilesFailToLoadAndThePhotoIsColour) {
  const fs::path& root = shared_corpus();
  const auto truth = read_json(root / "ground_truth.json");
  ASSERT_GE(truth.at("bad_files").size(), 7u);
  for (const auto& bad : truth.at("bad_files")) {
    const fs::path path = root / bad.at("path").get<std::string>();
    ASSERT_TRUE(fs::exists(path)) << path;
    const std::string name = path.filename().string();
    if (path.extension() == ".dcm" && name != "truncated_pixels.dcm" && name != "no_pixel_data.dcm") {
      DcmFileFormat file;
      EXPECT_TRUE(file.loadFile(path.string().c_str()).bad()) << name;
    } else if (name == "no_pixel_data.dcm") {
      DcmFileFormat file;
      ASSERT_TRUE(file.loadFile(path.string().c_str()).good());
      EXPECT_FALSE(file.getDataset()->tagExists(DCM_PixelData));
    } else if (name == "truncated_pixels.dcm") {
      EXPECT_LT(fs::file_size(path), 0.7 * 160 * 192 * 2 + 4096);
    } else if (name == "bad_crc.png") {
      EXPECT_TRUE(cv::imread(path.string(), cv::IMREAD_UNCHANGED).empty());
    } else {
      const cv::Mat photo = cv::imread(path.string(), cv::IMREAD_UNCHANGED);
      ASSERT_FALSE(photo.empty()) << name;
      EXPECT_EQ(photo.channels(), 3);
      EXPECT_EQ(bad.at("expect"), "gate");
    }
  }
}

TEST(SynthCorpus, SameSeedGivesByteIdenticalCorpora) {
  const fs::path first = shared_corpus();
  const fs::path second = fresh_dir("second_corpus");
  SynthJobOptions options;
  options.corpus = small_options();
  options.out = second.string();
  generate_corpus(options, test_world());
  int compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(first)) {
    if (!entry.is_regular_file()) continue;
    const fs::path relative = fs::relative(entry.path(), first);
    ASSERT_TRUE(fs::exists(second / relative)) << relative;
    EXPECT_TRUE(io::read_bytes(entry.path().string()) == io::read_bytes((second / relative).string())) << relative;
    ++compared;
  }
  EXPECT_GT(compared, 40);
  fs::remove_all(second);
}

TEST(SynthCorpus, RefusesToOverwriteAnExistingCorpusUnlessAsked) {
  const fs::path dir = fresh_dir("overwrite");
  SynthJobOptions options;
  options.corpus = small_options();
  options.corpus.count = 2;
  options.out = dir.string();
  options.bad_files = false;
  generate_corpus(options, test_world());
  EXPECT_THROW(generate_corpus(options, test_world()), InputError);
  options.overwrite = true;
  EXPECT_NO_THROW(generate_corpus(options, test_world()));
  fs::remove_all(dir);
}
