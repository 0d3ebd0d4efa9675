#include "pipeline/audit_writer.hpp"

#include <mpi.h>

#include <algorithm>
#include <ctime>
#include <set>
#include <utility>

#include "audit/flush_marker.hpp"
#include "core/log.hpp"

namespace medanon::pipeline {

AuditWriter::AuditWriter(const AnonymizeOptions& o, JobPlan& plan, const deid::ProjectKey& key, bool public_key,
                         const mpi::Communicator& comm)
    : comm_(comm), out_(o.out) {
  const double since = MPI_Wtime();
  if (!plan.recreate_hdf5) {
    long long broken = 0;
    try {
      file_.emplace(audit::AuditFile::open(o.hdf5, comm.handle()));
      broken = file_->int_attribute("flushes") != plan.marker.flushes || file_->rows() != plan.marker.rows;
    } catch (const std::exception&) {
      broken = 1;
    }
    if (comm.allreduce_max(broken) != 0) {
      log::warn("the HDF5 file was cut by a kill during a flush; rebuilding it from the journals");
      file_.reset();
      plan.recreate_hdf5 = true;
    }
  }
  if (plan.recreate_hdf5) {
    file_.emplace(audit::AuditFile::create(o.hdf5, comm.handle()));
  } else {
    flushes_ = file_->int_attribute("flushes");
    if (comm.is_root()) {
      // (item, attempt): an item retried after a transient failure has a row per attempt.
      std::set<std::pair<std::int64_t, std::int32_t>> in_file;
      for (const audit::ItemRecord& row : file_->records()) in_file.insert({row.item, row.attempt});
      auto& pending = plan.earlier.unflushed;
      pending.erase(std::remove_if(pending.begin(), pending.end(),
                                   [&](const audit::ItemRecord& r) { return in_file.count({r.item, r.attempt}) > 0; }),
                    pending.end());
    }
  }
  set_job_attributes(o, plan, key, public_key);
  seconds_ += MPI_Wtime() - since;
}

void AuditWriter::set_job_attributes(const AnonymizeOptions& o, const JobPlan& plan, const deid::ProjectKey& key,
                                     bool public_key) {
  const std::string started = std::to_string(static_cast<long long>(std::time(nullptr)));
  file_->set_attribute("medanon_version", std::string(MEDANON_VERSION));
  file_->set_attribute("key_fingerprint", key.fingerprint());
  // Who can recompute this audit's hashes: everyone, with the public demo key.
  file_->set_attribute("insecure_key", std::string(public_key ? "public demo key: pseudonyms and hashes reversible by anyone"
                                                   : o.insecure_key ? "key file readable by others" : "no"));
  file_->set_attribute("config", o.effective_config);
  file_->set_attribute("world_size", static_cast<std::int64_t>(comm_.size()));
  file_->set_attribute("items_total", static_cast<std::int64_t>(plan.items_in_scope));
  file_->set_attribute("shard", std::to_string(o.shard_index) + "/" + std::to_string(o.shard_count));
  file_->set_attribute("attempt", static_cast<std::int64_t>(plan.attempt));
  file_->set_attribute("started", comm_.broadcast_string(started));
}

void AuditWriter::flush(std::vector<audit::ItemRecord>& records) {
  comm_.barrier();  // so that the seconds count output, not waiting for a rank's last item
  const double since = MPI_Wtime();
  file_->append(records);
  records.clear();
  ++flushes_;
  file_->set_attribute("flushes", static_cast<std::int64_t>(flushes_));
  file_->flush();
  const long long rows = file_->rows();
  if (comm_.is_root()) audit::write_flush_marker(out_, {flushes_, rows});
  seconds_ += MPI_Wtime() - since;
}

double AuditWriter::finish() {
  comm_.barrier();
  const double since = MPI_Wtime();
  file_->set_attribute("finished", comm_.broadcast_string(std::to_string(static_cast<long long>(std::time(nullptr)))));
  // Were all raw-data writes of this attempt really collective? (0 = yes; tests assert it)
  file_->set_attribute("no_collective_cause", comm_.allreduce_max(static_cast<long long>(file_->no_collective_causes())));
  file_->flush();
  seconds_ += MPI_Wtime() - since;
  const double slowest = static_cast<double>(comm_.allreduce_max(static_cast<long long>(seconds_ * 1e6))) / 1e6;
  file_->set_attribute("hdf5_seconds", std::to_string(slowest));
  return slowest;
}

}  // namespace medanon::pipeline
