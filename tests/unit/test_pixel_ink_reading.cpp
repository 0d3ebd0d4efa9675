// Issue #13, technical words kept: a border line read again from its constant ink
// (ink_reading.hpp), and which of the detectors' words that reading replaces.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "pixel/constant_ink.hpp"
#include "pixel/ink_reading.hpp"

namespace medanon::pixel {
namespace {

TextDetection detected(cv::Rect box, std::string text, float confidence) {
  TextDetection word;
  word.box = box;
  word.text = std::move(text);
  word.confidence = confidence;
  word.in_border = true;
  return word;
}

OcrWord read(cv::Rect box, std::string text, float confidence) { return {std::move(text), box, confidence}; }

// PORTABLE in white letters of one stored value across a bright band of bone: in the view the
// band breaks the letters; on the page of its ink the word is whole.
TEST(InkReading, ReadsALineWholeAcrossBrightBone) {
  cv::Mat pixels(160, 600, CV_16UC1);
  cv::RNG rng(7);
  rng.fill(pixels, cv::RNG::NORMAL, 2000, 150);
  cv::Mat bone(pixels.size(), CV_16UC1, cv::Scalar(0));
  cv::rectangle(bone, cv::Rect(230, 0, 120, 160), cv::Scalar(9000), cv::FILLED);
  cv::GaussianBlur(bone, bone, {0, 0}, 20);
  pixels += bone;
  cv::putText(pixels, "PORTABLE", {120, 100}, cv::FONT_HERSHEY_TRIPLEX, 1.5, cv::Scalar(11000), 3, cv::LINE_AA);
  PixelImage image;
  image.pixels = pixels;
  image.bits_stored = 16;
  // As the detectors left it: two readings of pieces and an unread stretch between them.
  const std::vector<TextDetection> words = {detected({118, 62, 100, 42}, "POR", 90), detected({218, 62, 110, 42}, "", -1),
                                            detected({328, 62, 80, 42}, "LE", 92)};
  TesseractReader reader;
  const std::vector<OcrWord> reading = read_line_by_ink(image, words, 24, reader);
  ASSERT_EQ(reading.size(), 1u);
  EXPECT_EQ(reading[0].text, "PORTABLE");
  const std::vector<TextDetection> merged = merge_ink_reading(words, reading);
  const auto portable = std::find_if(merged.begin(), merged.end(), [](const TextDetection& w) { return w.text == "PORTABLE"; });
  ASSERT_NE(portable, merged.end());
  EXPECT_TRUE(portable->in_border);
  // The detected stretch is still marked, to within a third of a letter height (too narrow for
  // a character).
  cv::Rect marked;
  for (const TextDetection& word : merged) marked |= word.box;
  EXPECT_LE(marked.x, 118 + 14);
  EXPECT_GE(marked.br().x, 408 - 14);
  EXPECT_LE(marked.y, 62);
  EXPECT_GE(marked.br().y, 104);

  // Without constant ink (noise over the letters, as after lossy compression) there is no page.
  cv::Mat noise(pixels.size(), CV_16UC1);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 3);
  image.pixels = pixels + noise;
  EXPECT_TRUE(read_line_by_ink(image, words, 24, reader).empty());
}

// Grey letters drawn anti-aliased on a grey plate hold no one value of their own: the plate
// does. The plate straddles a shutter edge (bright noise above, dark anatomy below), as vendor
// markers do where the collimator cuts the top of the image.
TEST(InkReading, ReadsGreyLettersOnAPlateAcrossAShutterEdge) {
  cv::Mat pixels(160, 700, CV_16UC1);
  cv::RNG rng(11);
  rng.fill(pixels, cv::RNG::NORMAL, 1500, 120);
  cv::Mat bright(70, 700, CV_16UC1);
  rng.fill(bright, cv::RNG::NORMAL, 15000, 300);
  bright.copyTo(pixels(cv::Rect(0, 0, 700, 70)));
  // The letters at four times the size, then averaged down: their edges and thin strokes take
  // every value between letter and plate.
  const cv::Rect plate(150, 40, 400, 60);
  cv::Mat large(plate.height * 4, plate.width * 4, CV_8UC1, cv::Scalar(255));
  cv::putText(large, "SEMI-ERECT", {40, 200}, cv::FONT_HERSHEY_SIMPLEX, 5.2, cv::Scalar(0), 7, cv::LINE_AA);
  cv::Mat small;
  cv::resize(large, small, plate.size(), 0, 0, cv::INTER_AREA);
  small.convertTo(small, CV_16UC1, (10937.0 - 6000.0) / 255.0, 6000.0);
  // Shaded letters: their fully covered pixels spread over a few values too.
  cv::Mat shade(small.size(), CV_16UC1);
  rng.fill(shade, cv::RNG::UNIFORM, 0, 4);
  cv::add(small, shade, small, small != 10937);
  small.copyTo(pixels(plate));
  PixelImage image;
  image.pixels = pixels;
  image.bits_stored = 16;
  ASSERT_LT(constant_ink_letters(pixels, plate, 10, 60).count, 2);  // the letters' own ink: none
  // The detectors read the word in pieces, the first running off the plate over the shutter edge.
  const std::vector<TextDetection> words = {detected({80, 45, 230, 50}, "\"SEMI", 39), detected({310, 45, 230, 50}, "ERECT", 28)};
  TesseractReader reader;
  const std::vector<OcrWord> reading = read_line_by_ink(image, words, 24, reader);
  std::string read;
  for (const OcrWord& word : reading) read += word.text;
  // The hyphen may come back as a dash (UTF-8), the letters may not differ.
  EXPECT_EQ(read.substr(0, 4), "SEMI");
  EXPECT_GE(read.size(), 9u);
  EXPECT_EQ(read.substr(read.size() - 5), "ERECT");

  // Noise over the plate (a lossy codec): no plate, no page.
  cv::Mat noise(pixels.size(), CV_16UC1);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 3);
  image.pixels = pixels + noise;
  EXPECT_TRUE(read_line_by_ink(image, words, 24, reader).empty());
}

