#pragma once
// This rank's index among the ranks on its node (0..n-1), e.g. to give rank i of a node GPU i.
// Collective over `comm` (MPI_Comm_split_type with MPI_COMM_TYPE_SHARED).

#include <mpi.h>

namespace medanon::mpi {

int node_local_rank(MPI_Comm comm);

}  // namespace medanon::mpi
