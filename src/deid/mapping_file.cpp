#include "deid/mapping_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"
#include "io/atomic_file.hpp"
#include "io/file_descriptor.hpp"

namespace medanon::deid {

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
      io::FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
      if (fd.get() < 0) throw InputError("cannot create " + temporary + ": " + std::strerror(errno));
      if (!io::write_all(fd.get(), text.data(), text.size())) {
        throw InputError("cannot write " + temporary + ": " + std::strerror(errno));
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
