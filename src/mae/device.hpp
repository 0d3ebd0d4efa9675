#pragma once
// --device cpu|cuda|auto, for a CPU (Debian) or CUDA LibTorch alike. Torch-facing.

#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "core/errors.hpp"

namespace medanon::mae {

// "auto" picks CUDA when this LibTorch has it and a GPU is visible. Throws UsageError
// for other names and std::runtime_error when "cuda" is asked for but unavailable.
inline torch::Device resolve_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  if (name == "cuda") {
    if (!torch::cuda::is_available()) {
      throw InputError("--device cuda: this LibTorch build has no CUDA or no GPU is visible", Scope::all_ranks);
    }
    return torch::kCUDA;
  }
  throw UsageError("unknown device '" + name + "' (cpu, cuda, auto)", Scope::all_ranks);
}

}  // namespace medanon::mae
