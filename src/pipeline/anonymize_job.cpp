#include "pipeline/anonymize_job.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <numeric>
#include <set>
#include <thread>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/stop_signal.hpp"
#include "deid/file_deidentifier.hpp"
#include "deid/pseudonyms.hpp"
#include "pixel/pixel_pipeline.hpp"
#include "dist/audit_file.hpp"
#include "dist/journal.hpp"
#include "dist/work_queue.hpp"
#include "io/atomic_file.hpp"
#include "io/contained_path.hpp"
#include "dist/out_lock.hpp"
#include "pipeline/resume_state.hpp"

namespace medanon::pipeline {
namespace {

namespace fs = std::filesystem;

// "<flushes> <rows>" after the last flush that completed; a file that disagrees was cut by a kill.
struct FlushMarker {
  long long flushes = -1, rows = -1;
};

// Everything rank 0 decides before the work starts, shared with every rank in one broadcast.
struct JobPlan {
  std::string problem;           // non-empty: the job cannot run (all ranks raise it)
  int problem_code = static_cast<int>(ExitCode::input_error);
  io::Manifest manifest;
  int attempt = 0;
  std::vector<std::int64_t> todo;
  long long items_in_scope = 0;  // the items of this shard (all of them without --shard)
  std::vector<ItemRecord> earlier_unflushed;  // rank 0 only: journaled but not in the HDF5
  std::vector<ItemRecord> crashed;            // rank 0 only: failed now, journaled by rank 0
  bool recreate_hdf5 = true;
  FlushMarker marker;
  long long earlier_failed = 0, earlier_rejected = 0, earlier_ok = 0;
};

bool is_inside(const fs::path& inner, const fs::path& outer) {
  const auto [mismatch, rest] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return mismatch == outer.end();
}

std::string flush_marker(const std::string& out) { return out + "/.medanon/flushes"; }

FlushMarker read_marker(const std::string& out) {
  std::ifstream in(flush_marker(out));
  FlushMarker marker;
  if (!(in >> marker.flushes >> marker.rows)) return {};
  return marker;
}

// Temporary files of writes a kill interrupted: never part of the output. Only medanon's own
// temporary names match (io::is_temporary_path): an input ID containing ".tmp." is an output.
void remove_partial_outputs(const std::string& out) {
  for (auto it = fs::recursive_directory_iterator(out); it != fs::recursive_directory_iterator(); ++it) {
    if (fs::is_regular_file(it->symlink_status()) && io::is_temporary_path(it->path().filename().string())) {
      io::remove_under(out, it->path().string());
    }
  }
}

io::Manifest build_manifest(const AnonymizeOptions& o) {
  if (!o.file_list.empty()) return io::manifest_from_list(o.file_list);
  if (!o.padchest_csv.empty()) return io::manifest_from_padchest(o.padchest_csv, o.input);
  return io::manifest_from_tree(o.input);
}

// Rank 0: the manifest, the safety checks on --out, and what an earlier attempt left.
JobPlan plan_job(const AnonymizeOptions& o, const deid::ProjectKey& key) {
  JobPlan plan;
  try {
    plan.manifest = build_manifest(o);
    const fs::path out = fs::weakly_canonical(fs::absolute(o.out));
    const fs::path root = fs::weakly_canonical(fs::absolute(plan.manifest.root));
    // A file list has no input tree, only files: none of them may lie inside --out.
    if (plan.manifest.source == "list") {
      for (const auto& item : plan.manifest.items) {
        if (is_inside(fs::weakly_canonical(fs::absolute(item.path)), out)) {
          throw InputError("an input of the file list lies inside --out: outputs never mix with originals");
        }
      }
    } else if (is_inside(out, root) || is_inside(root, out)) {
      throw InputError("--out must not be inside the input (or contain it): outputs never mix with originals");
    }
    if (o.restart) {
      fs::remove_all(out / ".medanon");
      fs::remove(o.hdf5);
    }
    fs::create_directories(out / ".medanon");
    remove_partial_outputs(out.string());
    dist::JournalContents journals = dist::read_journals(out.string());
    plan.attempt = journals.highest_attempt + 1;
    if (journals.torn_records > 0) {
      log::warn(std::to_string(journals.torn_records) + " journal record(s) cut by a kill are dropped; their items are redone");
    }
    // Nothing of an earlier run is taken over unless it was made with these inputs, key, options.
    check_or_store_identity(out.string(),
                            identity_of(plan.manifest, o.shard_index, o.shard_count, key.fingerprint(), o.effective_config),
                            journals.highest_attempt >= 0);
    const std::string path_hash_key(key.bytes().begin(), key.bytes().end());
    JournalVerdict verdict = judge_journals(journals.records, plan.manifest, path_hash_key, plan.attempt);
    const std::set<std::int64_t>& done = verdict.done;
    plan.earlier_ok = verdict.ok;
    plan.earlier_failed = verdict.failed;
    plan.earlier_rejected = verdict.rejected;
    plan.earlier_unflushed = std::move(verdict.finished);
    plan.crashed = std::move(verdict.crashed);
    if (!plan.crashed.empty()) {
      log::warn(std::to_string(plan.crashed.size()) + " item(s) ended their rank in two attempts: failed, not tried again");
    }
    if (verdict.retried > 0) log::warn(std::to_string(verdict.retried) + " item(s) that failed transiently are retried once");
    // Item indices stay those of the whole manifest, so the audits of an array's shards join.
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(plan.manifest.items.size()); ++i) {
      if (i % o.shard_count != o.shard_index) continue;
      ++plan.items_in_scope;
      if (!done.count(i)) plan.todo.push_back(i);
    }
    // The HDF5 file is kept only when its last flush completed (the marker is written after it).
    plan.marker = read_marker(out.string());
    plan.recreate_hdf5 = !fs::exists(o.hdf5) || plan.marker.flushes < 0;
  } catch (const Error& e) {
    plan.problem = e.what();
    plan.problem_code = static_cast<int>(e.code());
  } catch (const std::exception& e) {
    plan.problem = e.what();
  }
  return plan;
}

std::string encode_plan(const JobPlan& plan) {
  std::string problem = plan.problem;
  std::replace(problem.begin(), problem.end(), '\n', ' ');  // one line of the encoding
  std::string text = std::to_string(plan.problem_code) + ' ' + problem + '\n' + std::to_string(plan.attempt) + '\n' +
                     (plan.recreate_hdf5 ? "1" : "0") + '\n';
  text += std::to_string(plan.marker.flushes) + ' ' + std::to_string(plan.marker.rows) + '\n';
  text += std::to_string(plan.items_in_scope) + ' ' + std::to_string(plan.todo.size()) + '\n';
  for (auto item : plan.todo) text += std::to_string(item) + ' ';
  text += '\n' + io::serialize(plan.manifest);
  return text;
}

JobPlan decode_plan(const std::string& text) {
  JobPlan plan;
  size_t at = 0;
  auto line = [&] {
    const size_t end = text.find('\n', at);
    std::string value = text.substr(at, end - at);
    at = end + 1;
    return value;
  };
  const std::string problem = line();
  plan.problem_code = std::stoi(problem);
  plan.problem = problem.substr(problem.find(' ') + 1);
  plan.attempt = std::stoi(line());
  plan.recreate_hdf5 = line() == "1";
  const std::string marker = line();
  plan.marker.flushes = std::stoll(marker);
  plan.marker.rows = std::stoll(marker.substr(marker.find(' ') + 1));
  const std::string sizes = line();
  plan.items_in_scope = std::stoll(sizes);
  const size_t count = std::stoull(sizes.substr(sizes.find(' ') + 1));
  const std::string items = line();
  size_t cursor = 0;
  for (size_t i = 0; i < count; ++i) {
    size_t used = 0;
    plan.todo.push_back(std::stoll(items.substr(cursor), &used));
    cursor += used;
  }
  if (plan.problem.empty()) plan.manifest = io::deserialize_manifest(text.substr(at));
  return plan;
}

// The key is read by rank 0 only and broadcast: a key file on a node-local path, or one that
// only some nodes can read, cannot make the ranks disagree (and deadlock). Rank 0 reports.
deid::ProjectKey read_key_on_root(const AnonymizeOptions& o, const dist::Communicator& comm) {
  std::string bytes, problem;
  if (comm.is_root()) {
    try {
      const deid::ProjectKey key = deid::ProjectKey::for_job(o.key_file, o.insecure_key);
      bytes.assign(key.bytes().begin(), key.bytes().end());
    } catch (const std::exception& e) {
      problem = e.what();
      if (problem.empty()) problem = "the project key could not be read";
    }
  }
  problem = comm.broadcast_string(problem);
  if (!problem.empty()) throw UsageError(problem, Scope::all_ranks);
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
void agree_on_setup(const dist::Communicator& comm, const std::string& what, const std::function<void()>& setup) {
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

}  // namespace

AnonymizeSummary run_anonymize(const AnonymizeOptions& options, const dist::Communicator& comm) {
  const double start = MPI_Wtime();
  accept_stop_requests();  // from here a USR1/TERM means: flush what is done, exit 6
  io::set_durable_writes(true);  // outputs on disk before the journal says "done" (io/atomic_file.hpp)
  AnonymizeOptions o = options;
  // Rank 0's configuration is the job's: ranks started with other command lines (MPMD, a
  // node-local path) must still write identical collective HDF5 attributes and run identity.
  o.effective_config = comm.broadcast_string(o.effective_config);
  // OpenCV would otherwise start a thread per core in every rank: N ranks x N threads fight.
  cv::setNumThreads(o.threads);
  if (o.hdf5.empty()) o.hdf5 = o.out + "/medanon.h5";
  if (o.file_list.empty() && o.input.empty()) throw UsageError("give --input (a folder) or --file-list", Scope::all_ranks);
  if (o.shard_count < 1 || o.shard_index < 0 || o.shard_index >= o.shard_count) {
    throw UsageError("--shard K/N needs 0 <= K < N", Scope::all_ranks);
  }
  if (o.key_file.empty() && !o.insecure_key) {
    throw UsageError("give --key FILE (the project key), or --insecure-key for demos", Scope::all_ranks);
  }
  const deid::ProjectKey key = read_key_on_root(o, comm);
  // Rank 0's command line decides (the ranks' may differ under MPMD launches).
  const bool public_key = comm.broadcast_string(o.key_file.empty() ? "1" : "0") == "1";
  o.insecure_key = comm.broadcast_string(o.insecure_key ? "1" : "0") == "1";
  if (public_key) warn_public_key();

  // ---- plan on rank 0, shared with all -------------------------------------------------
  // Rank 0 holds the lock on --out until the job ends: one job per output folder.
  std::optional<dist::OutLock> out_lock;
  JobPlan mine;
  if (comm.is_root()) {
    try {
      out_lock.emplace(o.out);
      mine = plan_job(o, key);
    } catch (const Error& e) {
      mine.problem = e.what();
      mine.problem_code = static_cast<int>(e.code());
    }
  }
  JobPlan plan = decode_plan(comm.broadcast_string(comm.is_root() ? encode_plan(mine) : std::string()));
  if (!plan.problem.empty()) throw Error(static_cast<ExitCode>(plan.problem_code), plan.problem, Scope::all_ranks);
  if (comm.is_root()) plan.earlier_unflushed = std::move(mine.earlier_unflushed);

  // ---- the shared HDF5 file: kept when consistent, else rebuilt from every journal --------
  std::optional<dist::AuditFile> audit;
  double hdf5_seconds = 0;  // wall time this rank spends in HDF5 calls (open, flushes, attributes)
  double hdf5_since = MPI_Wtime();
  if (!plan.recreate_hdf5) {
    long long broken = 0;
    try {
      audit.emplace(dist::AuditFile::open(o.hdf5, comm.handle()));
      broken = audit->int_attribute("flushes") != plan.marker.flushes || audit->rows() != plan.marker.rows;
    } catch (const std::exception&) {
      broken = 1;
    }
    if (comm.allreduce_max(broken) != 0) {
      log::warn("the HDF5 file was cut by a kill during a flush; rebuilding it from the journals");
      audit.reset();
      plan.recreate_hdf5 = true;
    }
  }
  if (plan.recreate_hdf5) audit.emplace(dist::AuditFile::create(o.hdf5, comm.handle()));
  long long flushes = plan.recreate_hdf5 ? 0 : audit->int_attribute("flushes");
  if (!plan.recreate_hdf5 && comm.is_root()) {
    // Keep only the journal records the file does not hold yet (exactly once).
    // (item, attempt): an item retried after a transient failure has a row per attempt.
    std::set<std::pair<std::int64_t, std::int32_t>> in_file;
    for (const ItemRecord& row : audit->records()) in_file.insert({row.item, row.attempt});
    auto& pending = plan.earlier_unflushed;
    pending.erase(std::remove_if(pending.begin(), pending.end(),
                                 [&](const ItemRecord& r) { return in_file.count({r.item, r.attempt}) > 0; }),
                  pending.end());
  }
  const std::string started = std::to_string(static_cast<long long>(std::time(nullptr)));
  audit->set_attribute("medanon_version", std::string(MEDANON_VERSION));
  audit->set_attribute("key_fingerprint", key.fingerprint());
  // Who can recompute this audit's hashes: everyone, with the public demo key.
  audit->set_attribute("insecure_key", std::string(public_key ? "public demo key: pseudonyms and hashes reversible by anyone"
                                                   : o.insecure_key ? "key file readable by others" : "no"));
  audit->set_attribute("config", o.effective_config);
  audit->set_attribute("world_size", static_cast<std::int64_t>(comm.size()));
  audit->set_attribute("items_total", static_cast<std::int64_t>(plan.items_in_scope));
  audit->set_attribute("shard", std::to_string(o.shard_index) + "/" + std::to_string(o.shard_count));
  audit->set_attribute("attempt", static_cast<std::int64_t>(plan.attempt));
  audit->set_attribute("started", comm.broadcast_string(started));
  hdf5_seconds += MPI_Wtime() - hdf5_since;

  deid::DeidConfig deid_config;  // the defaults: Basic Profile + modified dates + clean pixel data
  deid_config.profile_table = o.configs_dir + "/deid/ps3.15-table-e1-1.tsv";
  deid_config.iod_types = o.configs_dir + "/deid/iod-types.tsv";
  deid_config.options.clean_pixel_data = o.stages.text;
  deid_config.options.public_demo_key = public_key;
  deid_config.clean_structured_content = o.clean_structured_content;
  deid_config.keep_documents_header_only = o.keep_documents_header_only;
  // Each rank reads the tables (and Tesseract's data) itself; a rank that cannot prints why,
  // and every rank stops together instead of the others waiting in a collective.
  std::optional<deid::FileDeidentifier> deidentifier;
  std::unique_ptr<pixel::PixelPipeline> pixel_stages;
  agree_on_setup(comm, "loading the de-identification tables and pixel stages", [&] {
    deidentifier.emplace(deid_config, key);
    if (o.stages.text) pixel_stages = std::make_unique<pixel::PixelPipeline>(o.pixel);
  });

  // Every rank loads the model; if any cannot, all raise the same error (collective).
  std::unique_ptr<ForeignObjectStage> foreign_objects;
  if (o.stages.mae && o.make_foreign_object_stage) {
    std::string problem;
    try {
      foreign_objects = o.make_foreign_object_stage();
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (comm.allreduce_max(problem.empty() ? 0 : 1) != 0) {
      throw InputError("the foreign-object model could not be loaded" + (problem.empty() ? std::string(" on another rank") : ": " + problem),
                       Scope::all_ranks);
    }
    if (comm.is_root()) log::info("foreign-object stage: " + foreign_objects->description());
  }

  PipelineContext context;
  context.deid = &*deidentifier;
  context.pixel = pixel_stages.get();
  context.out = o.out;
  context.manifest = &plan.manifest;
  context.path_hash_key.assign(key.bytes().begin(), key.bytes().end());
  context.options = o.stages;
  context.rank = comm.rank();
  context.attempt = plan.attempt;

  // ---- the work loop: claim, process, journal; flush when rank 0 says so -----------------
  // With the MAE on, finished items wait (at most batch_size of them) for one batched model
  // call before they are journaled: a kill loses at most that batch, which is simply redone.
  AnonymizeSummary summary;
  summary.attempt = plan.attempt;
  summary.items = plan.items_in_scope;
  summary.skipped_done = summary.items - static_cast<long long>(plan.todo.size());
  dist::JournalWriter journal(dist::journal_path(o.out, plan.attempt, comm.rank()));
  dist::WorkQueue queue(plan.todo, comm.handle());
  std::vector<ItemRecord> unflushed = comm.is_root() ? std::move(plan.earlier_unflushed) : std::vector<ItemRecord>{};
  if (comm.is_root()) {
    for (ItemRecord& record : mine.crashed) {
      journal.append(record);
      unflushed.push_back(std::move(record));
    }
  }
  long long epochs_done = 0;
  bool out_of_work = false, stop_forwarded = false;
  double last_flush = MPI_Wtime(), last_progress = MPI_Wtime();
  std::ofstream rank_log(o.out + "/.medanon/rank-" + std::to_string(comm.rank()) + ".log", std::ios::app);
  auto claim = [&](std::int64_t item) {
    // Durable before the item starts: an item that kills its rank is known to the next attempt.
    ItemRecord claimed;
    claimed.item = item;
    claimed.input_hash = input_path_hash(context.path_hash_key, plan.manifest.items.at(static_cast<size_t>(item)).path);
    claimed.status = ItemStatus::claimed;
    claimed.rank = comm.rank();
    claimed.attempt = plan.attempt;
    journal.append(claimed);
  };
  auto finish = [&](ItemRecord record) {
    journal.append(record);  // durable before the next claim: the item is done
    queue.count_finished(record.status != ItemStatus::ok);
    rank_log << "attempt " << plan.attempt << " item " << record.item << " status " << static_cast<int>(record.status)
             << " seconds " << std::accumulate(record.seconds.begin(), record.seconds.end(), 0.0f) << std::endl;
    (record.status == ItemStatus::ok ? summary.ok : record.status == ItemStatus::failed ? summary.failed : summary.rejected) += 1;
    ++summary.processed_now;
    unflushed.push_back(std::move(record));
  };
  std::vector<ItemRecord> waiting;  // ok items whose model input waits for the batch
  std::vector<cv::Mat> model_inputs;
  auto run_model_batch = [&] {
    std::vector<ItemRecord*> records;
    for (auto& record : waiting) records.push_back(&record);
    const double t0 = MPI_Wtime();
    try {
      foreign_objects->detect(model_inputs, records);
      const float each = static_cast<float>((MPI_Wtime() - t0) / static_cast<double>(waiting.size()));
      for (auto& record : waiting) record.seconds[static_cast<int>(Stage::mae)] += each;
    } catch (const std::exception& e) {
      // The image was de-identified, but its foreign-object check failed: not a finished item.
      for (auto& record : waiting) {
        // record.output was built from generated names; still, never delete outside --out.
        io::remove_under(o.out, (fs::path(o.out) / record.output).string());
        record.status = ItemStatus::failed;
        record.error = std::string("foreign-object stage: ") + e.what();
        record.retryable = true;  // a model or resource failure, not the input's fault
        record.output.clear();
      }
    }
    for (auto& record : waiting) finish(std::move(record));
    waiting.clear();
    model_inputs.clear();
  };
  while (true) {
    std::int64_t item = -1;
    const bool batch_full = foreign_objects && static_cast<int>(waiting.size()) >= foreign_objects->batch_size();
    const bool claimed = !out_of_work && !stop_requested() && !batch_full && queue.next(item);
    if (claimed) {
      claim(item);
      cv::Mat model_input;
      ItemRecord record = process_item(item, context, foreign_objects ? &model_input : nullptr);
      if (foreign_objects && record.status == ItemStatus::ok && !model_input.empty()) {
        waiting.push_back(std::move(record));
        model_inputs.push_back(std::move(model_input));
      } else {
        finish(std::move(record));
      }
    } else if (!waiting.empty()) {
      run_model_batch();
    } else if (!out_of_work) {
      out_of_work = true;
      queue.mark_out_of_work();
    }
    if (stop_requested() && !stop_forwarded) {
      stop_forwarded = true;
      summary.interrupted = true;
      queue.ask_for_flush();
    }
    if (comm.is_root()) {
      queue.publish_if_due(MPI_Wtime() - last_flush > o.flush_seconds);
      if (MPI_Wtime() - last_progress > o.progress_seconds) {
        last_progress = MPI_Wtime();
        const auto p = queue.progress();
        const double rate = p.finished / std::max(1e-9, MPI_Wtime() - start);
        const long long left = static_cast<long long>(plan.todo.size()) - p.finished;
        log::info("progress: " + std::to_string(summary.skipped_done + p.finished) + "/" + std::to_string(summary.items) +
                  " items, " + std::to_string(rate).substr(0, 6) + " items/s, ETA " +
                  std::to_string(static_cast<long long>(left / std::max(rate, 1e-9))) + " s, " + std::to_string(p.failed) +
                  " failed");
      }
    }
    const dist::WorkQueue::FlushWord word = queue.flush_word();
    while (epochs_done < word.epoch) {  // every rank takes part in every epoch, in order
      comm.barrier();  // so that hdf5_seconds counts output, not waiting for a rank's last item
      hdf5_since = MPI_Wtime();
      audit->append(unflushed);
      unflushed.clear();
      ++flushes;
      audit->set_attribute("flushes", static_cast<std::int64_t>(flushes));
      audit->flush();
      const long long rows = audit->rows();
      if (comm.is_root()) {
        io::write_text_atomically(flush_marker(o.out), std::to_string(flushes) + " " + std::to_string(rows) + "\n");
      }
      ++epochs_done;
      last_flush = MPI_Wtime();
      hdf5_seconds += last_flush - hdf5_since;
    }
    if (word.final && epochs_done == word.epoch) break;
    if (out_of_work) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  comm.barrier();
  hdf5_since = MPI_Wtime();
  audit->set_attribute("finished", comm.broadcast_string(std::to_string(static_cast<long long>(std::time(nullptr)))));
  // Were all raw-data writes of this attempt really collective? (0 = yes; tests assert it)
  audit->set_attribute("no_collective_cause", comm.allreduce_max(static_cast<long long>(audit->no_collective_causes())));
  audit->flush();
  hdf5_seconds += MPI_Wtime() - hdf5_since;
  summary.hdf5_seconds = static_cast<double>(comm.allreduce_max(static_cast<long long>(hdf5_seconds * 1e6))) / 1e6;
  audit->set_attribute("hdf5_seconds", std::to_string(summary.hdf5_seconds));
  summary.ok = comm.allreduce_sum(summary.ok) + mine.earlier_ok;
  summary.failed = comm.allreduce_sum(summary.failed) + mine.earlier_failed;
  summary.rejected = comm.allreduce_sum(summary.rejected) + mine.earlier_rejected;
  summary.processed_now = comm.allreduce_sum(summary.processed_now);
  summary.interrupted = comm.allreduce_max(summary.interrupted ? 1 : 0) != 0;
  summary.seconds = MPI_Wtime() - start;
  return summary;
}

}  // namespace medanon::pipeline
