#pragma once
// A non-blocking in-place sum (MPI_Iallreduce) owned by one RAII object, for the gradient buckets
// of data-parallel training (mae/gradient_averager.hpp) and its per-step status. Torch-free.
//
// Collective contract: every rank starts the same requests in the same order, on buffers of the
// same length (MPI requires matching order for non-blocking collectives). A started request
// cannot be cancelled or freed (MPI 4.1 §6.12: erroneous for collectives), so the destructor
// waits for it: that keeps the buffer alive until MPI is done with it. In an error path that
// only one rank takes, the others have started the same request too, so the wait completes and
// the rank then reaches main()'s MPI_Abort.

#include <mpi.h>

#include <cstddef>

namespace medanon::mpi {

class AllreduceRequest {
 public:
  AllreduceRequest() = default;
  ~AllreduceRequest();
  AllreduceRequest(const AllreduceRequest&) = delete;
  AllreduceRequest& operator=(const AllreduceRequest&) = delete;
  AllreduceRequest(AllreduceRequest&& other) noexcept;
  AllreduceRequest& operator=(AllreduceRequest&& other) noexcept;

  // Starts the in-place sum of `count` floats at `data` over `comm` (collective, non-blocking).
  // The buffer must stay untouched until wait() returns. Throws InternalError; throws
  // std::logic_error when a request is still pending.
  void start_sum(float* data, std::size_t count, MPI_Comm comm);
  void start_sum(double* data, std::size_t count, MPI_Comm comm);
  // Lets MPI progress the operation (Open MPI progresses non-blocking collectives only inside MPI
  // calls); true once it is complete.
  bool test();
  void wait();
  bool pending() const { return request_ != MPI_REQUEST_NULL; }

 private:
  void start(void* data, std::size_t count, MPI_Datatype type, MPI_Comm comm);

  MPI_Request request_ = MPI_REQUEST_NULL;
};

}  // namespace medanon::mpi
