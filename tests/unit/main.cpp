// gtest main. MPI is started lazily, by the tests that need a Communicator (test_world()),
// because starting it costs about a second per test process and ctest runs every test in a
// process of its own. Multi-rank behaviour is tested under real mpirun in tests/mpi/.
#include <gtest/gtest.h>
#include <mpi.h>

#include <memory>

#include "tests/unit/test_world.hpp"

namespace {
std::unique_ptr<medanon::mpi::MpiSession> g_mpi;
int g_argc = 0;
char** g_argv = nullptr;
}  // namespace

medanon::mpi::Communicator test_world() {
  if (!g_mpi) g_mpi = std::make_unique<medanon::mpi::MpiSession>(g_argc, g_argv);
  return medanon::mpi::Communicator(MPI_COMM_WORLD);
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  g_argc = argc;
  g_argv = argv;
  const int result = RUN_ALL_TESTS();
  g_mpi.reset();  // MPI_Finalize before exit, when it was started
  return result;
}
