#include "pipeline/job_plan.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "audit/journal.hpp"
#include "audit/resume_state.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "io/atomic_file.hpp"
#include "io/contained_path.hpp"

namespace medanon::pipeline {
namespace {

namespace fs = std::filesystem;

bool is_inside(const fs::path& inner, const fs::path& outer) {
  const auto [mismatch, rest] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return mismatch == outer.end();
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

// Outputs never mix with originals: --out is neither inside the input nor around it, and no
// listed input lies inside --out.
void check_out_apart_from_input(const io::Manifest& manifest, const fs::path& out) {
  const fs::path root = fs::weakly_canonical(fs::absolute(manifest.root));
  if (manifest.source == "list") {
    for (const auto& item : manifest.items) {
      if (is_inside(fs::weakly_canonical(fs::absolute(item.path)), out)) {
        throw InputError("an input of the file list lies inside --out: outputs never mix with originals");
      }
    }
  } else if (is_inside(out, root) || is_inside(root, out)) {
    throw InputError("--out must not be inside the input (or contain it): outputs never mix with originals");
  }
}

}  // namespace

JobPlan plan_job(const AnonymizeOptions& o, const deid::ProjectKey& key) {
  JobPlan plan;
  plan.manifest = build_manifest(o);
  const fs::path out = fs::weakly_canonical(fs::absolute(o.out));
  check_out_apart_from_input(plan.manifest, out);
  if (o.restart) {
    fs::remove_all(out / ".medanon");
    fs::remove(o.hdf5);
  }
  fs::create_directories(out / ".medanon");
  remove_partial_outputs(out.string());
  audit::JournalContents journals = audit::read_journals(out.string());
  plan.attempt = journals.highest_attempt + 1;
  if (journals.torn_records > 0) {
    log::warn(std::to_string(journals.torn_records) + " journal record(s) cut by a kill are dropped; their items are redone");
  }
  // Nothing of an earlier run is taken over unless it was made with these inputs, key, options.
  audit::check_or_store_identity(
      out.string(), audit::identity_of(plan.manifest, o.shard_index, o.shard_count, key.fingerprint(), o.effective_config),
      journals.highest_attempt >= 0);
  const std::string path_hash_key(key.bytes().begin(), key.bytes().end());
  audit::JournalVerdict verdict = audit::judge_journals(journals.records, plan.manifest, path_hash_key, plan.attempt);
  plan.earlier = {std::move(verdict.finished), std::move(verdict.crashed), verdict.ok, verdict.failed, verdict.rejected};
  if (!plan.earlier.crashed.empty()) {
    log::warn(std::to_string(plan.earlier.crashed.size()) + " item(s) ended their rank in two attempts: failed, not tried again");
  }
  if (verdict.retried > 0) log::warn(std::to_string(verdict.retried) + " item(s) that failed transiently are retried once");
  // Item indices stay those of the whole manifest, so the audits of an array's shards join.
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(plan.manifest.items.size()); ++i) {
    if (i % o.shard_count != o.shard_index) continue;
    ++plan.items_in_scope;
    if (!verdict.done.count(i)) plan.todo.push_back(i);
  }
  // The HDF5 file is kept only when its last flush completed (the marker is written after it).
  plan.marker = audit::read_flush_marker(out.string());
  plan.recreate_hdf5 = !fs::exists(o.hdf5) || plan.marker.flushes < 0;
  return plan;
}

// Lines: attempt, recreate_hdf5, "flushes rows", "items_in_scope todo_count", the todo items
// separated by spaces, then the manifest's own serialisation.
std::string encode_plan(const JobPlan& plan) {
  std::ostringstream text;
  text << plan.attempt << '\n' << (plan.recreate_hdf5 ? 1 : 0) << '\n';
  text << plan.marker.flushes << ' ' << plan.marker.rows << '\n';
  text << plan.items_in_scope << ' ' << plan.todo.size() << '\n';
  for (auto item : plan.todo) text << item << ' ';
  text << '\n' << io::serialize(plan.manifest);
  return text.str();
}

JobPlan decode_plan(const std::string& text) {
  size_t at = 0;
  auto line = [&] {
    const size_t end = text.find('\n', at);
    if (end == std::string::npos) throw InternalError("the broadcast job plan is cut short");
    std::istringstream fields(text.substr(at, end - at));
    at = end + 1;
    return fields;
  };
  JobPlan plan;
  int recreate = 0;
  size_t count = 0;
  line() >> plan.attempt;
  line() >> recreate;
  line() >> plan.marker.flushes >> plan.marker.rows;
  line() >> plan.items_in_scope >> count;
  plan.recreate_hdf5 = recreate != 0;
  std::istringstream items = line();
  for (std::int64_t item = -1; items >> item;) plan.todo.push_back(item);
  if (plan.todo.size() != count) throw InternalError("the broadcast job plan's item list is malformed");
  plan.manifest = io::deserialize_manifest(text.substr(at));
  return plan;
}

JobPlan share_plan(const AnonymizeOptions& o, const deid::ProjectKey& key, const mpi::Communicator& comm,
                   std::optional<audit::OutLock>& out_lock) {
  JobPlan mine;
  comm.run_on_root("", [&] {
    out_lock.emplace(o.out);  // one job per output folder, until this job ends
    mine = plan_job(o, key);
  }, ExitCode::input_error);
  JobPlan plan = decode_plan(comm.broadcast_string(comm.is_root() ? encode_plan(mine) : std::string()));
  if (comm.is_root()) plan.earlier = std::move(mine.earlier);
  return plan;
}

}  // namespace medanon::pipeline
