#pragma once
// The custodian's re-identification table (original -> pseudonym for patient IDs and UIDs):
// optional, written only where asked, with mode 0600, and never into the shared audit or logs.

#include <map>
#include <string>
#include <utility>

#include "deid/dataset_deidentifier.hpp"

namespace medanon::deid {

class MappingFile {
 public:
  void add(const PseudonymRecord& record);
  // Tab-separated "kind original pseudonym" lines, sorted; created with mode 0600 and renamed
  // into place atomically. Throws InputError when it cannot be written.
  void write(const std::string& path) const;
  std::size_t size() const { return entries_.size(); }

 private:
  std::map<std::pair<std::string, std::string>, std::string> entries_;  // (kind, original) -> pseudonym
};

}  // namespace medanon::deid
