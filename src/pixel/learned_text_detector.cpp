#include "pixel/learned_text_detector.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <utility>

namespace medanon::pixel {
namespace {

// PaddleOCR's det preprocessing (NormalizeImage): x / 255, then per channel (x - mean) / std.
constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kStd[3] = {0.229f, 0.224f, 0.225f};

// Network sides must be multiples of 32 (five stride-2 stages); PaddleOCR resizes to the nearest.
int network_side(double side) { return std::max(32, static_cast<int>(std::lround(side / 32.0)) * 32); }

cv::Mat input_blob(const cv::Mat& grey_8bit) {
  const int size[4] = {1, 3, grey_8bit.rows, grey_8bit.cols};
  cv::Mat blob(4, size, CV_32F);
  for (int c = 0; c < 3; ++c) {
    cv::Mat plane(grey_8bit.rows, grey_8bit.cols, CV_32F, blob.ptr<float>(0, c));
    grey_8bit.convertTo(plane, CV_32F, 1.0 / (255.0 * kStd[c]), -kMean[c] / kStd[c]);
  }
  return blob;
}

// Mean probability inside the contour (the paper's box score; PaddleOCR's "slow" mode).
float contour_score(const cv::Mat& probability, const std::vector<cv::Point>& contour) {
  const cv::Rect bounds = cv::boundingRect(contour) & cv::Rect(0, 0, probability.cols, probability.rows);
  if (bounds.empty()) return 0;
  cv::Mat mask = cv::Mat::zeros(bounds.size(), CV_8U);
  std::vector<cv::Point> shifted;
  for (const cv::Point& p : contour) shifted.push_back(p - bounds.tl());
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{shifted}, cv::Scalar(255));
  return static_cast<float>(cv::mean(probability(bounds), mask)[0]);
}

}  // namespace

std::string default_learned_model_path() {
  return (std::filesystem::path(MEDANON_CONFIG_DIR).parent_path() / "models" / "fetched" / "ppocrv4_det_opencv.onnx")
      .string();
}

std::vector<LearnedBox> db_boxes(const cv::Mat& probability, const LearnedTextOptions& options) {
  cv::Mat bitmap = probability > options.probability_threshold;
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(bitmap, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  std::vector<LearnedBox> boxes;
  const cv::Rect whole(0, 0, probability.cols, probability.rows);
  for (const auto& contour : contours) {
    if (contour.size() < 3) continue;
    const cv::RotatedRect kernel = cv::minAreaRect(contour);
    if (std::min(kernel.size.width, kernel.size.height) < options.min_box_side) continue;
    const float score = contour_score(probability, contour);
    if (score < options.box_threshold) continue;
    // The network predicts a kernel shrunk by D = A (1 - r^2) / L; the text region is the kernel
    // offset outwards by D' = A' r' / L' (area and perimeter of the kernel's polygon). Offsetting
    // a rectangle by D' grows each side by D' (Vatti's rounded corners stay within its bounds).
    const double area = static_cast<double>(kernel.size.width) * kernel.size.height;
    const double perimeter = 2.0 * (kernel.size.width + kernel.size.height);
    const float grow = static_cast<float>(area * options.unclip_ratio / std::max(1.0, perimeter));
    const cv::RotatedRect text(kernel.center, cv::Size2f(kernel.size.width + 2 * grow, kernel.size.height + 2 * grow),
                               kernel.angle);
    if (std::min(text.size.width, text.size.height) < options.min_box_side + 2) continue;
    const cv::Rect box = text.boundingRect() & whole;
    // Overlay text runs horizontally: a box much taller than wide is a column of something else
    // (the ribs in a side band look like stacked lines to the network). One letter ("I", "L")
    // stays below the ratio.
    if (box.empty() || box.height > options.max_height_to_width * box.width) continue;
    boxes.push_back({box, score});
  }
  return boxes;
}

struct LearnedTextDetector::Networks {
  std::vector<unsigned char> model;
  std::map<std::pair<int, int>, cv::dnn::Net> by_shape;

  cv::dnn::Net& for_shape(int rows, int cols) {
    auto found = by_shape.find({rows, cols});
    if (found != by_shape.end()) return found->second;
    if (by_shape.size() >= 8) by_shape.clear();  // a corpus of many sizes: bound the memory
    cv::dnn::Net net = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(model.data()), model.size());
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    return by_shape.emplace(std::make_pair(rows, cols), std::move(net)).first->second;
  }
};

LearnedTextDetector::LearnedTextDetector(LearnedTextOptions options, std::string model_path,
                                         std::vector<unsigned char> model)
    : options_(std::move(options)), model_path_(std::move(model_path)), networks_(std::make_unique<Networks>()) {
  networks_->model = std::move(model);
}

LearnedTextDetector::~LearnedTextDetector() = default;

std::unique_ptr<LearnedTextDetector> LearnedTextDetector::open(const LearnedTextOptions& options,
                                                               std::string& why_not) {
  if (!options.enabled) {
    why_not = "learned text detector turned off (--text-detector=false)";
    return nullptr;
  }
  const std::string path = options.model_path.empty() ? default_learned_model_path() : options.model_path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why_not = "learned text detector model not found at " + path + " (run scripts/install-deps.sh to fetch it)";
    return nullptr;
  }
  std::vector<unsigned char> model((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    // Loaded once here so a broken file is reported at start, not on the first image.
    cv::dnn::Net probe = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(model.data()), model.size());
    if (probe.empty()) throw cv::Exception(0, "empty network", "open", __FILE__, __LINE__);
  } catch (const cv::Exception& e) {
    why_not = "learned text detector model at " + path + " could not be loaded by OpenCV: " + e.what();
    return nullptr;
  }
  return std::unique_ptr<LearnedTextDetector>(new LearnedTextDetector(options, path, std::move(model)));
}

std::vector<LearnedBox> LearnedTextDetector::detect(const cv::Mat& grey, const cv::Rect& region, double scale) {
  const cv::Rect area = region & cv::Rect(0, 0, grey.cols, grey.rows);
  if (area.empty()) return {};
  const int rows = network_side(area.height * scale), cols = network_side(area.width * scale);
  cv::Mat input;
  cv::resize(grey(area), input, cv::Size(cols, rows), 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::dnn::Net& net = networks_->for_shape(rows, cols);
  net.setInput(input_blob(input));
  const cv::Mat output = net.forward();  // [1, 1, rows, cols] text probability
  ++runs_;
  const cv::Mat probability(rows, cols, CV_32F, const_cast<float*>(output.ptr<float>()));
  const double to_x = static_cast<double>(area.width) / cols, to_y = static_cast<double>(area.height) / rows;
  std::vector<LearnedBox> boxes;
  for (LearnedBox found : db_boxes(probability, options_)) {
    const int x0 = area.x + static_cast<int>(std::floor(found.box.x * to_x));
    const int y0 = area.y + static_cast<int>(std::floor(found.box.y * to_y));
    const int x1 = area.x + static_cast<int>(std::ceil(found.box.br().x * to_x));
    const int y1 = area.y + static_cast<int>(std::ceil(found.box.br().y * to_y));
    found.box = cv::Rect(cv::Point(x0, y0), cv::Point(x1, y1)) & area;
    if (!found.box.empty()) boxes.push_back(found);
  }
  return boxes;
}

}  // namespace medanon::pixel
