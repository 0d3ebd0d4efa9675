#pragma once
// The process exit status is a contract: Slurm scripts and pipelines branch on it.
// Keep this table in step with the README's "Exit codes" section.

namespace medanon {

enum class ExitCode : int {
  ok = 0,                // every item processed successfully
  internal_error = 1,    // a bug or an unexpected failure of the whole job (report it)
  usage_error = 2,       // bad command line or config syntax; nothing was done
  input_error = 3,       // input/output location unusable (missing, unreadable, refused)
  some_items_failed = 4, // job completed; some items failed and are listed in the audit
  nothing_succeeded = 5, // job completed, but every item failed or was rejected (see the audit)
  interrupted = 6,       // stopped early on request (SIGUSR1/SIGTERM); rerun to resume
  training_diverged = 7, // train: a non-finite loss on some rank; every rank stopped, nothing saved
  out_in_use = 8,        // anonymize/deid: another job holds the lock on --out; nothing was done
  no_items = 9,          // the input (or this shard of it) holds no items; nothing was done
};

constexpr int to_int(ExitCode code) { return static_cast<int>(code); }

// The code of a batch that ran to its end: `items` in scope, `unsuccessful` of them failed or
// rejected. An empty input or a batch where nothing succeeded is not a success a script may
// mistake for one.
constexpr ExitCode batch_outcome(long long items, long long unsuccessful) {
  if (items == 0) return ExitCode::no_items;
  if (unsuccessful == 0) return ExitCode::ok;
  return unsuccessful >= items ? ExitCode::nothing_succeeded : ExitCode::some_items_failed;
}

}  // namespace medanon
