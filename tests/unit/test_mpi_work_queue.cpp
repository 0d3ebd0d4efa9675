// The work queue on a world of one: every item is handed out once, in order; flush epochs are
// published only when due or asked for, and the final epoch only once every rank is out of work.
// (Several ranks sharing one queue are exercised by the mpirun tests: tests/mpi/.)
#include <gtest/gtest.h>

#include "mpi/work_queue.hpp"
#include "test_world.hpp"

namespace medanon::mpi {
namespace {

TEST(WorkQueue, HandsOutEveryItemOnceInOrder) {
  const Communicator world = test_world();
  WorkQueue queue({7, 3, 11}, world.handle());
  std::vector<std::int64_t> got;
  for (std::int64_t item = -1; queue.next(item);) got.push_back(item);
  EXPECT_EQ(got, (std::vector<std::int64_t>{7, 3, 11}));
  std::int64_t item = -1;
  EXPECT_FALSE(queue.next(item));  // stays empty
}

TEST(WorkQueue, PublishesEpochsWhenDueOrAskedAndTheFinalOneLast) {
  const Communicator world = test_world();
  WorkQueue queue({1, 2}, world.handle());
  EXPECT_FALSE(queue.publish_if_due(false));  // nothing due, nobody asked
  EXPECT_EQ(queue.flush_word().epoch, 0);
  EXPECT_TRUE(queue.publish_if_due(true));  // the interval is due
  EXPECT_EQ(queue.flush_word().epoch, 1);
  EXPECT_FALSE(queue.flush_word().final);
  queue.ask_for_flush();  // e.g. Slurm's pre-timeout signal on some rank
  EXPECT_TRUE(queue.publish_if_due(false));
  EXPECT_EQ(queue.flush_word().epoch, 2);
  std::int64_t item = -1;
  while (queue.next(item)) queue.count_finished(item == 2);
  queue.mark_out_of_work();
  EXPECT_TRUE(queue.publish_if_due(false));
  const WorkQueue::FlushWord last = queue.flush_word();
  EXPECT_TRUE(last.final);
  EXPECT_EQ(last.epoch, 3);
  const WorkQueue::Progress progress = queue.progress();
  EXPECT_EQ(progress.finished, 2);
  EXPECT_EQ(progress.failed, 1);
}

TEST(WorkQueue, AnEmptyQueueStillEndsWithAFinalEpoch) {
  const Communicator world = test_world();
  WorkQueue queue({}, world.handle());
  std::int64_t item = -1;
  EXPECT_FALSE(queue.next(item));
  queue.mark_out_of_work();
  EXPECT_TRUE(queue.publish_if_due(false));
  EXPECT_TRUE(queue.flush_word().final);
}

}  // namespace
}  // namespace medanon::mpi
