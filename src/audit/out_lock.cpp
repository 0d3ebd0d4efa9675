#include "audit/out_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/errors.hpp"
#include "core/log.hpp"

namespace medanon::audit {

std::string OutLock::path_for(const std::string& out) { return out + "/.medanon.lock"; }

OutLock::OutLock(const std::string& out) {
  std::error_code ignored;
  std::filesystem::create_directories(out, ignored);
  const std::string path = path_for(out);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw InputError("cannot create the lock file " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  const int error = errno;
  if (error == EWOULDBLOCK) {
    ::close(fd_);
    fd_ = -1;
    throw Error(ExitCode::out_in_use, "another medanon job is using " + out + " (it holds " + path +
                                          "); wait for it to end, or give this job its own --out");
  }
  log::rank_warn("the file system of " + out + " gives no file locks (" + std::strerror(error) +
                 "): make sure no other job writes to this --out");
}

OutLock::~OutLock() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the flock
}

}  // namespace medanon::audit
