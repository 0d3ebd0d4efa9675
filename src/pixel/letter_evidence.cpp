#include "pixel/letter_evidence.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

#include "pixel/constant_ink.hpp"
#include "pixel/stroke_text_detector.hpp"

namespace medanon::pixel {
namespace {

// The median of an 8-bit image.
int median_level(const cv::Mat& values) {
  int histogram[256] = {};
  for (int y = 0; y < values.rows; ++y) {
    const auto* row = values.ptr<std::uint8_t>(y);
    for (int x = 0; x < values.cols; ++x) ++histogram[row[x]];
  }
  const long long half = static_cast<long long>(values.total()) / 2;
  long long seen = 0;
  for (int v = 0; v < 256; ++v) {
    if ((seen += histogram[v]) > half) return v;
  }
  return 255;
}

double letter_widths(const cv::Mat& around, const cv::Rect& box) {
  const cv::Mat response = around(box);
  const int box_height = box.height;
  cv::Mat binary;
  const double otsu = cv::threshold(response, binary, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  // Most of the window around a DB box is background: its median response is the noise's
  // (a top-hat over noise has a median of about 0.67 sigma). Texture split by Otsu alone would
  // always give "strokes"; letters stand out of it by 2.5 sigmas at least (4 is too strict for
  // anti-aliased 11-px letters at 0.1 contrast).
  const double floor = std::max(4.0, 2.5 * 1.5 * std::max(1, median_level(around)));
  if (otsu < floor) cv::threshold(response, binary, floor, 255, cv::THRESH_BINARY);
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(binary, labels, stats, centroids, 8, CV_32S);
  std::vector<cv::Rect> letters;
  for (int i = 1; i < count; ++i) {
    const cv::Rect part(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                        stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    const double fill = static_cast<double>(stats.at<int>(i, cv::CC_STAT_AREA)) / part.area();
    if (part.height < 0.25 * box_height || fill < 0.1 || fill > 0.9) continue;
    letters.push_back(part);
  }
  if (letters.empty()) return 0;
  // One row: the letters whose middles lie within a quarter of the box's height of the median
  // middle, and whose heights are within 2x of the median height.
  std::vector<int> middles, heights;
  for (const cv::Rect& l : letters) middles.push_back(l.y + l.height / 2), heights.push_back(l.height);
  std::nth_element(middles.begin(), middles.begin() + static_cast<long>(middles.size() / 2), middles.end());
  std::nth_element(heights.begin(), heights.begin() + static_cast<long>(heights.size() / 2), heights.end());
  const int middle = middles[middles.size() / 2], height = heights[heights.size() / 2];
  double widths = 0;
  for (const cv::Rect& l : letters) {
    if (std::abs(l.y + l.height / 2 - middle) > box_height / 4 || l.height * 2 < height || l.height > 2 * height) continue;
    widths += std::max(1.0, l.width / (0.7 * height));
  }
  return widths;
}

}  // namespace

double letter_widths_in_box(const cv::Mat& grey, const cv::Rect& box_in) {
  const cv::Rect whole(0, 0, grey.cols, grey.rows);
  const cv::Rect box = box_in & whole;
  if (box.width < 4 || box.height < 4) return 0;
  // Wider than a stroke (at most a fifth of a letter's height, and the box is about as tall as
  // the letters), narrower than the blobs of texture the network takes for words: those are
  // smooth and half a letter or more across, so the top-hat leaves nothing of them.
  const int element = std::max(3, box.height / 4) | 1;
  const cv::Rect window = cv::Rect(box.x - element, box.y - element, box.width + 2 * element, box.height + 2 * element) & whole;
  double best = 0;
  for (Polarity polarity : {Polarity::bright, Polarity::dark}) {
    best = std::max(best, letter_widths(stroke_response(grey(window), polarity, element), box - window.tl()));
  }
  return best;
}

int ink_letters_in_box(const cv::Mat& stored, const cv::Rect& box_in) {
  const cv::Rect box = box_in & cv::Rect(0, 0, stored.cols, stored.rows);
  if (box.height < 8) return 0;
  // DB's unclipped box is a little taller than the letters it holds.
  const InkLetters ink = constant_ink_letters(stored, box, std::max(4, box.height / 3), box.height * 13 / 10);
  return ink.count >= 2 ? ink.count : 0;
}

bool shows_letters(const LearnedBox& box) { return box.letters < 0 || box.letters >= 1; }

}  // namespace medanon::pixel
