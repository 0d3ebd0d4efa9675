#pragma once
// MPI_COMM_WORLD for in-process tests (a world of one), started on first use.
#include "mpi/mpi_session.hpp"

medanon::mpi::Communicator test_world();
