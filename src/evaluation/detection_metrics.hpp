#pragma once
// How well foreign objects are found: image-level ROC/AUROC from scores and labels, pixel-level
// AUROC streamed over many images (histograms, so millions of pixels cost no memory), Dice of
// binary masks, and a small ROC plot. OpenCV only; no torch types.

#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace medanon::evaluation {

// Area under the ROC curve, ties counted half (Mann-Whitney U); NaN without both classes.
double auroc(const std::vector<double>& scores, const std::vector<bool>& positive);

// ROC points (false-positive rate, true-positive rate) from the highest threshold down.
std::vector<std::pair<double, double>> roc_curve(const std::vector<double>& scores, const std::vector<bool>& positive);

// Pixel AUROC over scores in [0, 1], quantised to 2^16 levels.
class PixelRoc {
 public:
  PixelRoc();
  // `scores`: CV_32F; `truth`: CV_8U, non-zero = positive; same size. Pixels where `ignore`
  // (optional CV_8U) is non-zero are not counted.
  void add(const cv::Mat& scores, const cv::Mat& truth, const cv::Mat& ignore = cv::Mat());
  double auroc() const;
  std::uint64_t positives() const { return positives_; }
  std::uint64_t negatives() const { return negatives_; }

 private:
  std::vector<std::uint64_t> positive_, negative_;
  std::uint64_t positives_ = 0, negatives_ = 0;
};

// 2|A and B| / (|A| + |B|) of two CV_8U masks (non-zero = set); 1 when both are empty.
double dice(const cv::Mat& a, const cv::Mat& b);

// A 320 x 320 PNG-ready plot of ROC curves with their labels and AUROCs.
cv::Mat roc_plot(const std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>>& curves,
                 const std::vector<double>& aurocs);

}  // namespace medanon::evaluation
