#include "anomaly/object_fusion.hpp"

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "anomaly/z_map_view.hpp"
#include "core/errors.hpp"

namespace medanon::anomaly {

cv::Mat fused_object_map(const cv::Mat& z_view, const cv::Mat& prior) {
  if (z_view.size() != prior.size() || z_view.type() != CV_32F || prior.type() != CV_32F) {
    throw InternalError("fused_object_map: two CV_32F maps of one size");
  }
  cv::Mat product = z_view.mul(prior), fused;
  cv::sqrt(cv::max(product, 0.0), fused);
  return fused;
}

cv::Mat fused_object_map(const cv::Mat& z_map, double smoothing, const cv::Mat& detail, const cv::Mat& prior) {
  return fused_object_map(z_detail_view(z_map, smoothing, detail, kZDetailWeight), prior);
}

void keep_where_prior(cv::Mat& mask, const cv::Mat& prior, double threshold) {
  if (threshold <= 0 || mask.empty()) return;
  if (mask.size() != prior.size()) throw InternalError("keep_where_prior: the mask and the prior differ in size");
  mask.setTo(0, prior < threshold);
}

void add_where_prior(cv::Mat& mask, const cv::Mat& prior, double threshold) {
  if (threshold <= 0 || mask.empty()) return;
  if (mask.size() != prior.size()) throw InternalError("add_where_prior: the mask and the prior differ in size");
  mask.setTo(255, prior >= threshold);
}

void add_where_prior_pooled(cv::Mat& mask, const cv::Mat& prior, double threshold) {
  if (threshold <= 0 || mask.empty()) return;
  const cv::Mat sure_u8 = prior >= threshold;
  cv::Mat sure, covered;
  sure_u8.convertTo(sure, CV_32F, 1.0 / 255);
  cv::resize(sure, covered, mask.size(), 0, 0, cv::INTER_AREA);  // the share of each mask pixel's area
  mask.setTo(255, covered > 0);
}

void keep_components_the_prior_sees(cv::Mat& mask, const cv::Mat& prior, double threshold) {
  if (threshold <= 0 || mask.empty()) return;
  if (mask.size() != prior.size())
    throw InternalError("keep_components_the_prior_sees: the mask and the prior differ in size");
  cv::Mat labels;
  const int count = cv::connectedComponents(mask > 0, labels, 8, CV_32S);
  std::vector<float> peak(static_cast<std::size_t>(count), 0.0f);
  for (int r = 0; r < labels.rows; ++r) {
    const int* label = labels.ptr<int>(r);
    const float* p = prior.ptr<float>(r);
    for (int c = 0; c < labels.cols; ++c) {
      if (label[c] > 0)
        peak[static_cast<std::size_t>(label[c])] = std::max(peak[static_cast<std::size_t>(label[c])], p[c]);
    }
  }
  for (int r = 0; r < labels.rows; ++r) {
    const int* label = labels.ptr<int>(r);
    unsigned char* m = mask.ptr<unsigned char>(r);
    for (int c = 0; c < labels.cols; ++c) {
      if (label[c] > 0 && peak[static_cast<std::size_t>(label[c])] < threshold) m[c] = 0;
    }
  }
}

}  // namespace medanon::anomaly
