#include "audit/audit_file.hpp"

#include <algorithm>
#include <cstring>
#include <map>

#include "audit/row_layout.hpp"
#include "core/errors.hpp"
#include "mpi/mpi_session.hpp"

namespace medanon::audit {
namespace {

constexpr hsize_t kTableChunkRows = 1024;

void create_extendible(hid_t file, const char* name, hid_t type, const std::vector<hsize_t>& row_shape,
                       hsize_t chunk_rows, bool compress) {
  std::vector<hsize_t> dims{0}, max_dims{H5S_UNLIMITED}, chunk{chunk_rows};
  for (hsize_t extent : row_shape) {
    dims.push_back(extent);
    max_dims.push_back(extent);
    chunk.push_back(extent);
  }
  const int rank = static_cast<int>(dims.size());
  const h5::Handle space = h5::dataspace(H5Screate_simple(rank, dims.data(), max_dims.data()), "H5Screate_simple");
  const h5::Handle create = h5::plist(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate(dataset)");
  h5::check(H5Pset_chunk(create.id(), rank, chunk.data()), "H5Pset_chunk");
  // Parallel HDF5 writes compressed chunks only collectively; every write here is collective.
  // Byte shuffle groups the float maps' exponent bytes, so the fast deflate level 1 compresses
  // them better than level 4 alone did, at a fraction of the CPU time.
  if (compress) {
    h5::check(H5Pset_shuffle(create.id()), "H5Pset_shuffle");
    h5::check(H5Pset_deflate(create.id(), 1), "H5Pset_deflate");
  }
  h5::dataset(H5Dcreate2(file, name, type, space.id(), H5P_DEFAULT, create.id(), H5P_DEFAULT), name);
}

std::int64_t exclusive_prefix(std::int64_t value, MPI_Comm comm) {
  long long mine = value, before = 0;
  mpi::mpi_check(MPI_Exscan(&mine, &before, 1, MPI_LONG_LONG, MPI_SUM, comm), "MPI_Exscan");
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank == 0 ? 0 : before;  // MPI leaves rank 0's result undefined
}

std::int64_t extent_of(hid_t file, const char* name) {
  const h5::Handle dataset = h5::dataset(H5Dopen2(file, name, H5P_DEFAULT), name);
  const h5::Handle space = h5::dataspace(H5Dget_space(dataset.id()), "H5Dget_space");
  hsize_t dims[3] = {0, 0, 0};
  h5::check(H5Sget_simple_extent_dims(space.id(), dims, nullptr), "H5Sget_simple_extent_dims");
  return static_cast<std::int64_t>(dims[0]);
}

// A scalar attribute of the root group, replaced when it exists (its type may change size).
void write_root_attribute(hid_t file, const std::string& name, hid_t type, const void* value) {
  if (h5::check(H5Aexists(file, name.c_str()), "H5Aexists") > 0) h5::check(H5Adelete(file, name.c_str()), "H5Adelete");
  const h5::Handle space = h5::dataspace(H5Screate(H5S_SCALAR), "H5Screate");
  const h5::Handle attribute =
      h5::attribute(H5Acreate2(file, name.c_str(), type, space.id(), H5P_DEFAULT, H5P_DEFAULT), name.c_str());
  h5::check(H5Awrite(attribute.id(), type, value), "H5Awrite");
}

h5::Handle open_existing(const std::string& path, MPI_Comm comm, unsigned flags) {
  h5::silence_error_stack();
  const h5::Handle access = h5::mpio_file_access(comm);
  return h5::file(H5Fopen(path.c_str(), flags, access.id()), "H5Fopen");
}

}  // namespace

AuditFile::AuditFile(h5::Handle file, MPI_Comm comm) : file_(std::move(file)), comm_(comm) {}

AuditFile AuditFile::create(const std::string& path, MPI_Comm comm) {
  h5::silence_error_stack();
  const h5::Handle access = h5::mpio_file_access(comm);
  h5::Handle file = h5::file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.id()), "H5Fcreate");
  create_extendible(file.id(), "audit", audit_row_layout().compound_type().id(), {}, kTableChunkRows, false);
  create_extendible(file.id(), "text_boxes", box_row_layout().compound_type().id(), {}, kTableChunkRows, false);
  const std::vector<hsize_t> map_shape{kMapSize, kMapSize};
  create_extendible(file.id(), "masks", H5T_NATIVE_UINT8, map_shape, 1, true);
  create_extendible(file.id(), "anomaly_maps", H5T_NATIVE_FLOAT, map_shape, 1, true);
  AuditFile audit(std::move(file), comm);
  audit.set_attribute("format", "medanon-audit-1");
  return audit;
}

