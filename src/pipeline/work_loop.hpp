#pragma once
// Phase 4 of the anonymize job, the work loop: claim an item from the shared queue, journal the
// claim, process it (item_pipeline.hpp), batch the foreign-object model over finished items,
// journal each outcome, and take part in every flush epoch rank 0 announces.
//
// Collective contract: run() is called by every rank and returns on every rank after the final
// epoch; the queue (mpi/work_queue.hpp) decides when that is. A kill loses at most the items in
// flight and one model batch: they were claimed but never journaled, and the next attempt
// redoes them.

#include <opencv2/core.hpp>

#include <fstream>
#include <vector>

#include "audit/item_record.hpp"
#include "audit/journal.hpp"
#include "mpi/mpi_session.hpp"
#include "mpi/work_queue.hpp"
#include "pipeline/anonymize_job.hpp"
#include "pipeline/audit_writer.hpp"
#include "pipeline/foreign_object_stage.hpp"
#include "pipeline/item_pipeline.hpp"
#include "pipeline/job_plan.hpp"

namespace medanon::pipeline {

class WorkLoop {
 public:
  // `foreign_objects` may be null (no MAE stage). `start`: MPI_Wtime() when the job began.
  WorkLoop(const AnonymizeOptions& options, const JobPlan& plan, const PipelineContext& context,
           ForeignObjectStage* foreign_objects, AuditWriter& audit, const mpi::Communicator& comm, double start);

  // `carried`: records journaled earlier, to write at the first flush; `finished_now`: records to
  // journal and write (rank 0: the items that ended their rank twice, failed now). Returns this
  // rank's own counts (ok, failed, rejected, processed_now, interrupted).
  AnonymizeSummary run(std::vector<audit::ItemRecord> carried, std::vector<audit::ItemRecord> finished_now);

 private:
  void claim(std::int64_t item);
  void finish(audit::ItemRecord record);
  void run_model_batch();
  void report_progress();
  mpi::WorkQueue::FlushWord flush_announced_epochs();

  const AnonymizeOptions& options_;
  const JobPlan& plan_;
  const PipelineContext& context_;
  ForeignObjectStage* foreign_objects_;
  AuditWriter& audit_;
  const mpi::Communicator& comm_;
  const double start_;

  audit::JournalWriter journal_;
  mpi::WorkQueue queue_;
  std::ofstream rank_log_;
  AnonymizeSummary mine_;
  std::vector<audit::ItemRecord> unflushed_;
  std::vector<audit::ItemRecord> waiting_;  // ok items whose model input waits for the batch
  std::vector<cv::Mat> model_inputs_;
  long long epochs_done_ = 0;
  double last_flush_ = 0, last_progress_ = 0;
};

}  // namespace medanon::pipeline
