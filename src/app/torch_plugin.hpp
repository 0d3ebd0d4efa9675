#pragma once
// The LibTorch plugin, loaded on first use. Loading LibTorch costs every process about 1 s of CPU
// (symbol binding and operator registration in libtorch_cpu), so the executable does not link it:
// only train, infer and an anonymize run with the MAE stage load medanon_torch.so, from the
// executable's own folder (build/ beside build/medanon).

#include <functional>

#include "plugin/torch_entry_points.hpp"

namespace medanon::app {

// Loads the plugin once per process and keeps it loaded until exit. Throws InternalError (exit 1)
// when it is missing, cannot be loaded (the loader's message is kept) or is from another build.
const plugin::TorchEntryPoints& torch_plugin();

// Runs a training job in the plugin (train, adapt) and classifies what it throws the one way
// both share: medanon's typed errors pass through; std::invalid_argument (bad options) becomes a
// UsageError and std::runtime_error (an unreadable corpus or checkpoint) an InputError, both
// scoped to the rank that found them (the others may be inside a collective: main aborts them).
int run_training_job(const std::function<int()>& job);

}  // namespace medanon::app
