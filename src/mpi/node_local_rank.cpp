#include "mpi/node_local_rank.hpp"

#include <memory>

#include "mpi/mpi_session.hpp"

namespace medanon::mpi {
namespace {

struct CommFree {
  void operator()(MPI_Comm* comm) const {
    if (*comm != MPI_COMM_NULL) MPI_Comm_free(comm);
    delete comm;
  }
};

}  // namespace

int node_local_rank(MPI_Comm comm) {
  std::unique_ptr<MPI_Comm, CommFree> node(new MPI_Comm(MPI_COMM_NULL));
  mpi_check(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, node.get()), "MPI_Comm_split_type");
  int rank = 0;
  mpi_check(MPI_Comm_rank(*node, &rank), "MPI_Comm_rank(node)");
  return rank;
}

}  // namespace medanon::mpi
