#pragma once
// Rows of an HDF5 compound table made from a field list (record_fields.hpp). Columns are laid out
// as a C struct of the same members in the same order would be (natural alignment, size padded
// to the widest member), so the tables keep the exact on-disk type they had when each row was a
// hand-written struct: files of earlier versions read unchanged.

#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "audit/hdf5_handle.hpp"
#include "audit/record_fields.hpp"

namespace medanon::audit {

// How a field is stored in a column: enums as their underlying integer.
template <class T, bool = std::is_enum_v<T>>
struct stored {
  using type = T;
};
template <class T>
struct stored<T, true> {
  using type = std::underlying_type_t<T>;
};
template <class T>
using stored_t = typename stored<T>::type;

template <class T>
hid_t native_type();  // H5T_NATIVE_* of int64, int32, int8 and float

class RowLayout {
 public:
  struct Column {
    std::string name;
    std::size_t offset = 0, size = 0;
    hid_t native = -1;  // -1: a fixed-width string of `size` bytes
  };

  template <class T>
  void number(const char* name) {
    add(name, sizeof(T), alignof(T), native_type<T>());
  }
  void text(const char* name, std::size_t width) { add(name, width, 1, -1); }

  std::size_t row_size() const;  // padded to the widest member, as sizeof(struct) is
  const Column& column(std::size_t index) const { return columns_.at(index); }
  std::size_t columns() const { return columns_.size(); }
  h5::Handle compound_type() const;

 private:
  void add(const char* name, std::size_t size, std::size_t align, hid_t native);
  std::vector<Column> columns_;
  std::size_t end_ = 0, align_ = 1;
};

// Visitors for for_each_field / for_each_box_field.
struct LayoutBuilder {
  RowLayout& layout;
  template <class T>
  void operator()(const char* name, const T&) { layout.number<stored_t<T>>(name); }
  void operator()(const char* name, const std::string&, FixedText text) { layout.text(name, text.width); }
  template <class T>
  void operator()(const char*, const T&, JournalOnly) {}
};

// Writes fields into one row, column after column.
class RowPacker {
 public:
  RowPacker(const RowLayout& layout, char* row) : layout_(layout), row_(row) {}
  template <class T>
  void put(const T& value) {
    const stored_t<T> stored = static_cast<stored_t<T>>(value);
    std::memcpy(row_ + next().offset, &stored, sizeof stored);
  }
  template <class T>
  void operator()(const char*, const T& value) { put(value); }
  // Truncates (a long error message keeps its start) and terminates.
  void operator()(const char*, const std::string& value, FixedText) {
    const RowLayout::Column& c = next();
    std::memcpy(row_ + c.offset, value.data(), std::min(value.size(), c.size - 1));
  }
  template <class T>
  void operator()(const char*, const T&, JournalOnly) {}

 private:
  const RowLayout::Column& next() { return layout_.column(index_++); }
  const RowLayout& layout_;
  char* row_;  // zeroed by the caller
  std::size_t index_ = 0;
};

// Reads fields back out of one row, column after column.
class RowUnpacker {
 public:
  RowUnpacker(const RowLayout& layout, const char* row) : layout_(layout), row_(row) {}
  template <class T>
  void get(T& value) {
    stored_t<T> stored{};
    std::memcpy(&stored, row_ + next().offset, sizeof stored);
    value = static_cast<T>(stored);
  }
  template <class T>
  void operator()(const char*, T& value) { get(value); }
  void operator()(const char*, std::string& value, FixedText) {
    const RowLayout::Column& c = next();
    value.assign(row_ + c.offset, strnlen(row_ + c.offset, c.size));
  }
  template <class T>
  void operator()(const char*, T&, JournalOnly) {}

 private:
  const RowLayout::Column& next() { return layout_.column(index_++); }
  const RowLayout& layout_;
  const char* row_;
  std::size_t index_ = 0;
};

// The two tables' rows: /audit (the record's fields, then first_box and box_count, where its
// text boxes are in /text_boxes) and /text_boxes (the owning item, then the box's fields).
const RowLayout& audit_row_layout();
const RowLayout& box_row_layout();

}  // namespace medanon::audit
