#pragma once
// Dynamic work distribution and flush scheduling in one MPI window on rank 0.
//
// Items: a shared counter that every rank advances with a one-sided MPI_Fetch_and_op. Items
// cost very different amounts (a 2500² DICOM with text vs a small PNG), so static dealing would
// leave ranks idle while others still work; with the counter a rank takes the next item the
// moment it is free, and rank 0 needs no dispatcher loop.
//
// Flushes: the shared HDF5 file is written collectively, so all ranks must agree when. Only
// rank 0 decides: it publishes a flush word (an epoch number, plus a "final" bit once every
// rank has run out of items). Every rank polls the word between items (or while idle) and takes
// part in each epoch's collective flush in order; after the final epoch every rank stops. Other
// ranks can only ask for a flush (e.g. on Slurm's pre-timeout signal); rank 0 grants it.
//
// Collective contract: the constructor and destructor are collective (window create/free);
// the other calls are one-sided and made by each rank on its own.

#include <mpi.h>

#include <cstdint>
#include <vector>

namespace medanon::mpi {

class WorkQueue {
 public:
  // `todo` must be identical on every rank (e.g. the manifest indices not yet done).
  WorkQueue(std::vector<std::int64_t> todo, MPI_Comm comm);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  bool next(std::int64_t& item);  // claims the next item; false when none is left
  void mark_out_of_work();        // this rank will claim no more items (once per rank)
  void ask_for_flush();           // any rank: ask rank 0 for a flush soon
  void count_finished(bool failed);  // after each item, for the progress line

  struct Progress {
    long long finished = 0;
    long long failed = 0;
  };
  Progress progress();

  struct FlushWord {
    long long epoch = 0;  // flushes published so far
    bool final = false;   // the last published epoch is the final one
  };
  FlushWord flush_word();

  // Rank 0 only: publishes the next epoch when a flush is due (`interval_due`, or asked for by
  // a rank), or the final epoch when every rank is out of work. Returns true if it published.
  bool publish_if_due(bool interval_due);

 private:
  long long fetch_add(int slot, long long value);

  std::vector<std::int64_t> todo_;
  MPI_Comm comm_;
  int size_ = 1;
  MPI_Win window_ = MPI_WIN_NULL;
  long long* slots_ = nullptr;  // rank 0: see Slot in work_queue.cpp
  long long granted_requests_ = 0;
  bool final_published_ = false;
};

}  // namespace medanon::mpi
