#pragma once
// The per-rank journals: the anonymize job's source of truth for "this item is done".
//
// Each rank appends one framed record per finished item to its own file
//   <out>/.medanon/journal/attempt-<a>.rank-<r>.bin
// and syncs it to disk before claiming the next item. Frames carry a magic, a length and a
// CRC-32, so a record torn by a kill is detected and dropped (the item is then redone). The
// shared HDF5 file is materialised from the journals at collective flushes (audit_file.hpp),
// and can always be rebuilt from them: a kill during an HDF5 write loses nothing.

#include <string>
#include <vector>

#include "audit/item_record.hpp"

namespace medanon::audit {

std::string journal_folder(const std::string& out);
std::string journal_path(const std::string& out, int attempt, int rank);

std::string encode_record(const ItemRecord& record);
// Throws InternalError when the payload does not decode (the CRC guards against torn writes).
ItemRecord decode_record(const std::string& payload);

class JournalWriter {
 public:
  explicit JournalWriter(const std::string& path);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  void append(const ItemRecord& record);  // durable when it returns

 private:
  int fd_ = -1;
  std::string path_;
};

struct JournalContents {
  std::vector<ItemRecord> records;  // every intact record of every journal, in file order
  int torn_records = 0;             // tails dropped because a kill cut them
  int highest_attempt = -1;         // the last attempt that wrote a journal
};

JournalContents read_journals(const std::string& out);

std::uint32_t crc32(const void* data, size_t size);

}  // namespace medanon::audit