AuditFile AuditFile::open(const std::string& path, MPI_Comm comm) {
  return AuditFile(open_existing(path, comm, H5F_ACC_RDWR), comm);
}

AuditFile AuditFile::open_read_only(const std::string& path, MPI_Comm comm) {
  return AuditFile(open_existing(path, comm, H5F_ACC_RDONLY), comm);
}

void AuditFile::append(const std::vector<ItemRecord>& mine) {
  std::int64_t my_boxes = 0;
  for (const auto& r : mine) my_boxes += static_cast<std::int64_t>(r.boxes.size());
  const auto my_rows = static_cast<std::int64_t>(mine.size());
  const std::int64_t row_offset = exclusive_prefix(my_rows, comm_), box_offset = exclusive_prefix(my_boxes, comm_);
  const mpi::Communicator comm(comm_);
  const std::int64_t new_rows = comm.allreduce_sum(my_rows), new_boxes = comm.allreduce_sum(my_boxes);
  if (new_rows == 0) return;  // all ranks agree: nothing to write
  const std::int64_t base_rows = rows(), base_boxes = extent_of(file_.id(), "text_boxes");

  const RowLayout& audit_rows = audit_row_layout();
  const RowLayout& box_rows = box_row_layout();
  std::vector<char> audit(mine.size() * audit_rows.row_size(), 0);
  std::vector<char> boxes(static_cast<size_t>(my_boxes) * box_rows.row_size(), 0);
  std::vector<std::uint8_t> masks(mine.size() * kMapSize * kMapSize, 0);
  std::vector<float> maps(mine.size() * kMapSize * kMapSize, 0.0f);
  std::int64_t next_box = base_boxes + box_offset;
  size_t box_index = 0;
  for (size_t i = 0; i < mine.size(); ++i) {
    const ItemRecord& r = mine[i];
    RowPacker row(audit_rows, audit.data() + i * audit_rows.row_size());
    for_each_field(r, row);
    row.put(next_box);
    row.put(static_cast<std::int64_t>(r.boxes.size()));
    next_box += static_cast<std::int64_t>(r.boxes.size());
    for (const auto& b : r.boxes) {
      RowPacker box(box_rows, boxes.data() + box_index++ * box_rows.row_size());
      box.put(r.item);
      for_each_box_field(b, box);
    }
    if (r.mask.size() == static_cast<size_t>(kMapSize * kMapSize)) {
      std::copy(r.mask.begin(), r.mask.end(), masks.begin() + static_cast<long>(i * kMapSize * kMapSize));
    }
    if (r.anomaly_map.size() == static_cast<size_t>(kMapSize * kMapSize)) {
      std::copy(r.anomaly_map.begin(), r.anomaly_map.end(), maps.begin() + static_cast<long>(i * kMapSize * kMapSize));
    }
  }
  const std::vector<hsize_t> map_shape{kMapSize, kMapSize};
  append_rows("audit", audit_rows.compound_type().id(), audit.data(), my_rows, base_rows + row_offset, base_rows + new_rows, {});
  if (new_boxes > 0) {
    append_rows("text_boxes", box_rows.compound_type().id(), boxes.data(), my_boxes, base_boxes + box_offset, base_boxes + new_boxes, {});
  }
  append_rows("masks", H5T_NATIVE_UINT8, masks.data(), my_rows, base_rows + row_offset, base_rows + new_rows, map_shape);
  append_rows("anomaly_maps", H5T_NATIVE_FLOAT, maps.data(), my_rows, base_rows + row_offset, base_rows + new_rows,
              map_shape);
}

void AuditFile::append_rows(const char* name, hid_t memory_type, const void* data, std::int64_t count,
                            std::int64_t offset, std::int64_t total, const std::vector<hsize_t>& row_shape) {
  const h5::Handle dataset = h5::dataset(H5Dopen2(file_.id(), name, H5P_DEFAULT), name);
  std::vector<hsize_t> dims{static_cast<hsize_t>(total)}, start{static_cast<hsize_t>(offset)},
      counts{static_cast<hsize_t>(count)};
  for (hsize_t extent : row_shape) {
    dims.push_back(extent);
    start.push_back(0);
    counts.push_back(extent);
  }
  h5::check(H5Dset_extent(dataset.id(), dims.data()), "H5Dset_extent");
  const h5::Handle file_space = h5::dataspace(H5Dget_space(dataset.id()), "H5Dget_space");
  const int rank = static_cast<int>(dims.size());
  std::vector<hsize_t> memory_dims = counts;
  memory_dims[0] = std::max<hsize_t>(1, counts[0]);
  const h5::Handle memory_space = h5::dataspace(H5Screate_simple(rank, memory_dims.data(), nullptr), "H5Screate_simple");
  if (count > 0) {
    h5::check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, counts.data(), nullptr),
              "H5Sselect_hyperslab");
  } else {  // this rank has nothing, but still takes part in the collective write
    h5::check(H5Sselect_none(file_space.id()), "H5Sselect_none");
    h5::check(H5Sselect_none(memory_space.id()), "H5Sselect_none");
  }
  const h5::Handle transfer = h5::collective_transfer();
  static const std::uint8_t kNothing[16] = {};
  h5::check(H5Dwrite(dataset.id(), memory_type, memory_space.id(), file_space.id(), transfer.id(),
                     count > 0 ? data : kNothing),
            name);
  std::uint32_t local = 0, global = 0;
  h5::check(H5Pget_mpio_no_collective_cause(transfer.id(), &local, &global), "H5Pget_mpio_no_collective_cause");
  no_collective_causes_ |= local | global;
}

