#pragma once
// The foreign-object prior: a small supervised U-Net that says where an image shows an object
// (wire, tube, clip, device), trained on `medanon synth`'s truth masks by
// scripts/train_fo_prior.py (models/fo_prior_synth.pth, reproduced by scripts/train-fo-prior.sh).
//
// Why beside the MAE: the MAE, adapted to a site's normal images, knows that site's anatomy but
// not what an object looks like, so a calcified node or a lead marker is as "anomalous" to it as
// a wire; this network knows objects but not the site. Their geometric mean (object_fusion.hpp)
// ranks pixels and images better than either on the independent corpus (docs/foreign-objects.md).
//
// No torch types: the detector and infer include this without LibTorch's headers.

#include <opencv2/core.hpp>

#include <memory>
#include <string>

namespace medanon::mae {

struct ObjectPriorOptions {
  std::string checkpoint;       // torch.save {"model": state dict, "config": {...}} (required)
  std::string device = "auto";  // cpu | cuda | auto (LibTorch's thread count is the caller's)
};

class ObjectPrior {
 public:
  explicit ObjectPrior(const ObjectPriorOptions& options);  // throws InputError / UsageError on every rank alike
  ~ObjectPrior();
  ObjectPrior(ObjectPrior&&) noexcept;
  ObjectPrior& operator=(ObjectPrior&&) noexcept;

  // P(foreign object) per pixel of `image` (CV_8U or CV_16U, one channel, any size): the image
  // through the training's percentile window, area-resampled to the network's square view, the
  // network's sigmoid brought back to the image's size (bilinear). CV_32F in [0, 1].
  cv::Mat probability(const cv::Mat& image) const;

  int view() const;                  // the network's square input side (256)
  std::string description() const;  // checkpoint, architecture, device

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The percentile of an integer image's pixels as numpy.percentile computes it (linear between
// the two neighbouring order statistics), from a histogram: exact, and no 4-megapixel sort.
double image_percentile(const cv::Mat& image, double percent);

}  // namespace medanon::mae
