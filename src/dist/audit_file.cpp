#include "dist/audit_file.hpp"

#include <algorithm>
#include <cstring>
#include <map>

#include "core/errors.hpp"
#include "dist/mpi_session.hpp"

namespace medanon::dist {
namespace {

constexpr size_t kHashLength = 33;     // 32 hex digits + NUL
constexpr size_t kOutputLength = 256;  // PHI-free relative output paths are short
constexpr size_t kErrorLength = 192;
constexpr size_t kGateLength = 16;
constexpr hsize_t kTableChunkRows = 1024;

struct AuditRow {
  std::int64_t item;
  char input_hash[kHashLength];
  char output[kOutputLength];
  std::int8_t status;
  char error[kErrorLength];
  std::int32_t rank;
  std::int32_t attempt;
  float seconds[kStageCount];
  std::int32_t tags_changed, text_found, text_redacted, text_flagged;
  float mask_score;
  float z_peak;
  std::int8_t anomaly;
  char gate[kGateLength];
  std::int64_t first_box, box_count;
};

struct BoxRow {
  std::int64_t item;
  std::int32_t x, y, width, height;
  std::int8_t detector, phi, action;
  float confidence;
};

// Copies into a fixed field, truncating (a long error message keeps its start) and terminating.
template <size_t N>
void copy_text(char (&field)[N], const std::string& text) {
  std::memset(field, 0, N);
  std::memcpy(field, text.data(), std::min(text.size(), N - 1));
}

// A compound type under construction: insert(name, offset, member type) per field.
class Compound {
 public:
  Compound(size_t size, const char* what) : type_(h5::datatype(H5Tcreate(H5T_COMPOUND, size), what)) {}
  void insert(const char* name, size_t offset, hid_t member) {
    h5::check(H5Tinsert(type_.id(), name, offset, member), name);
  }
  h5::Handle take() { return std::move(type_); }

