// The learned text detector (stage 4a) and the policy around it (issue #13): the ONNX rewrite
// that lets OpenCV 4.6 load PP-OCRv4, DB post-processing as the paper defines it, the detector
// on TrueType text of every font family Debian ships here, the whole-line rule and the anatomy
// guard. Tests that need the fetched model skip, saying so, when it is absent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pixel/learned_band_detection.hpp"
#include "pixel/learned_text_detector.hpp"
#include "pixel/pixel_pipeline.hpp"
#include "pixel/text_policy.hpp"
#include "tests/unit/scratch_dir.hpp"

namespace medanon::pixel {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  static const medanon::testing::ScratchDir root("medanon_learned");
  const fs::path dir = root.path() / name;
  fs::create_directories(dir);
  return dir;
}

int run_python(const std::string& script, const std::string& arguments) {
  const fs::path path = scratch("py") / "script.py";
  std::ofstream(path) << script;
  return std::system(("/usr/bin/python3 " + path.string() + " " + arguments + " 2>&1").c_str());
}

// A 16-bit PNG a render script wrote into `dir`, and the box of its text line (box.json).
struct RenderedLine {
  PixelImage image;
  cv::Rect line;
};

RenderedLine read_rendered_line(const fs::path& dir, const std::string& png) {
  const nlohmann::json box = nlohmann::json::parse(std::ifstream(dir / "box.json"));
  RenderedLine rendered;
  rendered.line = cv::Rect(box[0], box[1], box[2], box[3]);
  rendered.image.bits_stored = 16;
  rendered.image.format = SourceFormat::png;
  rendered.image.pixels = cv::imread((dir / png).string(), cv::IMREAD_UNCHANGED);
  return rendered;
}

std::unique_ptr<LearnedTextDetector> fetched_detector() {
  std::string why_not;
  return LearnedTextDetector::open({}, why_not);
}

#define SKIP_WITHOUT_MODEL(detector)                                                     \
  if (!(detector))                                                                       \
  GTEST_SKIP() << "learned text detector model absent (" << default_learned_model_path() \
               << "): run scripts/install-deps.sh (or scripts/fetch-text-detector.sh) to fetch it"

// A one-node model with opset 11's Clip (bounds as Constant inputs), which OpenCV 4.6 cannot
// use as shipped; the rewrite moves the bounds into attributes and the net then clips.
TEST(LearnedTextDetector, RewriteMovesClipBoundsIntoAttributesSoOpenCvRunsIt) {
  const fs::path dir = scratch("rewrite");
  const std::string make =
      "import sys, numpy as np, onnx\n"
      "from onnx import helper, TensorProto, numpy_helper\n"
      "lo = helper.make_node('Constant', [], ['lo'], value=numpy_helper.from_array(np.array(0.25, np.float32)))\n"
      "hi = helper.make_node('Constant', [], ['hi'], value=numpy_helper.from_array(np.array(0.75, np.float32)))\n"
      "clip = helper.make_node('Clip', ['x', 'lo', 'hi'], ['y'])\n"
      "g = helper.make_graph([lo, hi, clip], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['n', 3, 'h', "
      "'w'])],\n"
      "                      [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['n', 3, 'h', 'w'])])\n"
      "onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 11)]), sys.argv[1])\n";
  if (run_python(make, (dir / "clip.onnx").string()) != 0) GTEST_SKIP() << "python3-onnx not installed";
  const std::string rewrite = std::string(MEDANON_SOURCE_DIR) + "/scripts/rewrite-text-detector.py";
  ASSERT_EQ(std::system(("/usr/bin/python3 " + rewrite + " " + (dir / "clip.onnx").string() + " " +
                         (dir / "clip_opencv.onnx").string())
                            .c_str()),
            0);
  const std::string check =
      "import sys, onnx\n"
      "m = onnx.load(sys.argv[1])\n"
      "clip = [n for n in m.graph.node if n.op_type == 'Clip'][0]\n"
      "assert list(clip.input) == ['x'], clip.input\n"
      "a = {x.name: x.f for x in clip.attribute}\n"
      "assert a == {'min': 0.25, 'max': 0.75}, a\n"
      "d = m.graph.input[0].type.tensor_type.shape.dim\n"
      "assert d[0].dim_value == 1 and d[1].dim_value == 3, d\n"
      "assert not [n for n in m.graph.node if n.op_type == 'Constant']\n";
  ASSERT_EQ(run_python(check, (dir / "clip_opencv.onnx").string()), 0);

  cv::dnn::Net net = cv::dnn::readNetFromONNX((dir / "clip_opencv.onnx").string());
  const int shape[4] = {1, 3, 2, 2};
  cv::Mat input(4, shape, CV_32F);
  const float values[12] = {0, 0.5f, 1, -1, 0.3f, 0.8f, 0.1f, 0.74f, 2, 0.26f, 0.5f, 0.6f};
  std::copy(values, values + 12, input.ptr<float>());
  net.setInput(input);
  const cv::Mat output = net.forward();
  for (int i = 0; i < 12; ++i) EXPECT_FLOAT_EQ(output.ptr<float>()[i], std::clamp(values[i], 0.25f, 0.75f)) << i;
}

