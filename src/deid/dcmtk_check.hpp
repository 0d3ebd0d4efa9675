#pragma once
// The one check for DCMTK status codes inside the de-identification stage: a failed call on a
// dataset we built or validated is a bug or a resource failure, never bad input (input problems
// are caught where the file is read and become per-file results).

#include <dcmtk/config/osconfig.h>
#include <dcmtk/ofstd/ofcond.h>

#include <string>

#include "core/errors.hpp"

namespace medanon::deid {

inline void check(const OFCondition& condition, const std::string& what) {
  if (condition.bad()) throw InternalError("de-identification: " + what + ": " + condition.text());
}

}  // namespace medanon::deid
