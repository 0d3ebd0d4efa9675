#include "anomaly/object_fusion.hpp"

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

}  // namespace medanon::anomaly
