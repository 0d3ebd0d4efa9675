#include "pipeline/work_loop.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <numeric>
#include <thread>

#include "audit/input_hash.hpp"
#include "core/log.hpp"
#include "core/stop_signal.hpp"
#include "io/contained_path.hpp"

namespace medanon::pipeline {

WorkLoop::WorkLoop(const AnonymizeOptions& options, const JobPlan& plan, const PipelineContext& context,
                   ForeignObjectStage* foreign_objects, AuditWriter& audit, const mpi::Communicator& comm, double start)
    : options_(options),
      plan_(plan),
      context_(context),
      foreign_objects_(foreign_objects),
      audit_(audit),
      comm_(comm),
      start_(start),
      journal_(audit::journal_path(options.out, plan.attempt, comm.rank())),
      queue_(plan.todo, comm.handle()),
      rank_log_(options.out + "/.medanon/rank-" + std::to_string(comm.rank()) + ".log", std::ios::app) {}

void WorkLoop::claim(std::int64_t item) {
  // Durable before the item starts: an item that kills its rank is known to the next attempt.
  audit::ItemRecord claimed;
  claimed.item = item;
  claimed.input_hash =
      audit::input_path_hash(context_.path_hash_key, plan_.manifest.items.at(static_cast<size_t>(item)).path);
  claimed.status = audit::ItemStatus::claimed;
  claimed.rank = comm_.rank();
  claimed.attempt = plan_.attempt;
  journal_.append(claimed);
}

void WorkLoop::finish(audit::ItemRecord record) {
  journal_.append(record);  // durable before the next claim: the item is done
  queue_.count_finished(record.status != audit::ItemStatus::ok);
  rank_log_ << "attempt " << plan_.attempt << " item " << record.item << " status " << static_cast<int>(record.status)
            << " seconds " << std::accumulate(record.seconds.begin(), record.seconds.end(), 0.0f) << std::endl;
  (record.status == audit::ItemStatus::ok       ? mine_.ok
   : record.status == audit::ItemStatus::failed ? mine_.failed
                                                : mine_.rejected) += 1;
  ++mine_.processed_now;
  unflushed_.push_back(std::move(record));
}

void WorkLoop::run_model_batch() {
  std::vector<audit::ItemRecord*> records;
  for (auto& record : waiting_) records.push_back(&record);
  const double t0 = MPI_Wtime();
  try {
    foreign_objects_->detect(model_inputs_, records);
    const float each = static_cast<float>((MPI_Wtime() - t0) / static_cast<double>(waiting_.size()));
    for (auto& record : waiting_) record.seconds[static_cast<int>(audit::Stage::mae)] += each;
  } catch (const std::exception& e) {
    // The image was de-identified, but its foreign-object check failed: not a finished item.
    for (auto& record : waiting_) {
      // record.output was built from generated names; still, never delete outside --out.
      io::remove_under(options_.out, (std::filesystem::path(options_.out) / record.output).string());
      record.status = audit::ItemStatus::failed;
      record.error = std::string("foreign-object stage: ") + e.what();
      record.retryable = true;  // a model or resource failure, not the input's fault
      record.output.clear();
    }
  }
  for (auto& record : waiting_) finish(std::move(record));
  waiting_.clear();
  model_inputs_.clear();
}

void WorkLoop::report_progress() {
  if (MPI_Wtime() - last_progress_ <= options_.progress_seconds) return;
  last_progress_ = MPI_Wtime();
  const auto p = queue_.progress();
  const double rate = p.finished / std::max(1e-9, MPI_Wtime() - start_);
  const long long left = static_cast<long long>(plan_.todo.size()) - p.finished;
  const long long skipped = plan_.items_in_scope - static_cast<long long>(plan_.todo.size());
  log::info("progress: " + std::to_string(skipped + p.finished) + "/" + std::to_string(plan_.items_in_scope) +
            " items, " + std::to_string(rate).substr(0, 6) + " items/s, ETA " +
            std::to_string(static_cast<long long>(left / std::max(rate, 1e-9))) + " s, " + std::to_string(p.failed) +
            " failed");
}

mpi::WorkQueue::FlushWord WorkLoop::flush_announced_epochs() {
  const mpi::WorkQueue::FlushWord word = queue_.flush_word();
  while (epochs_done_ < word.epoch) {  // every rank takes part in every epoch, in order
    audit_.flush(unflushed_);
    ++epochs_done_;
    last_flush_ = MPI_Wtime();
  }
  return word;
}

AnonymizeSummary WorkLoop::run(std::vector<audit::ItemRecord> carried, std::vector<audit::ItemRecord> finished_now) {
  unflushed_ = std::move(carried);
  for (audit::ItemRecord& record : finished_now) {
    journal_.append(record);
    unflushed_.push_back(std::move(record));
  }
  last_flush_ = last_progress_ = MPI_Wtime();
  bool out_of_work = false, stop_forwarded = false;
  while (true) {
    std::int64_t item = -1;
    const bool batch_full = foreign_objects_ && static_cast<int>(waiting_.size()) >= foreign_objects_->batch_size();
    if (!out_of_work && !stop_requested() && !batch_full && queue_.next(item)) {
      claim(item);
      cv::Mat model_input;
      audit::ItemRecord record = process_item(item, context_, foreign_objects_ ? &model_input : nullptr);
      if (foreign_objects_ && record.status == audit::ItemStatus::ok && !model_input.empty()) {
        waiting_.push_back(std::move(record));
        model_inputs_.push_back(std::move(model_input));
      } else {
        finish(std::move(record));
      }
    } else if (!waiting_.empty()) {
      run_model_batch();
    } else if (!out_of_work) {
      out_of_work = true;
      queue_.mark_out_of_work();
    }
    if (stop_requested() && !stop_forwarded) {
      stop_forwarded = true;
      mine_.interrupted = true;
      queue_.ask_for_flush();
    }
    if (comm_.is_root()) {
      queue_.publish_if_due(MPI_Wtime() - last_flush_ > options_.flush_seconds);
      report_progress();
    }
    const mpi::WorkQueue::FlushWord word = flush_announced_epochs();
    if (word.final && epochs_done_ == word.epoch) break;
    if (out_of_work) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return mine_;
}

}  // namespace medanon::pipeline
