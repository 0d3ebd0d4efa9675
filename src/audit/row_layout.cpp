#include "audit/row_layout.hpp"

namespace medanon::audit {

template <>
hid_t native_type<std::int64_t>() { return H5T_NATIVE_INT64; }
template <>
hid_t native_type<std::int32_t>() { return H5T_NATIVE_INT32; }
template <>
hid_t native_type<std::int8_t>() { return H5T_NATIVE_INT8; }
template <>
hid_t native_type<float>() { return H5T_NATIVE_FLOAT; }

void RowLayout::add(const char* name, std::size_t size, std::size_t align, hid_t native) {
  const std::size_t offset = (end_ + align - 1) / align * align;
  columns_.push_back({name, offset, size, native});
  end_ = offset + size;
  align_ = std::max(align_, align);
}

std::size_t RowLayout::row_size() const { return (end_ + align_ - 1) / align_ * align_; }

h5::Handle RowLayout::compound_type() const {
  h5::Handle type = h5::datatype(H5Tcreate(H5T_COMPOUND, row_size()), "H5Tcreate(compound)");
  for (const Column& c : columns_) {
    if (c.native >= 0) {
      h5::check(H5Tinsert(type.id(), c.name.c_str(), c.offset, c.native), c.name.c_str());
    } else {
      const h5::Handle text = h5::fixed_string_type(c.size);
      h5::check(H5Tinsert(type.id(), c.name.c_str(), c.offset, text.id()), c.name.c_str());
    }
  }
  return type;
}

const RowLayout& audit_row_layout() {
  static const RowLayout layout = [] {
    RowLayout l;
    const ItemRecord sample;
    for_each_field(sample, LayoutBuilder{l});
    l.number<std::int64_t>("first_box");
    l.number<std::int64_t>("box_count");
    return l;
  }();
  return layout;
}

const RowLayout& box_row_layout() {
  static const RowLayout layout = [] {
    RowLayout l;
    l.number<std::int64_t>("item");
    const TextBoxRecord sample;
    for_each_box_field(sample, LayoutBuilder{l});
    return l;
  }();
  return layout;
}

}  // namespace medanon::audit
