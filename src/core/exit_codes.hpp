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
  not_implemented = 5,   // the subcommand exists but its issue has not landed yet
  interrupted = 6,       // stopped early on request (SIGUSR1/SIGTERM); rerun to resume
  training_diverged = 7, // train: a non-finite loss on some rank; every rank stopped, nothing saved
  out_in_use = 8,        // anonymize/deid: another job holds the lock on --out; nothing was done
};

constexpr int to_int(ExitCode code) { return static_cast<int>(code); }

}  // namespace medanon
