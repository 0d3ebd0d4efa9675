#pragma once
// Phase 2 of the anonymize job, the audit writer: the shared HDF5 file, kept from an earlier
// attempt when its last flush completed and rebuilt from the journals when a kill cut it; the
// job's attributes; one collective append per flush epoch; the closing attributes.
//
// Collective contract: the constructor, flush() and finish() are called by every rank, in the
// same order. Journals stay the truth (audit/journal.hpp): whatever this writer loses to a kill
// is rebuilt from them by the next attempt.

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_file.hpp"
#include "audit/item_record.hpp"
#include "deid/pseudonyms.hpp"
#include "mpi/mpi_session.hpp"
#include "pipeline/anonymize_job.hpp"
#include "pipeline/job_plan.hpp"

namespace medanon::pipeline {

class AuditWriter {
 public:
  // On rank 0, drops from plan.earlier.unflushed the records a kept file already holds (each
  // row is written exactly once).
  AuditWriter(const AnonymizeOptions& options, JobPlan& plan, const deid::ProjectKey& key, bool public_key,
              const mpi::Communicator& comm);

  // Appends every rank's `records` (cleared) and flushes; then rank 0 moves the marker.
  void flush(std::vector<audit::ItemRecord>& records);
  // The closing attributes; returns the slowest rank's seconds in HDF5 calls.
  double finish();

 private:
  void set_job_attributes(const AnonymizeOptions& options, const JobPlan& plan, const deid::ProjectKey& key,
                          bool public_key);

  const mpi::Communicator& comm_;
  std::string out_;
  std::optional<audit::AuditFile> file_;
  long long flushes_ = 0;
  double seconds_ = 0;  // this rank's wall time in HDF5 calls (open, flushes, attributes)
};

}  // namespace medanon::pipeline