// DB's unclip: a kernel of w x h grows by D' = A' r' / L' on every side (r' = 1.5).
TEST(LearnedTextDetector, DbPostProcessingUnclipsTheKernelByAreaTimesRatioOverPerimeter) {
  cv::Mat probability = cv::Mat::zeros(100, 200, CV_32F);
  probability(cv::Rect(50, 40, 80, 10)).setTo(0.9f);  // kernel 80 x 10: D' = 800 * 1.5 / 180 = 6.67
  probability(cv::Rect(10, 80, 30, 6)).setTo(0.4f);   // above the 0.3 threshold, below box score 0.6
  const std::vector<LearnedBox> boxes = db_boxes(probability, LearnedTextOptions{});
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_NEAR(boxes[0].score, 0.9, 1e-4);
  // minAreaRect of the contour spans pixel centres (79 x 9), so D' = 711 * 1.5 / 176 = 6.06;
  // the integer box around the grown rectangle adds up to 1.5 px a side.
  EXPECT_NEAR(boxes[0].box.width, 79 + 2 * 6.06 + 1.5, 1.5);
  EXPECT_NEAR(boxes[0].box.height, 9 + 2 * 6.06 + 1.5, 1.5);
  EXPECT_NEAR(boxes[0].box.x + boxes[0].box.width / 2.0, 89.5, 1.5);
}

// Anti-aliased TrueType text of each font family (FreeType through Pillow), 10-28 px letters,
// bright and dark, on a noisy grey band: the detector finds every line.
TEST(LearnedTextDetector, FindsTrueTypeTextOfEveryFontFamily) {
  auto detector = fetched_detector();
  SKIP_WITHOUT_MODEL(detector);
  const fs::path dir = scratch("fonts");
  const std::string render =
      "import sys, json, numpy as np\n"
      "from PIL import Image, ImageDraw, ImageFont\n"
      "fonts = {'dejavu-sans': 'dejavu/DejaVuSans.ttf', 'dejavu-serif': 'dejavu/DejaVuSerif.ttf',\n"
      "         'liberation-sans': 'liberation/LiberationSans-Regular.ttf', 'liberation-serif': "
      "'liberation/LiberationSerif-Regular.ttf',\n"
      "         'liberation-mono': 'liberation/LiberationMono-Regular.ttf', 'noto-sans': 'noto/NotoSans-Regular.ttf',\n"
      "         'noto-serif': 'noto/NotoSerif-Regular.ttf', 'lato': 'lato/Lato-Regular.ttf'}\n"
      "rng = np.random.default_rng(3); truth = []\n"
      "for i, (family, path) in enumerate(sorted(fonts.items())):\n"
      "    size = [12, 18, 26, 34][i % 4]; bright = i % 2 == 0\n"
      "    band = rng.normal(110, 12, (96, 900)).clip(0, 255)\n"
      "    img = Image.fromarray(band.astype(np.uint8)); d = ImageDraw.Draw(img)\n"
      "    font = ImageFont.truetype('/usr/share/fonts/truetype/' + path, size)\n"
      "    text = 'KOWALCZYK Ingrid 1986-12-13'\n"
      "    d.text((30, 30), text, font=font, fill=230 if bright else 10)\n"
      "    img.save(sys.argv[1] + '/' + family + '.png')\n"
      "    l, t, r, b = d.textbbox((30, 30), text, font=font)\n"
      "    truth.append({'family': family, 'box': [l, t, r - l, b - t]})\n"
      "json.dump(truth, open(sys.argv[1] + '/truth.json', 'w'))\n";
  if (run_python(render, dir.string()) != 0) GTEST_SKIP() << "python3-pil or the fonts-* packages missing";
  const nlohmann::json truth = nlohmann::json::parse(std::ifstream(dir / "truth.json"));
  ASSERT_EQ(truth.size(), 8u);
  for (const auto& sample : truth) {
    const std::string family = sample.at("family");
    const cv::Mat band = cv::imread((dir / (family + ".png")).string(), cv::IMREAD_GRAYSCALE);
    const cv::Rect text(sample["box"][0], sample["box"][1], sample["box"][2], sample["box"][3]);
    int covered = 0;
    cv::Mat mask = cv::Mat::zeros(band.size(), CV_8U);
    for (const LearnedBox& box : detector->detect(band, cv::Rect(0, 0, band.cols, band.rows), 1.0))
      mask(box.box).setTo(1);
    covered = cv::countNonZero(mask(text));
    // Pillow's text box spans the font's whole ascent and descent, more than the ink; the
    // redaction pads the detected boxes in turn.
    EXPECT_GE(covered, 0.85 * text.area())
        << family << ": the learned boxes cover " << covered << " of " << text.area();
  }
}

