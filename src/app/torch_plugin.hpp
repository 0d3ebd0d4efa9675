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

// Runs a command of the plugin (train, adapt, infer) and classifies what it throws the one way
// all share. The plugin raises medanon's typed errors where they happen, with their scope: they
// pass through. What else escapes is a library's: std::invalid_argument becomes a UsageError and
// std::runtime_error an InputError, scoped to the rank that met it (the others may be inside a
// collective: main aborts them).
int run_plugin_command(const std::function<int()>& job);

}  // namespace medanon::app