 private:
  h5::Handle type_;
};

h5::Handle audit_type() {
  Compound type(sizeof(AuditRow), "H5Tcreate(audit)");
  const h5::Handle hash = h5::fixed_string_type(kHashLength), output = h5::fixed_string_type(kOutputLength),
                   error = h5::fixed_string_type(kErrorLength), gate = h5::fixed_string_type(kGateLength);
  auto insert = [&](const char* name, size_t offset, hid_t member) { type.insert(name, offset, member); };
  insert("item", HOFFSET(AuditRow, item), H5T_NATIVE_INT64);
  insert("input_hash", HOFFSET(AuditRow, input_hash), hash.id());
  insert("output", HOFFSET(AuditRow, output), output.id());
  insert("status", HOFFSET(AuditRow, status), H5T_NATIVE_INT8);
  insert("error", HOFFSET(AuditRow, error), error.id());
  insert("rank", HOFFSET(AuditRow, rank), H5T_NATIVE_INT32);
  insert("attempt", HOFFSET(AuditRow, attempt), H5T_NATIVE_INT32);
  for (int s = 0; s < kStageCount; ++s) {
    const std::string name = std::string("seconds_") + stage_name(static_cast<Stage>(s));
    insert(name.c_str(), HOFFSET(AuditRow, seconds) + static_cast<size_t>(s) * sizeof(float), H5T_NATIVE_FLOAT);
  }
  insert("tags_changed", HOFFSET(AuditRow, tags_changed), H5T_NATIVE_INT32);
  insert("text_found", HOFFSET(AuditRow, text_found), H5T_NATIVE_INT32);
  insert("text_redacted", HOFFSET(AuditRow, text_redacted), H5T_NATIVE_INT32);
  insert("text_flagged", HOFFSET(AuditRow, text_flagged), H5T_NATIVE_INT32);
  insert("mask_score", HOFFSET(AuditRow, mask_score), H5T_NATIVE_FLOAT);
  insert("z_peak", HOFFSET(AuditRow, z_peak), H5T_NATIVE_FLOAT);
  insert("anomaly", HOFFSET(AuditRow, anomaly), H5T_NATIVE_INT8);
  insert("gate", HOFFSET(AuditRow, gate), gate.id());
  insert("first_box", HOFFSET(AuditRow, first_box), H5T_NATIVE_INT64);
  insert("box_count", HOFFSET(AuditRow, box_count), H5T_NATIVE_INT64);
  return type.take();
}

h5::Handle box_type() {
  Compound type(sizeof(BoxRow), "H5Tcreate(text_boxes)");
  auto insert = [&](const char* name, size_t offset, hid_t member) { type.insert(name, offset, member); };
  insert("item", HOFFSET(BoxRow, item), H5T_NATIVE_INT64);
  insert("x", HOFFSET(BoxRow, x), H5T_NATIVE_INT32);
  insert("y", HOFFSET(BoxRow, y), H5T_NATIVE_INT32);
  insert("width", HOFFSET(BoxRow, width), H5T_NATIVE_INT32);
  insert("height", HOFFSET(BoxRow, height), H5T_NATIVE_INT32);
  insert("detector", HOFFSET(BoxRow, detector), H5T_NATIVE_INT8);
  insert("phi", HOFFSET(BoxRow, phi), H5T_NATIVE_INT8);
  insert("action", HOFFSET(BoxRow, action), H5T_NATIVE_INT8);
  insert("confidence", HOFFSET(BoxRow, confidence), H5T_NATIVE_FLOAT);
  return type.take();
}

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
  mpi_check(MPI_Exscan(&mine, &before, 1, MPI_LONG_LONG, MPI_SUM, comm), "MPI_Exscan");
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

}  // namespace

AuditFile::AuditFile(h5::Handle file, MPI_Comm comm) : file_(std::move(file)), comm_(comm) {}

AuditFile AuditFile::create(const std::string& path, MPI_Comm comm) {
  h5::silence_error_stack();
  const h5::Handle access = h5::mpio_file_access(comm);
  h5::Handle file = h5::file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.id()), "H5Fcreate");
  create_extendible(file.id(), "audit", audit_type().id(), {}, kTableChunkRows, false);
  create_extendible(file.id(), "text_boxes", box_type().id(), {}, kTableChunkRows, false);
  const std::vector<hsize_t> map_shape{kMapSize, kMapSize};
  create_extendible(file.id(), "masks", H5T_NATIVE_UINT8, map_shape, 1, true);
  create_extendible(file.id(), "anomaly_maps", H5T_NATIVE_FLOAT, map_shape, 1, true);
  AuditFile audit(std::move(file), comm);
  audit.set_attribute("format", "medanon-audit-1");
  return audit;
}

AuditFile AuditFile::open(const std::string& path, MPI_Comm comm) {
  h5::silence_error_stack();
  const h5::Handle access = h5::mpio_file_access(comm);
  return AuditFile(h5::file(H5Fopen(path.c_str(), H5F_ACC_RDWR, access.id()), "H5Fopen"), comm);
}

