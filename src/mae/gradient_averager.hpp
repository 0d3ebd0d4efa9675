#pragma once
// Data-parallel gradient averaging: the trained parameters are packed into flat float buckets
// (in reverse registration order, which is roughly the order backward produces their gradients),
// and each bucket is summed across ranks with one non-blocking MPI_Iallreduce as soon as all its
// gradients exist, while backward keeps running on the earlier layers (the scheme of PyTorch's
// DistributedDataParallel). Torch-facing: include only from src/mae/*.cpp and tests.
//
//   averager.begin_step();
//   loss.backward();        // per-parameter hooks fill buckets and start their allreduces
//   averager.finish_step(); // starts the rest, waits, writes sum / world size into every .grad
//
// Collective contract: every rank calls begin_step/backward/finish_step for every step. Buckets
// start strictly in bucket order (a complete bucket waits for all earlier ones), so the order of
// MPI_Iallreduce calls is the same on all ranks even if hooks fire in another order. Only the
// thread that built the averager calls MPI (MPI_THREAD_FUNNELED): hooks that LibTorch runs on its
// device threads (CUDA) only copy, and their buckets start in finish_step.
//
// Every rank ends with bit-identical averaged gradients: Open MPI's reductions compute each
// element with the same operands on every rank (a + b == b + a in IEEE arithmetic), and the
// division by the world size is the same everywhere.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mpi/allreduce_request.hpp"
#include "mpi/mpi_session.hpp"

namespace medanon::mae {

class GradientAverager {
 public:
  // `parameters` in a fixed order identical on all ranks (MaeTrainer::trained_parameters()).
  GradientAverager(const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                   const mpi::Communicator& comm, std::size_t bucket_bytes);
  ~GradientAverager();  // removes the hooks
  GradientAverager(const GradientAverager&) = delete;
  GradientAverager& operator=(const GradientAverager&) = delete;

  void begin_step();
  void finish_step();

  std::size_t bucket_count() const { return buckets_.size(); }
  // Seconds spent blocked in finish_step waiting for allreduces, summed since construction
  // (the communication that backward did not hide).
  double wait_seconds() const { return wait_seconds_; }

 private:
  struct Slot {
    torch::Tensor parameter;
    std::size_t bucket = 0;
    std::int64_t offset = 0;  // in the bucket's flat buffer
    bool filled = false;
  };
  struct Bucket {
    torch::Tensor flat;  // CPU float32, the MPI buffer
    std::vector<std::size_t> slots;
    std::size_t missing = 0;
    mpi::AllreduceRequest request;
    bool started = false;
  };

  void on_gradient(std::size_t slot, const torch::Tensor& grad);
  void start_ready_buckets();   // in bucket order, from next_to_start_
  void start_bucket(Bucket& bucket);
  void progress();              // MPI_Test on the started buckets

  mpi::Communicator comm_;
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<Bucket>> buckets_;
  std::vector<unsigned> hook_handles_;
  std::size_t next_to_start_ = 0;
  std::thread::id mpi_thread_;
  double wait_seconds_ = 0.0;
};

}  // namespace medanon::mae
