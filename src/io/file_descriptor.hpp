#pragma once
// A POSIX file descriptor owned by one object, and a write that finishes: for the writers that
// need open(2) flags stdio cannot give (O_EXCL with mode 0600, one write call per file).

#include <cstddef>

namespace medanon::io {

// Closes the descriptor it owns when it goes out of scope, so no error path leaks one per file.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Closes now; false when close(2) failed (it can report a write that did not reach the file).
  bool close();

 private:
  int fd_;
};

// write(2) until all `size` bytes are out (it may write fewer than asked); false on an error,
// with errno set.
bool write_all(int fd, const void* data, std::size_t size);

}  // namespace medanon::io
