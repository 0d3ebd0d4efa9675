#include "mpi/mpi_session.hpp"

#include <cstdlib>
#include <limits>

#include "core/errors.hpp"

namespace medanon::mpi {

void mpi_check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(rc, text, &length);
  throw InternalError(std::string("MPI call failed: ") + what + ": " + std::string(text, length));
}

MpiSession::MpiSession(int& argc, char**& argv) {
  int provided = 0;
  mpi_check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  // Errors come back as return codes so they can become exceptions with context.
  mpi_check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  mpi_check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  mpi_check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiSession::~MpiSession() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();  // destructors never throw; a failure here has no remedy
}

void MpiSession::abort(int exit_code) {
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);  // MPI_Abort should not return; make sure of it
}

Communicator::Communicator(MPI_Comm comm) : comm_(comm) {
  mpi_check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  mpi_check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

void Communicator::barrier() const { mpi_check(MPI_Barrier(comm_), "MPI_Barrier"); }

long long Communicator::allreduce_sum(long long value) const {
  long long result = 0;
  mpi_check(MPI_Allreduce(&value, &result, 1, MPI_LONG_LONG, MPI_SUM, comm_), "MPI_Allreduce(sum)");
  return result;
}

long long Communicator::allreduce_max(long long value) const {
  long long result = 0;
  mpi_check(MPI_Allreduce(&value, &result, 1, MPI_LONG_LONG, MPI_MAX, comm_), "MPI_Allreduce(max)");
  return result;
}

std::vector<double> Communicator::allreduce_sum(std::vector<double> values) const {
  mpi_check(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE, MPI_SUM, comm_),
            "MPI_Allreduce(double sum)");
  return values;
}

std::vector<std::string> Communicator::gather_strings(const std::string& mine) const {
  if (mine.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    throw InternalError("gather_strings: message over 2 GiB");
  }
  int length = static_cast<int>(mine.size());
  std::vector<int> lengths(is_root() ? size_ : 0);
  mpi_check(MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, comm_), "MPI_Gather");

  std::vector<int> offsets;
  std::vector<char> buffer;
  if (is_root()) {
    offsets.resize(size_);
    long long total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[r] = static_cast<int>(total);
      total += lengths[r];
    }
    if (total > std::numeric_limits<int>::max()) throw InternalError("gather_strings: total over 2 GiB");
    buffer.resize(static_cast<size_t>(total));
  }
  mpi_check(MPI_Gatherv(mine.data(), length, MPI_CHAR, buffer.data(), lengths.data(), offsets.data(),
                        MPI_CHAR, 0, comm_),
            "MPI_Gatherv");

  std::vector<std::string> result;
  if (is_root()) {
    result.reserve(size_);
    for (int r = 0; r < size_; ++r) result.emplace_back(buffer.data() + offsets[r], lengths[r]);
  }
  return result;
}

std::string Communicator::broadcast_string(const std::string& value) const {
  long long length = static_cast<long long>(value.size());
  mpi_check(MPI_Bcast(&length, 1, MPI_LONG_LONG, 0, comm_), "MPI_Bcast(length)");
  std::string result = is_root() ? value : std::string(static_cast<size_t>(length), '\0');
  mpi_check(MPI_Bcast(result.data(), static_cast<int>(length), MPI_CHAR, 0, comm_), "MPI_Bcast(data)");
  return result;
}

void Communicator::run_on_root(const std::string& context, const std::function<void()>& work,
                               ExitCode otherwise) const {
  int code = to_int(ExitCode::ok);
  std::string failure;
  if (is_root()) {
    try {
      work();
    } catch (const Error& error) {
      code = to_int(error.code());
      failure = error.what();
    } catch (const std::exception& error) {
      code = to_int(otherwise);
      failure = error.what();
    }
  }
  // The code, not the message, says whether it failed: an exception may carry an empty message.
  mpi_check(MPI_Bcast(&code, 1, MPI_INT, 0, comm_), "MPI_Bcast(code)");
  failure = broadcast_string(failure);
  if (code != to_int(ExitCode::ok)) {
    throw_error(static_cast<ExitCode>(code), context.empty() ? failure : context + ": " + failure, Scope::all_ranks);
  }
}

}  // namespace medanon::mpi
