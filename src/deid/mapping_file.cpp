#include "deid/mapping_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"
#include "io/atomic_file.hpp"

namespace medanon::deid {
namespace {

// Closes the descriptor it owns.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

void MappingFile::add(const PseudonymRecord& record) {
  for (const auto& [original, pseudonym] : record.patient_ids) entries_[{"PatientID", original}] = pseudonym;
  for (const auto& [original, pseudonym] : record.uids) entries_[{"UID", original}] = pseudonym;
}

void MappingFile::write(const std::string& path) const {
  std::string text = "# medanon custodian mapping: kind, original, pseudonym. Confidential: re-identifies.\n";
  for (const auto& [key, pseudonym] : entries_) text += key.first + "\t" + key.second + "\t" + pseudonym + "\n";
  try {
    io::write_atomically(path, [&](const std::string& temporary) {
      // Created 0600 from the start: a umask-default file would be readable for a moment.
      ::unlink(temporary.c_str());
      FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
      if (fd.get() < 0) throw InputError("cannot create " + temporary + ": " + std::strerror(errno));
      std::size_t written = 0;
      while (written < text.size()) {
        const ssize_t n = ::write(fd.get(), text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw InputError("cannot write " + temporary + ": " + std::strerror(errno));
        written += static_cast<std::size_t>(n);
      }
      if (::fsync(fd.get()) != 0) throw InputError("cannot sync " + temporary + ": " + std::strerror(errno));
    });
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError("cannot write the mapping file " + path + ": " + e.what());
  }
}

}  // namespace medanon::deid