TextDetection word(cv::Rect box, int line, WordClass word_class, bool in_border, float text_probability = -1) {
  TextDetection detection;
  detection.box = box;
  detection.line = line;
  detection.word_class = word_class;
  detection.phi = word_class == WordClass::phi || word_class == WordClass::unreadable;
  detection.in_border = in_border;
  detection.text_probability = text_probability;
  detection.text = word_class == WordClass::unreadable ? "" : "X";
  return detection;
}

// Zone: 150 px bands of a 1000 x 1000 image.
const BorderGeometry kZone = border_geometry({1000, 1000}, 0.15, 100);

TEST(TextPolicy, APhiLineStartingInTheZoneIsRedactedToItsLastWordPastTheZone) {
  // "MORIARTY PADRAIG 1986" from the left band inward; a technical marker far away stays.
  std::vector<TextDetection> words = {word({20, 500, 100, 20}, 0, WordClass::phi, true),
                                      word({130, 500, 110, 20}, 0, WordClass::unreadable, false),
                                      word({250, 500, 60, 20}, 1, WordClass::unreadable, false),  // broken off: one row
                                      word({600, 500, 60, 20}, 2, WordClass::unreadable, false)};  // far: another line
  PixelOptions options;
  decide_text_actions(words, {}, kZone, options, /*learned_ran=*/false);
  ASSERT_EQ(words.size(), 4u);
  EXPECT_EQ(words[0].action, TextAction::redacted);
  EXPECT_EQ(words[1].action, TextAction::redacted);
  EXPECT_EQ(words[2].action, TextAction::redacted);
  EXPECT_EQ(words[3].action, TextAction::review);  // central text: flagged, never altered

  options.whole_line = false;
  std::vector<TextDetection> words_only = {word({20, 500, 100, 20}, 0, WordClass::phi, true),
                                           word({130, 500, 110, 20}, 0, WordClass::unreadable, false)};
  decide_text_actions(words_only, {}, kZone, options, false);
  EXPECT_EQ(words_only[1].action, TextAction::review);
}

TEST(TextPolicy, ALabelInTheZoneAndItsValuePastItAreOneLineRedactedWhole) {
  // "Date DEC 10, 2019 19:48": the label in the left band, kept; the date starts past the band.
  std::vector<TextDetection> words = {word({20, 500, 100, 20}, 0, WordClass::label, true),
                                      word({170, 500, 80, 20}, 0, WordClass::phi, false),
                                      word({260, 500, 90, 20}, 0, WordClass::phi, false),
                                      word({400, 700, 90, 20}, 1, WordClass::phi, false)};  // central, alone
  decide_text_actions(words, {}, kZone, PixelOptions{}, /*learned_ran=*/true);
  ASSERT_EQ(words.size(), 4u);
  EXPECT_EQ(words[0].action, TextAction::kept);
  EXPECT_EQ(words[1].action, TextAction::redacted);
  EXPECT_EQ(words[2].action, TextAction::redacted);
  EXPECT_EQ(words[3].action, TextAction::review);
  // A label in the zone with no PHI on its row redacts nothing.
  std::vector<TextDetection> label_only = {word({20, 500, 100, 20}, 0, WordClass::label, true),
                                           word({170, 500, 80, 20}, 0, WordClass::technical, false)};
  decide_text_actions(label_only, {}, kZone, PixelOptions{}, true);
  for (const auto& w : label_only) EXPECT_NE(w.action, TextAction::redacted) << w.box;
}

