#include "mpi/work_queue.hpp"

#include "mpi/mpi_session.hpp"

namespace medanon::mpi {
namespace {

enum Slot : int {
  kNextItem = 0,
  kFlushWord,
  kOutOfWork,
  kFlushRequests,
  kFinished,
  kFailed,
  kSlotCount
};
// The flush word packs the epoch and the final bit into one value: MPI orders accumulates from
// one origin only per memory location, so two separate slots could be seen out of order.
constexpr long long kFinalBit = 1LL << 62;

}  // namespace

WorkQueue::WorkQueue(std::vector<std::int64_t> todo, MPI_Comm comm) : todo_(std::move(todo)), comm_(comm) {
  int rank = 0;
  mpi_check(MPI_Comm_rank(comm_, &rank), "MPI_Comm_rank");
  mpi_check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  const MPI_Aint bytes = rank == 0 ? static_cast<MPI_Aint>(kSlotCount * sizeof(long long)) : 0;
  mpi_check(MPI_Win_allocate(bytes, sizeof(long long), MPI_INFO_NULL, comm_, &slots_, &window_), "MPI_Win_allocate");
  if (rank == 0) {
    for (int s = 0; s < kSlotCount; ++s) slots_[s] = 0;
  }
  mpi_check(MPI_Win_lock_all(MPI_MODE_NOCHECK, window_), "MPI_Win_lock_all");
  // Nobody may use the counters before rank 0 has set them.
  mpi_check(MPI_Barrier(comm_), "MPI_Barrier");
}

WorkQueue::~WorkQueue() {
  if (window_ == MPI_WIN_NULL) return;
  MPI_Win_unlock_all(window_);
  MPI_Win_free(&window_);  // collective; destructors never throw, so a failure is not reported
}

long long WorkQueue::fetch_add(int slot, long long value) {
  long long previous = 0;
  mpi_check(MPI_Fetch_and_op(&value, &previous, MPI_LONG_LONG, 0, slot, value == 0 ? MPI_NO_OP : MPI_SUM, window_),
            "MPI_Fetch_and_op");
  mpi_check(MPI_Win_flush(0, window_), "MPI_Win_flush");
  return previous;
}

bool WorkQueue::next(std::int64_t& item) {
  const long long claimed = fetch_add(kNextItem, 1);
  if (claimed >= static_cast<long long>(todo_.size())) return false;
  item = todo_[static_cast<size_t>(claimed)];
  return true;
}

void WorkQueue::mark_out_of_work() { fetch_add(kOutOfWork, 1); }

void WorkQueue::ask_for_flush() { fetch_add(kFlushRequests, 1); }

void WorkQueue::count_finished(bool failed) {
  fetch_add(kFinished, 1);
  if (failed) fetch_add(kFailed, 1);
}

WorkQueue::Progress WorkQueue::progress() { return {fetch_add(kFinished, 0), fetch_add(kFailed, 0)}; }

WorkQueue::FlushWord WorkQueue::flush_word() {
  const long long word = fetch_add(kFlushWord, 0);
  return {word & ~kFinalBit, (word & kFinalBit) != 0};
}

bool WorkQueue::publish_if_due(bool interval_due) {
  if (final_published_) return false;
  const bool everyone_done = fetch_add(kOutOfWork, 0) >= size_;
  const long long requests = fetch_add(kFlushRequests, 0);
  if (!everyone_done && !interval_due && requests == granted_requests_) return false;
  granted_requests_ = requests;
  const long long epoch = flush_word().epoch + 1;
  long long word = epoch | (everyone_done ? kFinalBit : 0);
  long long previous = 0;
  mpi_check(MPI_Fetch_and_op(&word, &previous, MPI_LONG_LONG, 0, kFlushWord, MPI_REPLACE, window_), "MPI_Fetch_and_op");
  mpi_check(MPI_Win_flush(0, window_), "MPI_Win_flush");
  final_published_ = everyone_done;
  return true;
}

}  // namespace medanon::mpi
