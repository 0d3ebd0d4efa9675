#include "core/errors.hpp"

namespace medanon {

void throw_error(ExitCode code, const std::string& what, Scope scope) {
  switch (code) {
    case ExitCode::usage_error: throw UsageError(what, scope);
    case ExitCode::input_error: throw InputError(what, scope);
    case ExitCode::internal_error: throw InternalError(what, scope);
    default: throw Error(code, what, scope);
  }
}

}  // namespace medanon
