#pragma once
// Inside the plugin: the MAE behind pipeline::ForeignObjectStage (mae_stage.cpp).

#include <memory>

#include "plugin/torch_entry_points.hpp"

namespace medanon::plugin {

std::unique_ptr<pipeline::ForeignObjectStage> make_mae_stage(const MaeStageOptions& options);

}  // namespace medanon::plugin
