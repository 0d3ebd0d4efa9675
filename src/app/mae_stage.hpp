#pragma once
// The MAE foreign-object detector behind the runner's ForeignObjectStage (no torch here).

#include <memory>
#include <string>

#include "pipeline/foreign_object_stage.hpp"

namespace medanon::app {

struct MaeStageOptions {
  std::string checkpoint;      // MAE weights (brats_pretrained-style or medanon checkpoint)
  std::string threshold_file;  // calibration from `infer --calibrate`; empty: no anomaly decision (-1 in the audit)
  std::string device = "auto";
  int threads = 1;
  int batch_size = 8;
  int trials = 4;
};

std::unique_ptr<pipeline::ForeignObjectStage> make_mae_stage(const MaeStageOptions& options);

}  // namespace medanon::app