std::int64_t AuditFile::rows() const { return extent_of(file_.id(), "audit"); }

std::vector<std::int64_t> AuditFile::items() const {
  const h5::Handle dataset = h5::dataset(H5Dopen2(file_.id(), "audit", H5P_DEFAULT), "audit");
  const h5::Handle item_only = h5::datatype(H5Tcreate(H5T_COMPOUND, sizeof(std::int64_t)), "H5Tcreate(item)");
  h5::check(H5Tinsert(item_only.id(), "item", 0, H5T_NATIVE_INT64), "H5Tinsert(item)");
  std::vector<std::int64_t> items(static_cast<size_t>(rows()));
  if (!items.empty()) {
    h5::check(H5Dread(dataset.id(), item_only.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, items.data()), "H5Dread(item)");
  }
  return items;
}

std::vector<ItemRecord> AuditFile::records() const {
  const h5::Handle dataset = h5::dataset(H5Dopen2(file_.id(), "audit", H5P_DEFAULT), "audit");
  const RowLayout& audit_rows = audit_row_layout();
  const RowLayout& box_rows = box_row_layout();
  std::vector<char> rows(static_cast<size_t>(this->rows()) * audit_rows.row_size());
  if (!rows.empty()) {
    const h5::Handle type = audit_rows.compound_type();
    h5::check(H5Dread(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), "H5Dread(audit)");
  }
  std::vector<ItemRecord> records(rows.size() / audit_rows.row_size());
  for (size_t i = 0; i < records.size(); ++i) {
    RowUnpacker row(audit_rows, rows.data() + i * audit_rows.row_size());
    for_each_field(records[i], row);
  }
  const h5::Handle box_set = h5::dataset(H5Dopen2(file_.id(), "text_boxes", H5P_DEFAULT), "text_boxes");
  std::vector<char> boxes(static_cast<size_t>(extent_of(file_.id(), "text_boxes")) * box_rows.row_size());
  if (!boxes.empty()) {
    const h5::Handle type = box_rows.compound_type();
    h5::check(H5Dread(box_set.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, boxes.data()), "H5Dread(text_boxes)");
  }
  std::map<std::int64_t, ItemRecord*> by_item;
  for (auto& r : records) by_item[r.item] = &r;
  for (size_t i = 0; i < boxes.size() / box_rows.row_size(); ++i) {
    RowUnpacker row(box_rows, boxes.data() + i * box_rows.row_size());
    std::int64_t item = -1;
    row.get(item);
    TextBoxRecord box;
    for_each_box_field(box, row);
    const auto owner = by_item.find(item);
    if (owner != by_item.end()) owner->second->boxes.push_back(box);
  }
  return records;
}

void AuditFile::set_attribute(const std::string& name, const std::string& value) {
  const h5::Handle type = h5::fixed_string_type(value.size() + 1);
  write_root_attribute(file_.id(), name, type.id(), value.c_str());
}

void AuditFile::set_attribute(const std::string& name, std::int64_t value) {
  write_root_attribute(file_.id(), name, H5T_NATIVE_INT64, &value);
}

std::int64_t AuditFile::int_attribute(const std::string& name) const {
  if (h5::check(H5Aexists(file_.id(), name.c_str()), "H5Aexists") <= 0) return -1;
  const h5::Handle attribute = h5::attribute(H5Aopen(file_.id(), name.c_str(), H5P_DEFAULT), name.c_str());
  std::int64_t value = -1;
  h5::check(H5Aread(attribute.id(), H5T_NATIVE_INT64, &value), "H5Aread");
  return value;
}

void AuditFile::flush() { h5::check(H5Fflush(file_.id(), H5F_SCOPE_GLOBAL), "H5Fflush"); }

}  // namespace medanon::audit
