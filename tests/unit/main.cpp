// gtest main with MPI initialised: library functions that take a Communicator run here with a
// world of one; multi-rank behaviour is tested under real mpirun in tests/mpi/.
#include <gtest/gtest.h>

#include "dist/mpi_session.hpp"

int main(int argc, char** argv) {
  medanon::dist::MpiSession mpi(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
