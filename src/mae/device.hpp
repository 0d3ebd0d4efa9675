#pragma once
// --device cpu|cuda|auto, for a CPU (Debian) or CUDA LibTorch alike. Torch-facing.

#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "core/errors.hpp"
#include "mpi/mpi_session.hpp"
#include "mpi/node_local_rank.hpp"

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

// The device of this rank in a data-parallel job (train, adapt's prior): resolve_device, and on
// CUDA the GPU of the rank's index on its node, so the ranks of a node share its GPUs. Collective
// over `comm` whatever the device (node_local_rank): every rank calls it, before any can fail alone.
inline torch::Device rank_device(const std::string& name, const mpi::Communicator& comm) {
  const torch::Device device = resolve_device(name);
  const int local_rank = mpi::node_local_rank(comm.handle());
  if (!device.is_cuda()) return device;
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank % torch::cuda::device_count()));
}

}  // namespace medanon::mae
