#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "io/file_descriptor.hpp"

namespace medanon::io {

namespace {

constexpr char kTemporaryMarker[] = ".medanon-tmp.";
std::atomic<bool> g_durable{false};

// fsync(2) of a file or folder; folders make a rename or a new entry durable.
void sync_path(const std::string& path, bool folder) {
  const int fd = ::open(path.c_str(), (folder ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) throw InternalError(std::string("cannot open for fsync: ") + std::strerror(errno));
  const int status = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  // EINVAL: the file system cannot sync this kind of file (e.g. a folder on some FUSE mounts).
  if (status != 0 && error != EINVAL) throw InternalError(std::string("fsync failed: ") + std::strerror(error));
}

// Creates the missing folders of `folder` and syncs the parent of each one created.
void create_folders_durably(const std::filesystem::path& folder) {
  if (folder.empty()) return;
  // mkdir first: one call whether the folder is new or already there (a stat, then a mkdir, was
  // two or three per output on an archive of one file per series). True when the folder is there.
  const auto make = [&folder] {
    if (::mkdir(folder.c_str(), 0777) == 0) {
      if (g_durable) sync_path(folder.has_parent_path() ? folder.parent_path().string() : ".", /*folder=*/true);
      return true;
    }
    return errno == EEXIST && std::filesystem::is_directory(folder);  // perhaps another thread or rank made it
  };
  if (make()) return;
  if (errno == ENOENT && folder.has_parent_path() && folder.parent_path() != folder) {
    create_folders_durably(folder.parent_path());
    if (make()) return;
  }
  throw InternalError(std::string("cannot create an output folder: ") + std::strerror(errno));
}

}  // namespace

void set_durable_writes(bool durable) { g_durable = durable; }

std::string temporary_path_for(const std::string& path) {
  // The pid, then a six-digit count of this process's temporary files: threads of one process
  // (deid --threads) writing the same output name (two inputs of one SOP Instance UID) never
  // share a temporary file, and the fixed width keeps names of different processes apart.
  static std::atomic<unsigned> count{0};
  char sequence[8];
  std::snprintf(sequence, sizeof sequence, "%06u", count.fetch_add(1) % 1000000u);
  static const std::string pid = std::to_string(::getpid());  // medanon never forks a writer
  return path + kTemporaryMarker + pid + sequence;
}

bool is_temporary_path(const std::string& path) {
  const size_t at = path.rfind(kTemporaryMarker);
  if (at == std::string::npos) return false;
  const std::string pid = path.substr(at + sizeof kTemporaryMarker - 1);
  return !pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos;
}

namespace {

// The sequence both atomic writes share: write into a temporary name beside `path`, sync it when
// writes are durable, let `place` give it its final name, sync the folder. A failure at any step
// leaves no temporary behind.
Placement via_temporary(const std::string& path, const std::function<void(const std::string&)>& write,
                        const std::function<Placement(const std::string& temp)>& place) {
  const std::filesystem::path target(path);
  if (target.has_parent_path()) create_folders_durably(target.parent_path());
  const std::string temp = temporary_path_for(path);
  try {
    write(temp);
    // Durable writes (the anonymize job): the file's bytes, then its new name, reach the disk
    // before the caller journals the item as done.
    if (g_durable) sync_path(temp, /*folder=*/false);
    const Placement placement = place(temp);
    if (g_durable) sync_path(target.has_parent_path() ? target.parent_path().string() : ".", /*folder=*/true);
    return placement;
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw;
  }
}

}  // namespace

void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  via_temporary(path, write, [&](const std::string& temp) {
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
      throw InternalError(std::string("cannot rename a finished output into place: ") + std::strerror(errno));
    }
    return Placement::written;
  });
}

void write_bytes_atomically(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  write_atomically(path, [&](const std::string& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw InternalError("cannot write " + temp);
  });
}

void write_text_atomically(const std::string& path, const std::string& text) {
  write_bytes_atomically(path, std::vector<std::uint8_t>(text.begin(), text.end()));
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  // open, fstat, read, close: a stream's seeks to learn the size cost three more system calls
  // per file, which `deid` on thousands of small files pays in wall time.
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  // Input paths may hold patient names: the message never quotes the path (the caller knows it).
  if (file.get() < 0) throw InputError(std::string("cannot open the file: ") + std::strerror(errno));
  struct stat info {};
  if (::fstat(file.get(), &info) != 0 || info.st_size < 0) throw InputError("cannot read the file");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(info.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::read(file.get(), bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw InputError(std::string("cannot read the file: ") + std::strerror(errno));
    if (got == 0) break;  // shrank while read: what is there is what the caller gets
    done += static_cast<std::size_t>(got);
  }
  bytes.resize(done);
  return bytes;
}

Placement write_new_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  return via_temporary(path, write, [&](const std::string& temp) {
    Placement placement = Placement::written;
    if (::link(temp.c_str(), path.c_str()) != 0) {
      if (errno != EEXIST) throw InternalError("cannot link " + temp + " to " + path + ": " + std::strerror(errno));
      placement = read_bytes(temp) == read_bytes(path) ? Placement::identical_exists : Placement::different_exists;
    }
    std::filesystem::remove(temp);
    return placement;
  });
}

}  // namespace medanon::io
