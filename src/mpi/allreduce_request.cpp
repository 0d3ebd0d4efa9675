#include "mpi/allreduce_request.hpp"

#include <climits>
#include <stdexcept>
#include <utility>

#include "core/errors.hpp"
#include "mpi/mpi_session.hpp"

namespace medanon::mpi {

AllreduceRequest::~AllreduceRequest() {
  if (request_ != MPI_REQUEST_NULL) MPI_Wait(&request_, MPI_STATUS_IGNORE);  // see the header: no cancel
}

AllreduceRequest::AllreduceRequest(AllreduceRequest&& other) noexcept
    : request_(std::exchange(other.request_, MPI_REQUEST_NULL)) {}

AllreduceRequest& AllreduceRequest::operator=(AllreduceRequest&& other) noexcept {
  if (this != &other) {
    if (request_ != MPI_REQUEST_NULL) MPI_Wait(&request_, MPI_STATUS_IGNORE);
    request_ = std::exchange(other.request_, MPI_REQUEST_NULL);
  }
  return *this;
}

void AllreduceRequest::start(void* data, std::size_t count, MPI_Datatype type, MPI_Comm comm) {
  if (request_ != MPI_REQUEST_NULL) throw std::logic_error("AllreduceRequest: previous request still pending");
  if (count > static_cast<std::size_t>(INT_MAX)) throw InternalError("MPI_Iallreduce: buffer over 2^31 elements");
  mpi_check(MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(count), type, MPI_SUM, comm, &request_),
            "MPI_Iallreduce");
}

void AllreduceRequest::start_sum(float* data, std::size_t count, MPI_Comm comm) { start(data, count, MPI_FLOAT, comm); }

void AllreduceRequest::start_sum(double* data, std::size_t count, MPI_Comm comm) { start(data, count, MPI_DOUBLE, comm); }

bool AllreduceRequest::test() {
  if (request_ == MPI_REQUEST_NULL) return true;
  int done = 0;
  mpi_check(MPI_Test(&request_, &done, MPI_STATUS_IGNORE), "MPI_Test");
  return done != 0;
}

void AllreduceRequest::wait() {
  if (request_ == MPI_REQUEST_NULL) return;
  mpi_check(MPI_Wait(&request_, MPI_STATUS_IGNORE), "MPI_Wait");
}

}  // namespace medanon::mpi