// A label and its value in two greys (as the independent renderer draws `KVP 125`), detected
// as one word and read `au`: both inks are on the page, and the two readings replace the word.
TEST(InkReading, ReadsALabelAndItsValueInTwoInks) {
  cv::Mat pixels(120, 600, CV_16UC1);
  cv::RNG rng(5);
  rng.fill(pixels, cv::RNG::NORMAL, 400, 60);
  int baseline = 0;
  const int label = cv::getTextSize("KVP ", cv::FONT_HERSHEY_TRIPLEX, 1.5, 3, &baseline).width;
  cv::putText(pixels, "KVP", {100, 80}, cv::FONT_HERSHEY_TRIPLEX, 1.5, cv::Scalar(8037), 3, cv::LINE_AA);
  cv::putText(pixels, "125", {100 + label, 80}, cv::FONT_HERSHEY_TRIPLEX, 1.5, cv::Scalar(8090), 3, cv::LINE_AA);
  PixelImage image;
  image.pixels = pixels;
  image.bits_stored = 16;
  const std::vector<TextDetection> words = {detected({96, 42, label + 100, 42}, "au", 39)};
  TesseractReader reader;
  const std::vector<OcrWord> reading = read_line_by_ink(image, words, 24, reader);
  std::string read;
  for (const OcrWord& word : reading) read += word.text + " ";
  EXPECT_EQ(read, "KVP 125 ");
  const std::vector<TextDetection> merged = merge_ink_reading(words, reading);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].text, "KVP");
  EXPECT_EQ(merged[1].text, "125");
  EXPECT_LE(merged[0].box.x, 100);
  EXPECT_GE(merged[1].box.br().x, 100 + label + 60);
}