TEST(TextPolicy, ALineWhoseBackgroundChangesUnderItIsStillOneLine) {
  // The stroke detector saw the two halves of one line as two lines (bright text on a dark
  // band, then dark on a white shutter), far apart in letter heights; one learned box spans both.
  std::vector<TextDetection> words = {word({10, 40, 120, 20}, 0, WordClass::phi, true),
                                      word({400, 42, 150, 20}, 1, WordClass::unreadable, false)};
  decide_text_actions(words, {{cv::Rect(0, 30, 560, 40), 0.9f}}, kZone, PixelOptions{}, true);
  ASSERT_EQ(words.size(), 3u);  // the learned box's stretch between them is filled as the line's
  for (const auto& w : words) EXPECT_EQ(w.action, TextAction::redacted) << w.box;
}

TEST(TextPolicy, UnreadRegionsNoDetectorSupportsAreNotFilledLargeOnesAreFlagged) {
  std::vector<TextDetection> words = {
      word({20, 300, 60, 20}, 0, WordClass::unreadable, true),         // a rib edge: dropped
      word({20, 400, 120, 130}, 1, WordClass::unreadable, true),       // a large region: review
      word({20, 600, 120, 20}, 2, WordClass::unreadable, true, 0.8f),  // a learned box supports it
      word({20, 700, 40, 20}, 3, WordClass::technical, true)};         // "PA": kept
  decide_text_actions(words, {}, kZone, PixelOptions{}, /*learned_ran=*/true);
  ASSERT_EQ(words.size(), 3u);
  EXPECT_EQ(words[0].box.y, 400);
  EXPECT_EQ(words[0].action, TextAction::review);
  EXPECT_EQ(words[1].action, TextAction::redacted);
  EXPECT_EQ(words[2].action, TextAction::kept);
}

TEST(CentralReview, CandidatesTheNetworksCentralLinesDoNotSeeAreDroppedNotFlagged) {
  auto central = [](cv::Rect box, WordClass word_class, Detector found_by) {
    TextDetection w = word(box, 0, word_class, /*in_border=*/false);
    w.found_by = found_by;
    w.action = TextAction::review;
    return w;
  };
  std::vector<TextDetection> words = {
      central({400, 400, 60, 16}, WordClass::unreadable, Detector::stroke),   // a rib edge: dropped
      central({400, 500, 60, 16}, WordClass::unreadable, Detector::both),     // read as 'yee': dropped
      central({400, 600, 60, 16}, WordClass::unreadable, Detector::stroke),   // on a network line: flagged
      central({400, 700, 200, 80}, WordClass::unreadable, Detector::stroke),  // large: a person decides
      central({600, 400, 60, 16}, WordClass::phi, Detector::both),            // read with confidence
      central({600, 500, 60, 16}, WordClass::unreadable, Detector::learned),  // a squarish box: dropped
      central({600, 600, 60, 16}, WordClass::unreadable, Detector::learned)}; // a line box: flagged
  words.back().text_probability = 0.9f;
  TextDetection zone_word = word({20, 20, 60, 16}, 1, WordClass::unreadable, /*in_border=*/true);
  zone_word.action = TextAction::redacted;
  words.push_back(zone_word);
  drop_unwitnessed_central_candidates(words, {cv::Rect(380, 596, 200, 24)}, 0.01 * 1000 * 1000);
  std::vector<int> left;
  for (const TextDetection& w : words) left.push_back(w.box.y * 10000 + w.box.x);
  EXPECT_EQ(left, (std::vector<int>{6000400, 7000400, 4000600, 6000600, 200020}));
}

TEST(TextPolicy, AConfidentLearnedBoxNothingAccountsForIsFilledOnlyWhenTheModelRan) {
  // A line-shaped learned box in the top band whose stroke words were dropped, one that a kept
  // technical word holds, and a squarish one (a rib end as often as a letter): only the first
  // is filled.
  const std::vector<LearnedBox> learned = {{cv::Rect(200, 40, 180, 22), 0.95f},
                                           {cv::Rect(600, 40, 60, 22), 0.95f},
                                           {cv::Rect(800, 40, 30, 28), 0.95f}};
  std::vector<TextDetection> words = {word({600, 40, 60, 22}, 0, WordClass::technical, true)};
  decide_text_actions(words, learned, kZone, PixelOptions{}, /*learned_ran=*/true);
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[0].action, TextAction::kept);
  EXPECT_EQ(words[1].box, cv::Rect(200, 40, 180, 22));
  EXPECT_EQ(words[1].action, TextAction::redacted);
  EXPECT_EQ(words[1].found_by, Detector::learned);

  std::vector<TextDetection> degraded = {word({600, 40, 60, 22}, 0, WordClass::technical, true)};
  decide_text_actions(degraded, {}, kZone, PixelOptions{}, /*learned_ran=*/false);
  EXPECT_EQ(degraded.size(), 1u);
}

