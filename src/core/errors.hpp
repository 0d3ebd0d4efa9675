#pragma once
// Typed exceptions used inside a rank. Each carries the exit code it maps to at the edge
// (src/app/main.cpp); per-item failures never use these, they become audit records.

#include <stdexcept>
#include <string>

#include "core/exit_codes.hpp"

namespace medanon {

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

// Command line or config values that are malformed or inconsistent.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(ExitCode::usage_error, what) {}
};

// Input or output locations that cannot be used for the whole job.
class InputError : public Error {
 public:
  explicit InputError(const std::string& what) : Error(ExitCode::input_error, what) {}
};

// A failure that should not happen: a library call failed or an invariant broke.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& what) : Error(ExitCode::internal_error, what) {}
};

class NotImplementedError : public Error {
 public:
  explicit NotImplementedError(const std::string& what) : Error(ExitCode::not_implemented, what) {}
};

}  // namespace medanon