void AuditFile::append(const std::vector<ItemRecord>& mine) {
  std::int64_t my_boxes = 0;
  for (const auto& r : mine) my_boxes += static_cast<std::int64_t>(r.boxes.size());
  const auto my_rows = static_cast<std::int64_t>(mine.size());
  const std::int64_t row_offset = exclusive_prefix(my_rows, comm_), box_offset = exclusive_prefix(my_boxes, comm_);
  const Communicator comm(comm_);
  const std::int64_t new_rows = comm.allreduce_sum(my_rows), new_boxes = comm.allreduce_sum(my_boxes);
  if (new_rows == 0) return;  // all ranks agree: nothing to write
  const std::int64_t base_rows = rows(), base_boxes = extent_of(file_.id(), "text_boxes");

  std::vector<AuditRow> audit(mine.size());
  std::vector<BoxRow> boxes;
  std::vector<std::uint8_t> masks(mine.size() * kMapSize * kMapSize, 0);
  std::vector<float> maps(mine.size() * kMapSize * kMapSize, 0.0f);
  std::int64_t next_box = base_boxes + box_offset;
  for (size_t i = 0; i < mine.size(); ++i) {
    const ItemRecord& r = mine[i];
    AuditRow& row = audit[i];
    std::memset(&row, 0, sizeof row);
    row.item = r.item;
    copy_text(row.input_hash, r.input_hash);
    copy_text(row.output, r.output);
    row.status = static_cast<std::int8_t>(r.status);
    copy_text(row.error, r.error);
    row.rank = r.rank;
    row.attempt = r.attempt;
    std::copy(r.seconds.begin(), r.seconds.end(), row.seconds);
    row.tags_changed = r.tags_changed;
    row.text_found = r.text_found;
    row.text_redacted = r.text_redacted;
    row.text_flagged = r.text_flagged;
    row.mask_score = r.mask_score;
    row.z_peak = r.z_peak;
    row.anomaly = r.anomaly;
    copy_text(row.gate, r.gate);
    row.first_box = next_box;
    row.box_count = static_cast<std::int64_t>(r.boxes.size());
    next_box += row.box_count;
    for (const auto& b : r.boxes) boxes.push_back({r.item, b.x, b.y, b.width, b.height, b.detector, b.phi, b.action, b.confidence});
    if (r.mask.size() == static_cast<size_t>(kMapSize * kMapSize)) {
      std::copy(r.mask.begin(), r.mask.end(), masks.begin() + static_cast<long>(i * kMapSize * kMapSize));
    }
    if (r.anomaly_map.size() == static_cast<size_t>(kMapSize * kMapSize)) {
      std::copy(r.anomaly_map.begin(), r.anomaly_map.end(), maps.begin() + static_cast<long>(i * kMapSize * kMapSize));
    }
  }
  const std::vector<hsize_t> map_shape{kMapSize, kMapSize};
  append_rows("audit", audit_type().id(), audit.data(), my_rows, base_rows + row_offset, base_rows + new_rows, {});
  if (new_boxes > 0) {
    append_rows("text_boxes", box_type().id(), boxes.data(), my_boxes, base_boxes + box_offset, base_boxes + new_boxes, {});
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
  std::vector<AuditRow> rows(static_cast<size_t>(this->rows()));
  if (!rows.empty()) {
    const h5::Handle type = audit_type();
    h5::check(H5Dread(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), "H5Dread(audit)");
  }
  auto text = [](const char* field, size_t size) { return std::string(field, strnlen(field, size)); };
  std::vector<ItemRecord> records;
  records.reserve(rows.size());
  for (const AuditRow& row : rows) {
    ItemRecord r;
    r.item = row.item;
    r.input_hash = text(row.input_hash, kHashLength);
    r.output = text(row.output, kOutputLength);
    r.status = static_cast<ItemStatus>(row.status);
    r.error = text(row.error, kErrorLength);
    r.rank = row.rank;
    r.attempt = row.attempt;
    std::copy(std::begin(row.seconds), std::end(row.seconds), r.seconds.begin());
    r.tags_changed = row.tags_changed;
    r.text_found = row.text_found;
    r.text_redacted = row.text_redacted;
    r.text_flagged = row.text_flagged;
    r.mask_score = row.mask_score;
    r.z_peak = row.z_peak;
    r.anomaly = row.anomaly;
    r.gate = text(row.gate, kGateLength);
    records.push_back(std::move(r));
  }
  const h5::Handle box_set = h5::dataset(H5Dopen2(file_.id(), "text_boxes", H5P_DEFAULT), "text_boxes");
  std::vector<BoxRow> boxes(static_cast<size_t>(extent_of(file_.id(), "text_boxes")));
  if (!boxes.empty()) {
    const h5::Handle type = box_type();
    h5::check(H5Dread(box_set.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, boxes.data()), "H5Dread(text_boxes)");
  }
  std::map<std::int64_t, ItemRecord*> by_item;
  for (auto& r : records) by_item[r.item] = &r;
  for (const BoxRow& b : boxes) {
    const auto owner = by_item.find(b.item);
    if (owner == by_item.end()) continue;
    owner->second->boxes.push_back({b.x, b.y, b.width, b.height, b.detector, b.phi, b.action, b.confidence});
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

}  // namespace medanon::dist
