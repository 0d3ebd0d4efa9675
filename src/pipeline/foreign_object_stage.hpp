#pragma once
// The foreign-object stage (issue #5's MAE) as the runner sees it: batches of images in, scores
// and model-resolution maps into the items' records. An interface, so that the runner (in
// medanon_lib) needs no LibTorch; plugin/mae_stage.cpp implements it with mae::AnomalyDetector.

#include <opencv2/core.hpp>

#include <memory>
#include <string>
#include <vector>

#include "audit/item_record.hpp"

namespace medanon::pipeline {

class ForeignObjectStage {
 public:
  virtual ~ForeignObjectStage() = default;
  // Images per call that keeps the model busy (the runner gathers this many before calling).
  virtual int batch_size() const = 0;
  // Sets mask, anomaly_map, mask_score, z_peak and anomaly of records[i] from images[i] (grey, CV_8U or
  // CV_16U, any size). Throws when the model fails; then no record was changed.
  virtual void detect(const std::vector<cv::Mat>& images, const std::vector<audit::ItemRecord*>& records) = 0;
  // One line for the log: model, device, threads, threshold.
  virtual std::string description() const = 0;
};

}  // namespace medanon::pipeline
