#include "audit/resume_state.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "deid/sha256.hpp"
#include "io/atomic_file.hpp"
#include "audit/input_hash.hpp"

namespace medanon::audit {
namespace {

std::string identity_path(const std::string& out) { return out + "/.medanon/run-identity"; }

std::string encode(const RunIdentity& identity) {
  return "items " + identity.items + "\nkey " + identity.key + "\noptions " + identity.options + "\n";
}

RunIdentity decode(const std::string& text) {
  RunIdentity identity;
  std::istringstream in(text);
  std::string name, value;
  while (in >> name >> value) {
    (name == "items" ? identity.items : name == "key" ? identity.key : identity.options) = value;
  }
  return identity;
}

}  // namespace

bool is_run_only_setting(const std::string& line) {
  static const char* const kRunOnly[] = {
      "flush-seconds", "progress-seconds", "threads", "mae-threads", "mae-device", "mae-batch-size",
      "restart",       "resume",           "out",     "hdf5",        "key",        "insecure-key",
      "config",        "log-level"};
  const std::string key = line.substr(0, line.find('='));
  std::string trimmed = key.substr(0, key.find_last_not_of(' ') + 1);
  for (const char* name : kRunOnly) {
    if (trimmed == name) return true;
  }
  return false;
}

RunIdentity identity_of(const io::Manifest& manifest, int shard_index, int shard_count,
                        const std::string& key_fingerprint, const std::string& effective_config) {
  std::string items = manifest.source + '\n' + std::to_string(shard_index) + '/' + std::to_string(shard_count) + '\n';
  for (const auto& item : manifest.items)
    items += item.path + '\t' + std::to_string(static_cast<int>(item.kind)) + '\n';
  std::string options;
  std::istringstream lines(effective_config);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] != '#' && !is_run_only_setting(line)) options += line + '\n';
  }
  return {deid::to_hex(deid::sha256(items)), key_fingerprint, deid::to_hex(deid::sha256(options))};
}

void check_or_store_identity(const std::string& out, const RunIdentity& identity, bool earlier_run) {
  const std::string path = identity_path(out);
  std::ifstream in(path);
  if (!earlier_run || !in) {
    if (earlier_run) log::warn("--out holds a run without a run identity (an older medanon): recording this one's");
    io::write_text_atomically(path, encode(identity));
    return;
  }
  const RunIdentity stored = decode(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
  std::string differs;
  if (stored.items != identity.items) differs += " the item list (inputs or --shard)";
  if (stored.key != identity.key)
    differs += std::string(differs.empty() ? "" : ",") + " the key (fingerprint " + stored.key + " before, " +
               identity.key + " now)";
  if (stored.options != identity.options)
    differs += std::string(differs.empty() ? "" : ",") + " the options that shape outputs";
  if (!differs.empty()) {
    throw InputError(
        "refusing to resume the run in " + out + ": it was made with different" + differs +
        ". Resume with the same inputs, key and options, or start over with --restart, or use a new --out");
  }
}

JournalVerdict judge_journals(const std::vector<ItemRecord>& records, const io::Manifest& manifest,
                              const std::string& path_hash_key, int attempt) {
  struct History {
    std::set<int> claimed_attempts, finished_attempts;
    const ItemRecord* latest = nullptr;
    int transient_failures = 0;
  };
  std::map<std::int64_t, History> items;
  JournalVerdict verdict;
  for (const ItemRecord& record : records) {
    if (record.item < 0 || record.item >= static_cast<std::int64_t>(manifest.items.size()) ||
        record.input_hash != input_path_hash(path_hash_key, manifest.items[static_cast<size_t>(record.item)].path)) {
      throw InputError(
          "refusing to resume: a journal record in --out names item " + std::to_string(record.item) +
          " with another input hash than this run's (other inputs or another key); use --restart or a new --out");
    }
    History& history = items[record.item];
    if (record.status == ItemStatus::claimed) {
      history.claimed_attempts.insert(record.attempt);
      continue;
    }
    history.finished_attempts.insert(record.attempt);
    history.latest = &record;
    history.transient_failures += record.status == ItemStatus::failed && record.retryable;
    verdict.finished.push_back(record);
  }
  for (const auto& [item, history] : items) {
    int unfinished_claims = 0;
    for (int claimed : history.claimed_attempts) unfinished_claims += history.finished_attempts.count(claimed) == 0;
    const ItemRecord* latest = history.latest;
    if (latest != nullptr &&
        !(latest->status == ItemStatus::failed && latest->retryable && history.transient_failures < 2)) {
      verdict.done.insert(item);
      (latest->status == ItemStatus::ok       ? verdict.ok
       : latest->status == ItemStatus::failed ? verdict.failed
                                              : verdict.rejected) += 1;
      continue;
    }
    if (unfinished_claims >= 2) {
      ItemRecord crashed;
      crashed.item = item;
      crashed.input_hash = input_path_hash(path_hash_key, manifest.items[static_cast<size_t>(item)].path);
      crashed.status = ItemStatus::failed;
      crashed.error = "processing this item ended its rank in " + std::to_string(unfinished_claims) +
                      " attempts (a crash, or a kill while it ran); not tried again";
      crashed.rank = 0;
      crashed.attempt = attempt;
      verdict.crashed.push_back(crashed);
      verdict.done.insert(item);
      ++verdict.failed;
      continue;
    }
    if (latest != nullptr) ++verdict.retried;  // failed once transiently: claimed again
  }
  return verdict;
}

}  // namespace medanon::audit
