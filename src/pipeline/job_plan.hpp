#pragma once
// Phase 1 of the anonymize job, the plan: rank 0 builds the manifest, checks --out, reads what
// earlier attempts journaled and decides which items are left; every rank gets the same plan.
//
// Collective contract: share_plan is called by every rank. Rank 0 plans; when it cannot (bad
// input, --out inside the input, a resume that does not match, --out locked), every rank
// raises rank 0's error together (Scope::all_ranks), with its exit code.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/flush_marker.hpp"
#include "audit/item_record.hpp"
#include "audit/out_lock.hpp"
#include "deid/pseudonyms.hpp"
#include "io/manifest.hpp"
#include "mpi/mpi_session.hpp"
#include "pipeline/anonymize_job.hpp"

namespace medanon::pipeline {

// What earlier attempts left, known to rank 0 only (never broadcast).
struct EarlierAttempts {
  std::vector<audit::ItemRecord> unflushed;  // journaled but not yet in the HDF5 file
  std::vector<audit::ItemRecord> crashed;    // claimed twice, never finished: failed now
  long long ok = 0, failed = 0, rejected = 0;
};

struct JobPlan {
  io::Manifest manifest;
  int attempt = 0;                   // 0 for a first run, +1 per resume
  std::vector<std::int64_t> todo;    // manifest indices still to process, in order
  long long items_in_scope = 0;      // the items of this shard (all of them without --shard)
  bool recreate_hdf5 = true;         // the HDF5 file is missing or was cut by a kill
  audit::FlushMarker marker;
  EarlierAttempts earlier;           // rank 0 only
};

// Rank 0 only; throws medanon::Error when the job cannot run.
JobPlan plan_job(const AnonymizeOptions& options, const deid::ProjectKey& key);

// Everything but `earlier`, as text that one broadcast carries to every rank.
std::string encode_plan(const JobPlan& plan);
JobPlan decode_plan(const std::string& text);  // throws InternalError when malformed

// Collective: rank 0 takes the lock on --out (held in `out_lock` until the job ends) and plans;
// every rank returns the same plan, rank 0's with `earlier`.
JobPlan share_plan(const AnonymizeOptions& options, const deid::ProjectKey& key, const mpi::Communicator& comm,
                   std::optional<audit::OutLock>& out_lock);

}  // namespace medanon::pipeline
