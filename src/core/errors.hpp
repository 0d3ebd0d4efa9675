#pragma once
// Typed exceptions used inside a rank. Each carries the exit code it maps to at the edge
// (src/app/main.cpp); per-item failures never use these, they become audit records.

#include <stdexcept>
#include <string>

#include "core/exit_codes.hpp"

namespace medanon {

// Who raised the error decides how the job ends (the collective contract, see app/main.cpp):
// - all_ranks: every rank throws it at the same point (deterministic validation, or after a
//   collective that shared the verdict); rank 0 reports it and all ranks exit normally.
// - this_rank: only this rank knows; it reports with its rank and aborts the whole job, since
//   the others may be waiting in a collective. The safe default.
enum class Scope { this_rank, all_ranks };

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& what, Scope scope = Scope::this_rank)
      : std::runtime_error(what), code_(code), scope_(scope) {}
  ExitCode code() const noexcept { return code_; }
  Scope scope() const noexcept { return scope_; }

 private:
  ExitCode code_;
  Scope scope_;
};

// Command line or config values that are malformed or inconsistent.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what, Scope scope = Scope::this_rank)
      : Error(ExitCode::usage_error, what, scope) {}
};

// Input or output locations that cannot be used for the whole job.
class InputError : public Error {
 public:
  explicit InputError(const std::string& what, Scope scope = Scope::this_rank)
      : Error(ExitCode::input_error, what, scope) {}
};

// A failure that should not happen: a library call failed or an invariant broke.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& what, Scope scope = Scope::this_rank)
      : Error(ExitCode::internal_error, what, scope) {}
};

// Throws the error class of `code` (UsageError for usage_error, ...; Error for the others), so an
// error that travelled between ranks as a code and a message is raised as what it was.
[[noreturn]] void throw_error(ExitCode code, const std::string& what, Scope scope);

}  // namespace medanon
