#pragma once
// Fusing the MAE's calibrated evidence with the foreign-object prior (mae/object_prior.hpp).
//
// The MAE's z-detail view (z_map_view.hpp) is high where this image departs from the site's
// normal images, the prior where something looks like an object. Either alone flags the other's
// blind spot: a calcified node or lead marker departs from normal anatomy, a rib edge in an
// unfamiliar exposure looks like a wire. Their geometric mean is high only where both agree.
// Chosen on the independent corpus' tuning seeds (2601) among the geometric mean, the minimum and
// the sum, which ranked pixels and images within 0.005 of each other; the geometric mean keeps
// the map in [0, 1]. No torch types.

#include <opencv2/core.hpp>

namespace medanon::anomaly {

// sqrt(view * prior), both CV_32F in [0, 1] of one size; CV_32F in [0, 1].
cv::Mat fused_object_map(const cv::Mat& z_view, const cv::Mat& prior);

// The fused map of a calibrated z-map: its z-detail view (z_map_view.hpp: `smoothing` in the
// z-map's pixels, `detail` and `prior` at the image's size, kZDetailWeight) fused with the prior.
// infer's detector and its calibration both score this, so the threshold fits the score.
cv::Mat fused_object_map(const cv::Mat& z_map, double smoothing, const cv::Mat& detail, const cv::Mat& prior);

// The prior's share of the mask decision: pixels of `mask` (CV_8U, the prior's size) where the
// prior is below `threshold` are cleared. 0 keeps the mask as it is.
void keep_where_prior(cv::Mat& mask, const cv::Mat& prior, double threshold);

// The prior's say per mask component: connected components (8-neighbours) of `mask` in which the
// prior nowhere reaches `threshold` are cleared, the others kept whole, so an object the prior
// sees only in part (a plate, a prosthesis) keeps the MAE's extent. 0 keeps the mask as it is.
void keep_components_the_prior_sees(cv::Mat& mask, const cv::Mat& prior, double threshold);

// The prior's own finds: pixels where the prior reaches `threshold` join `mask` (CV_8U, the
// prior's size), so a thin line the MAE's 224-px map cannot resolve (a catheter, an ECG lead) is
// masked where the prior is sure of it. 0 adds nothing.
void add_where_prior(cv::Mat& mask, const cv::Mat& prior, double threshold);

// The same for a mask smaller than the prior (the model's 224-px mask the audit file keeps): a
// mask pixel joins when any prior pixel it covers reaches `threshold`, so a line one image pixel
// wide still shows. 0 adds nothing.
void add_where_prior_pooled(cv::Mat& mask, const cv::Mat& prior, double threshold);

}  // namespace medanon::anomaly
