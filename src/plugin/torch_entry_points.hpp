#pragma once
// The boundary between the torch-free executable and the LibTorch plugin (medanon_torch.so,
// src/plugin/): what train, infer and the anonymize MAE stage call. No torch types here, so the
// command files that include it never compile LibTorch's headers. Both sides are built together,
// by this project, with one compiler and one set of flags, so plain C++ types may cross.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mpi/mpi_session.hpp"
#include "mae/anomaly_detector.hpp"
#include "mae/prior_adaptation.hpp"
#include "mae/training.hpp"
#include "pipeline/foreign_object_stage.hpp"

namespace medanon::plugin {

struct MaeStageOptions {
  std::string checkpoint;      // MAE weights (brats_pretrained-style or medanon checkpoint)
  std::string threshold_file;  // calibration from `infer --calibrate`; empty: no anomaly decision (-1 in the audit)
  std::string device = "auto";
  int threads = 1;
  int batch_size = 8;
  int trials = 4;
};

struct InferOptions {
  std::string input, out, threshold_file;
  std::string calibrate;                // write a calibration (z_peak, or object_peak with a prior) from the run's negatives here
  double calibration_percentile = 85;
  bool exclude_text = false;            // leave the synthetic ground truth's text out of z_peak
  // maps/: "residual" (the smoothed residual, the thesis' map), "z" (the calibrated z-map,
  // smoothed the same, as z_map_view.hpp; needs --threshold-file statistics), "z-detail" (z plus
  // the image's bright detail at its own resolution) or "fused" (z-detail with the object prior,
  // object_fusion.hpp; needs detector.object_prior too)
  std::string map_values = "residual";
  bool write_zmaps = false;             // also write zmaps/<i>.tiff (32-bit float), to tune masks offline
  mae::DetectorOptions detector;
  int limit = 0;
  // When set, exactly these images (relative to input), all known negatives, instead of the
  // corpus' or folder's list: `adapt` calibrates on the patients it held apart from training.
  std::vector<std::string> images;
};

// Raised whenever a signature below changes: a plugin left from another build is refused by the
// loader instead of being called with the wrong arguments.
inline constexpr int kTorchInterfaceVersion = 7;

struct TorchEntryPoints {
  int interface_version = kTorchInterfaceVersion;
  // mae/training.hpp
  mae::TrainSummary (*train)(const mae::TrainOptions&, const mpi::Communicator&,
                             const std::function<void(const std::string&)>& log) = nullptr;
  // mae/prior_adaptation.hpp (`adapt`'s second step)
  mae::PriorAdaptationSummary (*adapt_object_prior)(const mae::PriorAdaptationOptions&, const mpi::Communicator&) = nullptr;
  // `medanon infer` (plugin/infer.cpp): the exit code
  int (*infer)(const InferOptions&, const mpi::Communicator&) = nullptr;
  // The anonymize runner's foreign-object stage (plugin/mae_stage.cpp)
  std::unique_ptr<pipeline::ForeignObjectStage> (*make_mae_stage)(const MaeStageOptions&) = nullptr;
};

// The name of the plugin's one exported function (below), which the loader looks up.
inline constexpr const char* kTorchEntryPointsSymbol = "medanon_torch_entry_points";

}  // namespace medanon::plugin

extern "C" const medanon::plugin::TorchEntryPoints* medanon_torch_entry_points();
