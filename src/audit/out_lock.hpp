#pragma once
// One job per output folder: rank 0 holds an exclusive flock(2) on <out>/.medanon.lock for the
// whole job. A second job on the same --out (a resubmitted array task, a typo) is refused at
// once with ExitCode::out_in_use instead of redoing items and recreating the HDF5 file under
// the first. The kernel drops the lock when the holder dies, so a killed job never leaves a
// stale lock. File systems without flock support (some NFS/Lustre mounts) give a warning only.

#include <string>

namespace medanon::audit {

class OutLock {
 public:
  // Creates `out` if needed; throws Error(out_in_use, this rank) when another process holds it.
  explicit OutLock(const std::string& out);
  ~OutLock();
  OutLock(const OutLock&) = delete;
  OutLock& operator=(const OutLock&) = delete;

  static std::string path_for(const std::string& out);

 private:
  int fd_ = -1;
};

}  // namespace medanon::audit
