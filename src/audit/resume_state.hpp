#pragma once
// What an anonymize job may take over from the runs before it in the same --out (issue #16):
//
// - Identity: the first attempt stores digests of its item list, its key (the fingerprint) and
//   its options in <out>/.medanon/run-identity. A later attempt with another item list, key or
//   output-changing option is refused (run 1 over [A,B] with key 1 and run 2 over [C,A,B] with
//   key 2 would otherwise skip C, redo B and mix two keys' hashes in one audit). Every journaled
//   record's input hash is also checked against the item it names.
// - Journals: an item is done when its latest finished record stands. A record marked
//   retryable (an I/O, resource or model failure) is retried once; input errors are
//   deterministic and stand. An item claimed by two attempts that never finished it has killed
//   its rank twice: it is failed with that reason, never claimed again.
//
// Rank 0 only (plan time); errors are InputError, raised on every rank by the plan broadcast.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "audit/item_record.hpp"
#include "io/manifest.hpp"

namespace medanon::audit {

struct RunIdentity {
  std::string items;    // SHA-256 of the item list (paths and kinds, in order) and the shard
  std::string key;      // the key fingerprint
  std::string options;  // SHA-256 of the effective configuration without run-only settings
};

RunIdentity identity_of(const io::Manifest& manifest, int shard_index, int shard_count,
                        const std::string& key_fingerprint, const std::string& effective_config);

// With `earlier_run` (journals exist), compares with the stored identity and throws InputError
// naming what differs; a missing file (an --out of an older version) is written with a warning.
// Without, stores `identity`.
void check_or_store_identity(const std::string& out, const RunIdentity& identity, bool earlier_run);

struct JournalVerdict {
  std::set<std::int64_t> done;                 // never claimed again
  std::vector<ItemRecord> finished;            // every finished record (audit rows), oldest attempt first
  std::vector<ItemRecord> crashed;             // new failed records for items that killed their rank twice
  long long ok = 0, failed = 0, rejected = 0;  // outcomes of the done items (crashed included)
  long long retried = 0;                       // items failed once transiently, claimed again
};

// `records`: every journal record in attempt order. Throws InputError when a record names an
// item outside the manifest or its input hash is not that item's under `path_hash_key`.
JournalVerdict judge_journals(const std::vector<ItemRecord>& records, const io::Manifest& manifest,
                              const std::string& path_hash_key, int attempt);

// The run-only settings (intervals, threads, devices, restart/resume, paths of the outputs and
// the key file) that a resume may change; they are left out of RunIdentity::options.
bool is_run_only_setting(const std::string& config_line);

}  // namespace medanon::audit
