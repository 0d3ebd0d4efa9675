// ROC, AUROC, Dice and the ROC plot.

#include "evaluation/detection_metrics.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace medanon::evaluation {

namespace {
constexpr int kLevels = 1 << 16;
}

double auroc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double positive_rank_sum = 0.0, positives = 0.0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double average_rank = (static_cast<double>(i) + static_cast<double>(j) + 1.0) / 2.0;  // 1-based ranks
    for (std::size_t k = i; k < j; ++k) {
      if (positive[order[k]]) {
        positive_rank_sum += average_rank;
        positives += 1.0;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(scores.size()) - positives;
  if (positives == 0.0 || negatives == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return (positive_rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}

std::vector<std::pair<double, double>> roc_curve(const std::vector<double>& scores, const std::vector<bool>& positive) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  const double positives = static_cast<double>(std::count(positive.begin(), positive.end(), true));
  const double negatives = static_cast<double>(scores.size()) - positives;
  std::vector<std::pair<double, double>> curve{{0.0, 0.0}};
  double tp = 0.0, fp = 0.0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    (positive[order[i]] ? tp : fp) += 1.0;
    if (i + 1 == order.size() || scores[order[i + 1]] != scores[order[i]]) {
      curve.emplace_back(negatives > 0 ? fp / negatives : 0.0, positives > 0 ? tp / positives : 0.0);
    }
  }
  return curve;
}

PixelRoc::PixelRoc() : positive_(kLevels, 0), negative_(kLevels, 0) {}

void PixelRoc::add(const cv::Mat& scores, const cv::Mat& truth, const cv::Mat& ignore) {
  CV_Assert(scores.type() == CV_32F && truth.type() == CV_8U && scores.size() == truth.size());
  CV_Assert(ignore.empty() || (ignore.type() == CV_8U && ignore.size() == truth.size()));
  for (int y = 0; y < scores.rows; ++y) {
    const float* s = scores.ptr<float>(y);
    const unsigned char* t = truth.ptr<unsigned char>(y);
    const unsigned char* skip = ignore.empty() ? nullptr : ignore.ptr<unsigned char>(y);
    for (int x = 0; x < scores.cols; ++x) {
      if (skip && skip[x]) continue;
      const auto level = static_cast<std::size_t>(std::clamp(s[x], 0.0f, 1.0f) * static_cast<float>(kLevels - 1));
      if (t[x]) {
        ++positive_[level];
        ++positives_;
      } else {
        ++negative_[level];
        ++negatives_;
      }
    }
  }
}

double PixelRoc::auroc() const {
  if (positives_ == 0 || negatives_ == 0) return std::numeric_limits<double>::quiet_NaN();
  double area = 0.0, negatives_below = 0.0;
  for (int level = 0; level < kLevels; ++level) {
    area += static_cast<double>(positive_[level]) * (negatives_below + 0.5 * static_cast<double>(negative_[level]));
    negatives_below += static_cast<double>(negative_[level]);
  }
  return area / (static_cast<double>(positives_) * static_cast<double>(negatives_));
}

double dice(const cv::Mat& a, const cv::Mat& b) {
  CV_Assert(a.size() == b.size() && a.type() == CV_8U && b.type() == CV_8U);
  cv::Mat both;
  cv::bitwise_and(a != 0, b != 0, both);
  const double sizes = cv::countNonZero(a) + cv::countNonZero(b);
  return sizes == 0 ? 1.0 : 2.0 * cv::countNonZero(both) / sizes;
}

cv::Mat roc_plot(const std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>>& curves,
                 const std::vector<double>& aurocs) {
  constexpr int size = 320, margin = 40, side = size - 2 * margin;
  cv::Mat plot(size, size, CV_8UC3, cv::Scalar(255, 255, 255));
  auto at = [&](double fpr, double tpr) {
    return cv::Point(margin + static_cast<int>(fpr * side), size - margin - static_cast<int>(tpr * side));
  };
  cv::rectangle(plot, at(0, 0), at(1, 1), cv::Scalar(0, 0, 0), 1);
  cv::line(plot, at(0, 0), at(1, 1), cv::Scalar(180, 180, 180), 1, cv::LINE_AA);
  cv::putText(plot, "false-positive rate", cv::Point(margin + 60, size - 12), cv::FONT_HERSHEY_SIMPLEX, 0.4, {0, 0, 0});
  cv::putText(plot, "TPR", cv::Point(6, margin + side / 2), cv::FONT_HERSHEY_SIMPLEX, 0.4, {0, 0, 0});
  const cv::Scalar colours[] = {{200, 60, 20}, {20, 120, 220}, {40, 160, 40}, {150, 40, 160}, {0, 0, 0}};
  for (std::size_t c = 0; c < curves.size(); ++c) {
    const auto& colour = colours[c % 5];
    const auto& points = curves[c].second;
    for (std::size_t i = 1; i < points.size(); ++i) {
      cv::line(plot, at(points[i - 1].first, points[i - 1].second), at(points[i].first, points[i].second), colour, 2,
               cv::LINE_AA);
    }
    char label[96];
    std::snprintf(label, sizeof label, "%s AUROC %.3f", curves[c].first.c_str(), c < aurocs.size() ? aurocs[c] : NAN);
    cv::putText(plot, label, cv::Point(margin + 70, size - margin - 12 - 14 * static_cast<int>(c)),
                cv::FONT_HERSHEY_SIMPLEX, 0.38, colour, 1, cv::LINE_AA);
  }
  return plot;
}

}  // namespace medanon::evaluation