TEST(InkReading, ReadingsShareOutAWordOnlyWhenTheyCoverItAll) {
  const std::vector<TextDetection> word = {detected({100, 10, 150, 30}, "au", 39)};
  const std::vector<OcrWord> both = {read({98, 12, 75, 26}, "KVP", 96), read({188, 12, 56, 26}, "125", 95)};
  const std::vector<TextDetection> split = merge_ink_reading(word, both);
  ASSERT_EQ(split.size(), 2u);
  EXPECT_EQ(split[0].text, "KVP");
  EXPECT_EQ(split[0].box, cv::Rect(98, 10, 75, 30));  // its columns, the word's rows
  EXPECT_EQ(split[1].text, "125");
  // A stretch between two readings wider than a space was not read (an initial, a name): the
  // word stays whole, and is filled whole.
  const std::vector<TextDetection> name = {detected({100, 10, 300, 30}, "Dr Lnm 12", 30)};
  EXPECT_EQ(merge_ink_reading(name, {read({100, 12, 40, 26}, "Dr.", 90), read({370, 12, 28, 26}, "12", 90)})[0].text,
            "Dr Lnm 12");
  // Nor when the readings do not reach the word's end, or are worth less than it.
  EXPECT_EQ(merge_ink_reading(word, {both[0], read({188, 12, 20, 26}, "12", 95)})[0].text, "au");
  const std::vector<TextDetection> sure = {detected({100, 10, 150, 30}, "KVP125", 95)};
  EXPECT_EQ(merge_ink_reading(sure, {read({98, 12, 75, 26}, "KVP", 50), read({188, 12, 56, 26}, "125", 50)})[0].text,
            "KVP125");
}

TEST(InkReading, AReadingReplacesOnlyWordsItHoldsAndIsSurerOf) {
  // An unread stroke word across a label and its value is wider than each reading: it stays,
  // and is still filled; the label's own reading, surer than Tesseract's first, replaces it.
  const std::vector<TextDetection> line = {detected({100, 10, 220, 30}, "", -1), detected({100, 12, 45, 20}, "Dale", 60)};
  const std::vector<TextDetection> merged = merge_ink_reading(line, {read({100, 12, 44, 20}, "Date", 90), read({160, 12, 150, 20}, "20180702", 80)});
  ASSERT_EQ(merged.size(), 2u);
  const bool unread_first = merged[0].confidence < 0;
  const TextDetection& wide = merged[unread_first ? 0 : 1];
  const TextDetection& label = merged[unread_first ? 1 : 0];
  EXPECT_EQ(wide.box, cv::Rect(100, 10, 220, 30));
  EXPECT_EQ(wide.text, "");
  EXPECT_EQ(label.text, "Date");
  EXPECT_EQ(label.confidence, 90);

  // A reading less sure than the word it would replace leaves it.
  const std::vector<TextDetection> sure = {detected({10, 10, 60, 20}, "mAs", 80)};
  EXPECT_EQ(merge_ink_reading(sure, {read({10, 10, 62, 20}, "InAs", 74)})[0].text, "mAs");
  // One or two characters (a marker's page) never replace: the marker rule keeps the glyph.
  const std::vector<TextDetection> marker = {detected({10, 10, 60, 50}, "", -1)};
  EXPECT_EQ(merge_ink_reading(marker, {read({10, 10, 60, 50}, "NA", 65)})[0].text, "");
  // Pieces of a word, one read as surely as the whole: the whole is worth more.
  const std::vector<TextDetection> pieces = {detected({10, 10, 40, 20}, "POR", 96), detected({50, 10, 40, 20}, "", -1),
                                             detected({90, 10, 25, 20}, "LE", 97)};
  const std::vector<TextDetection> whole = merge_ink_reading(pieces, {read({10, 10, 105, 20}, "PORTABLE", 96)});
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].box, cv::Rect(10, 10, 105, 20));
  EXPECT_EQ(whole[0].text, "PORTABLE");
  // A label read from a detected word that ran into the date after it replaces nothing: the
  // detected word, unread, is filled with the date.
  const std::vector<TextDetection> born = {detected({37, 25, 88, 15}, "Bom: 2", 40)};
  const std::vector<TextDetection> kept = merge_ink_reading(born, {read({39, 26, 60, 12}, "Born:", 93)});
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].text, "Bom: 2");
  // A reading over no detected word is left out: the ink reading reads again, it does not detect.
  EXPECT_EQ(merge_ink_reading(sure, {read({200, 10, 60, 20}, "KVP", 95)}).size(), 1u);
}

}  // namespace
}  // namespace medanon::pixel
