// The plugin's one exported function: the loader (app/torch_plugin.cpp) looks it up by name and
// reaches everything that needs LibTorch through the table it returns.

#include "plugin/torch_entry_points.hpp"

#include "plugin/infer.hpp"
#include "plugin/mae_stage.hpp"

extern "C" const medanon::plugin::TorchEntryPoints* medanon_torch_entry_points() {
  using namespace medanon;
  static const plugin::TorchEntryPoints entry_points = [] {
    plugin::TorchEntryPoints e;
    e.train = &mae::train_mae;
    e.adapt_object_prior = &mae::adapt_object_prior;
    e.infer = &plugin::run_infer;
    e.make_mae_stage = &plugin::make_mae_stage;
    return e;
  }();
  return &entry_points;
}