// A name that starts in the left band of a 1024-px radiograph and runs far past the zone, in
// faint small letters: the band's boxes end at its inner edge, the followed strips find the rest.
TEST(LearnedBands, ALineRunningInwardFromASideBandIsFollowedToItsEnd) {
  auto detector = fetched_detector();
  SKIP_WITHOUT_MODEL(detector);
  const fs::path dir = scratch("inward");
  const std::string render =
      "import sys, json, numpy as np\n"
      "from PIL import Image, ImageDraw, ImageFont\n"
      "rng = np.random.default_rng(5)\n"
      "y, x = np.mgrid[0:1024, 0:1024]\n"
      "body = 20000 + 15000 * np.exp(-((x - 512) / 400.0) ** 2) + rng.normal(0, 600, (1024, 1024))\n"
      "text = Image.new('L', (1024, 1024), 0); d = ImageDraw.Draw(text)\n"
      "font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf', 20)\n"
      "line = 'Name: KOWALCZYK Bartholomew 1986-12-13 St. Teodoro'\n"
      "d.text((40, 500), line, font=font, fill=255)\n"
      "ink = np.asarray(text, dtype=np.float64) / 255\n"
      "img = (body * (1 - ink) + (body + 9000) * ink).clip(0, 65535).astype(np.uint16)\n"
      "Image.fromarray(img).save(sys.argv[1] + '/inward.png')\n"
      "l, t, r, b = d.textbbox((40, 500), line, font=font)\n"
      "json.dump([l, t, r - l, b - t], open(sys.argv[1] + '/box.json', 'w'))\n";
  if (run_python(render, dir.string()) != 0) GTEST_SKIP() << "python3-pil or fonts-dejavu missing";
  const auto [image, line] = read_rendered_line(dir, "inward.png");
  ASSERT_EQ(image.pixels.type(), CV_16UC1);
  const BorderGeometry zone = border_geometry(image.pixels.size(), 0.15, 100);
  ASSERT_GT(line.br().x, 3 * zone.left);  // the line runs well past the band
  const EnhanceOptions enhance;
  const DetectionView view = make_detection_view(image, enhance);
  cv::Mat covered = cv::Mat::zeros(image.pixels.size(), CV_8U);
  int rightmost = 0;
  for (const LearnedBox& found : detect_in_bands(*detector, image, view, zone, enhance, BandDetectionOptions{})) {
    covered(found.box).setTo(1);
    if ((found.box & line).area() > 0) rightmost = std::max(rightmost, found.box.br().x);
  }
  EXPECT_GE(rightmost, line.br().x - line.height) << "the line " << line << " was followed only to x = " << rightmost;
  EXPECT_GE(cv::countNonZero(covered(line)), 0.85 * line.area());
}

