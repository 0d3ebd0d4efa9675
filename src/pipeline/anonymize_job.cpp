#include "pipeline/anonymize_job.hpp"

#include <mpi.h>

#include <memory>
#include <optional>

#include "audit/out_lock.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/stop_signal.hpp"
#include "deid/file_deidentifier.hpp"
#include "deid/pseudonyms.hpp"
#include "io/atomic_file.hpp"
#include "pixel/pixel_pipeline.hpp"
#include "pipeline/audit_writer.hpp"
#include "pipeline/job_plan.hpp"
#include "pipeline/work_loop.hpp"

namespace medanon::pipeline {
namespace {

// The key is read by rank 0 only and broadcast: a key file on a node-local path, or one that
// only some nodes can read, cannot make the ranks disagree (and deadlock). Rank 0 reports.
deid::ProjectKey read_key_on_root(const AnonymizeOptions& o, const mpi::Communicator& comm) {
  std::string bytes;
  comm.run_on_root("", [&] {
    const deid::ProjectKey key = deid::ProjectKey::for_job(o.key_file, o.insecure_key);
    bytes.assign(key.bytes().begin(), key.bytes().end());
  }, ExitCode::usage_error);
  bytes = comm.broadcast_string(bytes);
  return deid::ProjectKey::from_bytes(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

void warn_public_key() {
  log::warn("!!! --insecure-key without --key: this job uses medanon's PUBLIC demo key. Anyone can recompute every "
            "pseudonym, date shift and path hash of its outputs and audit: they are NOT de-identified. Demos only; "
            "recorded in the audit (insecure_key) and in every DICOM output's DeidentificationMethod.");
}

// Runs `setup` on every rank; a rank that fails prints its own error, then every rank throws
// together (an error only some ranks meet must never leave the others in a collective).
void agree_on_setup(const mpi::Communicator& comm, const std::string& what, const std::function<void()>& setup) {
  long long failed = 0;
  ExitCode code = ExitCode::input_error;
  try {
    setup();
  } catch (const Error& e) {
    log::rank_error(what + ": " + e.what());
    code = e.code();
    failed = 1;
  } catch (const std::exception& e) {
    log::rank_error(what + ": " + e.what());
    failed = 1;
  }
  const long long ranks_failed = comm.allreduce_sum(failed);
  if (ranks_failed > 0) {
    throw Error(code, what + " failed on " + std::to_string(ranks_failed) + " of " + std::to_string(comm.size()) +
                          " rank(s); each printed its error above",
                Scope::all_ranks);
  }
}

// Rank 0's configuration is the job's: ranks started with other command lines (MPMD, a
// node-local path) must still write identical collective HDF5 attributes and run identity.
AnonymizeOptions agreed_options(const AnonymizeOptions& options, const mpi::Communicator& comm) {
  AnonymizeOptions o = options;
  o.effective_config = comm.broadcast_string(o.effective_config);
  if (o.hdf5.empty()) o.hdf5 = o.out + "/medanon.h5";
  if (o.file_list.empty() && o.input.empty()) throw UsageError("give --input (a folder) or --file-list", Scope::all_ranks);
  if (o.shard_count < 1 || o.shard_index < 0 || o.shard_index >= o.shard_count) {
    throw UsageError("--shard K/N needs 0 <= K < N", Scope::all_ranks);
  }
  if (o.key_file.empty() && !o.insecure_key) {
    throw UsageError("give --key FILE (the project key), or --insecure-key for demos", Scope::all_ranks);
  }
  return o;
}

// Phase 3, the stages: each rank reads the tables (and Tesseract's data) itself and loads the
// model; a rank that cannot prints why, and every rank stops together instead of the others
// waiting in a collective.
struct Stages {
  std::optional<deid::FileDeidentifier> deid;
  std::unique_ptr<pixel::PixelPipeline> pixel;
  std::unique_ptr<ForeignObjectStage> foreign_objects;
};

Stages load_stages(const AnonymizeOptions& o, const deid::ProjectKey& key, bool public_key, const mpi::Communicator& comm) {
  deid::DeidConfig deid_config;  // the defaults: Basic Profile + modified dates + clean pixel data
  deid_config.profile_table = o.configs_dir + "/deid/ps3.15-table-e1-1.tsv";
  deid_config.iod_types = o.configs_dir + "/deid/iod-types.tsv";
  deid_config.options.clean_pixel_data = o.stages.text;
  deid_config.options.public_demo_key = public_key;
  deid_config.clean_structured_content = o.clean_structured_content;
  deid_config.keep_documents_header_only = o.keep_documents_header_only;
  Stages stages;
  agree_on_setup(comm, "loading the de-identification tables and pixel stages", [&] {
    stages.deid.emplace(deid_config, key);
    if (o.stages.text) stages.pixel = std::make_unique<pixel::PixelPipeline>(o.pixel);
  });
  if (o.stages.mae && o.make_foreign_object_stage) {
    std::string problem;
    try {
      stages.foreign_objects = o.make_foreign_object_stage();
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (comm.allreduce_max(problem.empty() ? 0 : 1) != 0) {
      throw InputError("the foreign-object model could not be loaded" + (problem.empty() ? std::string(" on another rank") : ": " + problem),
                       Scope::all_ranks);
    }
    if (comm.is_root()) log::info("foreign-object stage: " + stages.foreign_objects->description());
  }
  return stages;
}

}  // namespace

AnonymizeSummary run_anonymize(const AnonymizeOptions& options, const mpi::Communicator& comm) {
  const double start = MPI_Wtime();
  accept_stop_requests();  // from here a USR1/TERM means: flush what is done, exit 6
  io::set_durable_writes(true);  // outputs on disk before the journal says "done" (io/atomic_file.hpp)
  AnonymizeOptions o = agreed_options(options, comm);
  // OpenCV would otherwise start a thread per core in every rank: N ranks x N threads fight.
  cv::setNumThreads(o.threads);
  const deid::ProjectKey key = read_key_on_root(o, comm);
  // Rank 0's command line decides (the ranks' may differ under MPMD launches).
  const bool public_key = comm.broadcast_string(o.key_file.empty() ? "1" : "0") == "1";
  o.insecure_key = comm.broadcast_string(o.insecure_key ? "1" : "0") == "1";
  if (public_key) warn_public_key();

  std::optional<audit::OutLock> out_lock;  // rank 0 holds it until the job ends
  JobPlan plan = share_plan(o, key, comm, out_lock);
  AuditWriter audit(o, plan, key, public_key, comm);
  Stages stages = load_stages(o, key, public_key, comm);

  PipelineContext context;
  context.deid = &*stages.deid;
  context.pixel = stages.pixel.get();
  context.out = o.out;
  context.manifest = &plan.manifest;
  context.path_hash_key.assign(key.bytes().begin(), key.bytes().end());
  context.options = o.stages;
  context.rank = comm.rank();
  context.attempt = plan.attempt;
  WorkLoop loop(o, plan, context, stages.foreign_objects.get(), audit, comm, start);
  const AnonymizeSummary mine = loop.run(std::move(plan.earlier.unflushed), std::move(plan.earlier.crashed));

  AnonymizeSummary summary;
  summary.attempt = plan.attempt;
  summary.items = plan.items_in_scope;
  summary.skipped_done = summary.items - static_cast<long long>(plan.todo.size());
  summary.hdf5_seconds = audit.finish();
  summary.ok = comm.allreduce_sum(mine.ok) + plan.earlier.ok;
  summary.failed = comm.allreduce_sum(mine.failed) + plan.earlier.failed;
  summary.rejected = comm.allreduce_sum(mine.rejected) + plan.earlier.rejected;
  summary.processed_now = comm.allreduce_sum(mine.processed_now);
  summary.interrupted = comm.allreduce_max(mine.interrupted ? 1 : 0) != 0;
  summary.seconds = MPI_Wtime() - start;
  return summary;
}

}  // namespace medanon::pipeline
