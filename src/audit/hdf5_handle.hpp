#pragma once
// A thin RAII layer over the HDF5 C API: every hid_t has exactly one owner that closes it with
// the right H5*close, destructors never throw, and every status is checked by one function that
// turns HDF5's negative returns into InternalError with context.

#include <hdf5.h>

#include <string>
#include <utility>

namespace medanon::audit::h5 {

herr_t check(herr_t status, const char* what);  // throws InternalError when status < 0
hid_t check_id(hid_t id, const char* what);     // throws InternalError when id < 0

class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t id() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }
  void reset() noexcept {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);  // a failed close has no remedy here
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

inline Handle file(hid_t id, const char* what) { return {check_id(id, what), H5Fclose}; }
inline Handle dataset(hid_t id, const char* what) { return {check_id(id, what), H5Dclose}; }
inline Handle dataspace(hid_t id, const char* what) { return {check_id(id, what), H5Sclose}; }
inline Handle datatype(hid_t id, const char* what) { return {check_id(id, what), H5Tclose}; }
inline Handle plist(hid_t id, const char* what) { return {check_id(id, what), H5Pclose}; }
inline Handle attribute(hid_t id, const char* what) { return {check_id(id, what), H5Aclose}; }
inline Handle group(hid_t id, const char* what) { return {check_id(id, what), H5Gclose}; }

// A fixed-length, NUL-terminated string type: parallel HDF5 1.10 cannot write variable-length
// strings through MPI-IO.
Handle fixed_string_type(size_t length);

// File access through MPI-IO on `comm`, with collective metadata reads and writes (every rank
// makes the same metadata calls, so the metadata cache stays consistent without extra traffic).
Handle mpio_file_access(MPI_Comm comm);

// A transfer property list for collective raw-data I/O.
Handle collective_transfer();

// HDF5 prints its own error stack by default; our checked calls report instead.
void silence_error_stack();

}  // namespace medanon::audit::h5