// Central text is only flagged, but it must be found: 14 px letters of a 2048-px image are 7 px in
// the detection view, where the stroke detector lost them. The central pass finds the line; the
// ribs beside it (bright arcs, no letters) are not flagged.
TEST(LearnedBands, SmallCentralTextIsFlaggedForReviewRibsAreNot) {
  auto detector = fetched_detector();
  SKIP_WITHOUT_MODEL(detector);
  const fs::path dir = scratch("central");
  const std::string render =
      "import sys, json, numpy as np\n"
      "from PIL import Image, ImageDraw, ImageFont\n"
      "rng = np.random.default_rng(9)\n"
      "y, x = np.mgrid[0:2048, 0:2048]\n"
      "body = 18000 + 14000 * np.exp(-((x - 1024) / 800.0) ** 2) + rng.normal(0, 500, (2048, 2048))\n"
      "for k in range(6):\n"
      "    arc = np.abs(y - (1150 + 90 * k) - 0.0004 * (x - 1500) ** 2) < 9\n"
      "    body = body + 6000 * (arc & (x > 1300))\n"
      "text = Image.new('L', (2048, 2048), 0); d = ImageDraw.Draw(text)\n"
      "font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf', 14)\n"
      "line = 'Date NOV 2, 2018 04:59'\n"
      "d.text((760, 1000), line, font=font, fill=255)\n"
      "ink = np.asarray(text, dtype=np.float64) / 255\n"
      "img = (body * (1 - ink) + (body + 7000) * ink).clip(0, 65535).astype(np.uint16)\n"
      "Image.fromarray(img).save(sys.argv[1] + '/central.png')\n"
      "l, t, r, b = d.textbbox((760, 1000), line, font=font)\n"
      "json.dump([l, t, r - l, b - t], open(sys.argv[1] + '/box.json', 'w'))\n";
  if (run_python(render, dir.string()) != 0) GTEST_SKIP() << "python3-pil or fonts-dejavu missing";
  const auto [image, line] = read_rendered_line(dir, "central.png");
  ASSERT_EQ(image.pixels.type(), CV_16UC1);
  const BorderGeometry zone = border_geometry(image.pixels.size(), 0.15, 100);
  const EnhanceOptions enhance;
  const DetectionView view = make_detection_view(image, enhance);
  std::vector<TextDetection> words;
  flag_central_text(*detector, image, view, zone, words, enhance, BandDetectionOptions{});
  cv::Mat flagged = cv::Mat::zeros(image.pixels.size(), CV_8U);
  for (const TextDetection& word : words) {
    EXPECT_EQ(word.action, TextAction::review);
    EXPECT_EQ((word.box & line).area() > 0, true) << "flagged off the text line: " << word.box;
    flagged(word.box).setTo(1);
  }
  EXPECT_GE(cv::countNonZero(flagged(line)), 0.8 * line.area()) << "the central line " << line << " was not flagged";
  BandDetectionOptions off;
  off.central_size = 0;
  std::vector<TextDetection> none;
  flag_central_text(*detector, image, view, zone, none, enhance, off);
  EXPECT_TRUE(none.empty());
}

TEST(BorderGeometry, TheRedactionZoneScalesWithSmallImages) {
  const BorderGeometry small = border_geometry({256, 256}, 0.15, 100);
  EXPECT_EQ(small.top, 38);  // 15 % of 256; the 100 px margin shrinks to 25 px at this size
  EXPECT_LE(small.top + small.bottom, 0.3 * 256 + 1);
  const BorderGeometry large = border_geometry({2048, 2048}, 0.15, 100);
  EXPECT_EQ(large.top, 307);
  const BorderGeometry strip = border_geometry({1200, 400}, 0.05, 100);
  EXPECT_EQ(strip.top, 39);  // 100 px scaled by 400 / 1024
}

// Rib-like (curved bright bands) and spine-like (a column of bright blocks) patterns in the
// border bands of a smooth 16-bit radiograph: nothing is altered.
TEST(AnatomyGuard, RibAndSpinePatternsInTheBandsStayUntouched) {
  auto detector = fetched_detector();
  SKIP_WITHOUT_MODEL(detector);
  PixelImage image;
  image.bits_stored = 12;
  image.format = SourceFormat::png;
  cv::Mat body(1024, 1024, CV_32F);
  for (int y = 0; y < body.rows; ++y)
    for (int x = 0; x < body.cols; ++x)
      body.at<float>(y, x) = 900.0f + 600.0f * std::exp(-std::pow((x - 512) / 380.0, 2));
  for (int rib = 0; rib < 12; ++rib) {  // ribs sweep through the left and right bands
    for (int side : {-1, 1}) {
      std::vector<cv::Point> curve;
      for (int t = 0; t <= 40; ++t) {
        const double u = t / 40.0;
        curve.emplace_back(512 + side * static_cast<int>(40 + 460 * u),
                           120 + rib * 70 + static_cast<int>(90 * std::sin(u * 2.6)));
      }
      cv::polylines(body, curve, false, cv::Scalar(1800), 14, cv::LINE_AA);
    }
  }
  for (int v = 0; v < 14; ++v)
    cv::rectangle(body, cv::Rect(480, v * 74, 64, 58), cv::Scalar(2300), -1);  // spine, top to bottom band
  cv::GaussianBlur(body, body, cv::Size(0, 0), 2.5);
  cv::Mat noise(body.size(), CV_32F);
  cv::randn(noise, 0, 25);
  body += noise;
  body.convertTo(image.pixels, CV_16U);
  const cv::Mat before = image.pixels.clone();
  PixelPipeline pipeline;
  ASSERT_TRUE(pipeline.degraded().empty()) << pipeline.degraded();
  const PixelResult result = pipeline.process_image(image);
  ASSERT_EQ(result.status, pixel::ImageStatus::processed) << result.reason;
  EXPECT_EQ(cv::countNonZero(before != result.image.pixels), 0) << result.redacted << " words redacted";
}

}  // namespace
}  // namespace medanon::pixel
