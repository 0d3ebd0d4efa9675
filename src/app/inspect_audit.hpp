#pragma once
// `medanon inspect --audit FILE`: the shared HDF5 audit of an anonymize run as a table.

#include <string>

#include "mpi/mpi_session.hpp"

namespace medanon::app {

// Collective (every rank opens the file); rank 0 prints one line per item, then totals.
// Returns the exit code: some_items_failed when the audit lists failed or rejected items.
int print_audit(const std::string& path, const mpi::Communicator& comm);

}  // namespace medanon::app
