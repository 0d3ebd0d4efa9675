#pragma once
// The shared HDF5 output of `medanon anonymize`, written by all ranks through MPI-IO.
//
// Layout (documented in the README, readable with h5py / h5dump):
//   /audit          1-D compound table, one row per item: the columns of for_each_field
//                   (record_fields.hpp), then first_box, box_count (its rows in /text_boxes)
//   /text_boxes     1-D compound table: item, then the columns of for_each_box_field
//   /masks          uint8 [rows, 224, 224], row i belongs to /audit row i (zeros when no mask)
//   /anomaly_maps   float32 [rows, 224, 224], likewise
//   attributes on / : format, medanon_version, config, key_fingerprint, world_size, started,
//                   finished, items_total, flushes, shard, attempt, no_collective_cause,
//                   hdf5_seconds
//
// Collective contract: every member function is collective over the file's communicator.
// Rows are appended in rank order at offsets from an exclusive prefix sum of the ranks' row
// counts, so every rank writes one contiguous, chunk-aligned block in one collective call.

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "audit/item_record.hpp"
#include "audit/hdf5_handle.hpp"

namespace medanon::audit {

class AuditFile {
 public:
  static AuditFile create(const std::string& path, MPI_Comm comm);  // truncates
  static AuditFile open(const std::string& path, MPI_Comm comm);    // throws when unreadable
  // For readers (inspect, evaluate): the file is never written, and may be on a read-only mount.
  static AuditFile open_read_only(const std::string& path, MPI_Comm comm);

  // Appends this rank's records (may be none).
  void append(const std::vector<ItemRecord>& mine);

  std::int64_t rows() const;
  std::vector<std::int64_t> items() const;  // the item column, on every rank
  // Every /audit row as a record with its text boxes (mask and map left empty), on every rank,
  // in file order.
  std::vector<ItemRecord> records() const;

  void set_attribute(const std::string& name, const std::string& value);
  void set_attribute(const std::string& name, std::int64_t value);
  std::int64_t int_attribute(const std::string& name) const;  // -1 when absent

  void flush();

  // H5Pget_mpio_no_collective_cause of every raw-data write so far, OR-ed (0: all of them were
  // really collective). The runner stores it as the attribute no_collective_cause; tests assert it.
  std::uint32_t no_collective_causes() const { return no_collective_causes_; }

 private:
  AuditFile(h5::Handle file, MPI_Comm comm);
  void append_rows(const char* dataset, hid_t memory_type, const void* data, std::int64_t count,
                   std::int64_t offset, std::int64_t total, const std::vector<hsize_t>& row_shape);

  h5::Handle file_;
  MPI_Comm comm_;
  std::uint32_t no_collective_causes_ = 0;
};

}  // namespace medanon::audit
