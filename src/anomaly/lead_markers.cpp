#include "anomaly/lead_markers.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <exception>


namespace medanon::anomaly {
namespace {

constexpr int kPageMargin = 24;  // px of white round a page: Tesseract's line finder wants it

bool is_laterality_letter(const std::string& text) { return text == "L" || text == "R"; }

}  // namespace

std::vector<cv::Mat> marker_pages(const cv::Mat& crop) {
  cv::Mat stretched;
  cv::normalize(crop, stretched, 0, 255, cv::NORM_MINMAX, CV_8U);
  std::vector<cv::Mat> pages;
  // Tesseract reads a lone letter at most sizes and misses it at some (a bare R of 3-px cells:
  // read at 92 from 40 to 160 px, not at all at 96): two sizes, the letter ~35 and ~50 px tall.
  for (const int height : {64, 96}) {
    cv::Mat grey = stretched;
    if (grey.rows < height) {
      const double scale = static_cast<double>(height) / grey.rows;
      cv::resize(stretched, grey, cv::Size(), scale, scale, cv::INTER_CUBIC);
    }
    // The first Otsu split separates tissue from what is brighter: a bare lead letter, or a
    // marker's plastic plate with its letter (or a bone edge beside it); a second split of the
    // brighter part separates the letter from its plate, and would thin a bare letter.
    cv::Mat ignored;
    const double first = cv::threshold(grey, ignored, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    std::vector<std::uint8_t> brighter;
    for (int y = 0; y < grey.rows; ++y) {
      const auto* row = grey.ptr<std::uint8_t>(y);
      for (int x = 0; x < grey.cols; ++x)
        if (row[x] > first) brighter.push_back(row[x]);
    }
    std::vector<double> thresholds;
    if (brighter.size() > 10) {
      const cv::Mat values(static_cast<int>(brighter.size()), 1, CV_8U, brighter.data());
      thresholds.push_back(cv::threshold(values, ignored, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU));
    }
    thresholds.push_back(first);
    for (const double threshold : thresholds) {
      cv::Mat page;
      cv::threshold(grey, page, threshold, 255, cv::THRESH_BINARY_INV);  // the letter black on white
      cv::copyMakeBorder(page, page, kPageMargin, kPageMargin, kPageMargin, kPageMargin, cv::BORDER_CONSTANT, cv::Scalar(255));
      pages.push_back(page);
    }
  }
  return pages;
}

PageLetter page_letter(const cv::Mat& page) {
  PageLetter letter;
  cv::Mat ink = page < 128, labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
  int largest = 0;
  for (int k = 1; k < count; ++k)
    if (largest == 0 || stats.at<int>(k, cv::CC_STAT_AREA) > stats.at<int>(largest, cv::CC_STAT_AREA)) largest = k;
  if (largest == 0) return letter;
  letter.box = cv::Rect(stats.at<int>(largest, cv::CC_STAT_LEFT), stats.at<int>(largest, cv::CC_STAT_TOP),
                        stats.at<int>(largest, cv::CC_STAT_WIDTH), stats.at<int>(largest, cv::CC_STAT_HEIGHT));
  // Ink that reaches the crop's edge (the page's margin) goes on outside it: a rib, the body's
  // outline, a tube, not a letter lying on the film.
  const cv::Rect inside(kPageMargin + 1, kPageMargin + 1, page.cols - 2 * kPageMargin - 2, page.rows - 2 * kPageMargin - 2);
  if ((letter.box & inside) != letter.box) return letter;
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(labels == largest, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  double perimeter = 0;
  for (const auto& contour : contours) perimeter += cv::arcLength(contour, true);
  if (perimeter <= 0) return letter;
  // A band of length l and width w has area l w and perimeter ~2 l: its width is 2 area / perimeter.
  letter.stroke_ratio = 2.0 * stats.at<int>(largest, cv::CC_STAT_AREA) / perimeter / letter.box.height;
  return letter;
}

cv::Mat marker_mask(const std::vector<LeadMarker>& markers, cv::Size size) {
  if (markers.empty()) return cv::Mat();
  cv::Mat mask = cv::Mat::zeros(size, CV_8U);
  for (const LeadMarker& marker : markers) mask(marker.box & cv::Rect(cv::Point(), size)).setTo(255);
  return mask;
}

LeadMarkerReader::LeadMarkerReader(const LeadMarkerOptions& options) : options_(options) {
  if (!options.enabled) {
    reason_ = "off";
    return;
  }
  try {
    reader_ = std::make_unique<pixel::TesseractReader>(options.tesseract);
  } catch (const std::exception& e) {
    reason_ = std::string("unavailable: ") + e.what();
  }
}

LeadMarkerReader::~LeadMarkerReader() = default;

std::vector<LeadMarker> LeadMarkerReader::read(const cv::Mat& image, const cv::Mat& mask) {
  std::vector<LeadMarker> markers;
  if (!reader_ || mask.empty() || cv::countNonZero(mask) == 0) return markers;
  CV_Assert(mask.size() == image.size() && mask.type() == CV_8U && image.channels() == 1);
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(mask > 0, labels, stats, centroids, 8, CV_32S);
  const int shorter = std::min(image.rows, image.cols);
  const cv::Rect whole(cv::Point(), image.size());
  for (int k = 1; k < count; ++k) {
    const cv::Rect box(stats.at<int>(k, cv::CC_STAT_LEFT), stats.at<int>(k, cv::CC_STAT_TOP),
                       stats.at<int>(k, cv::CC_STAT_WIDTH), stats.at<int>(k, cv::CC_STAT_HEIGHT));
    const int side = std::max(box.width, box.height);
    if (side < 3 || side > options_.max_side * shorter) continue;
    // A mask often covers only part of the letter, or the letter and not its plate: the crop
    // reaches 40 % of the component's side round it (2 % of the image at least).
    const int grow = std::max(cvRound(0.4 * side), cvRound(0.02 * shorter));
    const cv::Rect crop = cv::Rect(box.x - grow, box.y - grow, box.width + 2 * grow, box.height + 2 * grow) & whole;
    for (const cv::Mat& page : marker_pages(image(crop))) {
      // A wire bent at a right angle reads L as well; a lead letter's strokes are a sixth of its
      // height. Checked first: it costs a contour, a reading ~5 ms.
      const PageLetter letter = page_letter(page);
      if (letter.stroke_ratio < options_.min_stroke_ratio) continue;
      const std::vector<pixel::OcrWord> words = reader_->read_line(page);
      if (words.size() != 1 || !is_laterality_letter(words[0].text) || words[0].confidence < options_.min_confidence) continue;
      // Left out: the component and the letter, a little grown (the letter's blurred edge), not
      // the whole crop, which can reach an object lying beside the marker.
      const double scale = static_cast<double>(page.rows - 2 * kPageMargin) / crop.height;
      const cv::Rect on_image(crop.x + cvFloor((letter.box.x - kPageMargin) / scale),
                              crop.y + cvFloor((letter.box.y - kPageMargin) / scale), cvCeil(letter.box.width / scale) + 1,
                              cvCeil(letter.box.height / scale) + 1);
      const cv::Rect both = box | on_image;
      const int margin = std::max(2, cvRound(0.1 * std::max(both.width, both.height)));
      markers.push_back({cv::Rect(both.x - margin, both.y - margin, both.width + 2 * margin, both.height + 2 * margin) & whole,
                         words[0].text, words[0].confidence});
      break;
    }
  }
  return markers;
}

}  // namespace medanon::anomaly
