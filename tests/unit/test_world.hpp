#pragma once
// MPI_COMM_WORLD for in-process tests (a world of one), started on first use.
#include "dist/mpi_session.hpp"

medanon::dist::Communicator test_world();
