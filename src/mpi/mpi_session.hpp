#pragma once
// MPI lifetime and the few collectives the job runners need, behind RAII and checked calls.
//
// Collective contract: every function marked "collective" must be called by all ranks of
// the communicator in the same order; a failure inside one throws InternalError on the
// calling rank, and since MPI's default error handler on MPI_COMM_WORLD is replaced by
// MPI_ERRORS_RETURN, the caller's top-level handler decides (see app/main.cpp: one rank
// failing alone leads to MPI_Abort, never to a hang).

#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

#include "core/exit_codes.hpp"

namespace medanon::mpi {

// Throws InternalError naming `what` and the MPI error string when `rc` is not MPI_SUCCESS.
void mpi_check(int rc, const char* what);

// Initialises MPI on construction (MPI_THREAD_FUNNELED: only the main thread calls MPI)
// and finalises it on destruction. Exactly one per process, owned by main().
class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

  // Ends the whole job from one rank: used when a rank fails alone and the others may be
  // blocked in a collective. Never returns.
  [[noreturn]] static void abort(int exit_code);

 private:
  int rank_ = 0;
  int size_ = 1;
};

// Thin view of a communicator with the collectives medanon uses. Does not own the handle.
class Communicator {
 public:
  explicit Communicator(MPI_Comm comm = MPI_COMM_WORLD);

  MPI_Comm handle() const { return comm_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }

  void barrier() const;                                  // collective
  long long allreduce_sum(long long value) const;        // collective
  long long allreduce_max(long long value) const;        // collective
  // Element-wise sums of small vectors of the same length on every rank.
  std::vector<double> allreduce_sum(std::vector<double> values) const;  // collective
  // Gathers every rank's string at rank 0 in rank order; other ranks get an empty vector.
  std::vector<std::string> gather_strings(const std::string& mine) const;  // collective
  // Rank 0's `value` on every rank.
  std::string broadcast_string(const std::string& value) const;           // collective
  // Runs `work` on rank 0 only (e.g. writing a file the job shares), then broadcasts how it went:
  // every rank returns together, or every rank throws "<context>: <rank 0's error>" (all ranks)
  // together, instead of the others running on into a collective rank 0 never reaches. The
  // error keeps the class rank 0 raised (a medanon::Error's code); any other exception is
  // raised as `otherwise`.
  void run_on_root(const std::string& context, const std::function<void()>& work,
                   ExitCode otherwise = ExitCode::internal_error) const;  // collective

 private:
  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace medanon::mpi
