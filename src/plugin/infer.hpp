#pragma once
// Inside the plugin: `medanon infer`'s work (infer.cpp); returns the exit code.

#include "plugin/torch_entry_points.hpp"

namespace medanon::plugin {

int run_infer(const InferOptions& options, const mpi::Communicator& comm);

}  // namespace medanon::plugin
