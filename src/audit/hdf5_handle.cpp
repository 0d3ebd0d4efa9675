#include "audit/hdf5_handle.hpp"

#include "core/errors.hpp"

namespace medanon::audit::h5 {

herr_t check(herr_t status, const char* what) {
  if (status < 0) throw InternalError(std::string("HDF5: ") + what + " failed");
  return status;
}

hid_t check_id(hid_t id, const char* what) {
  if (id < 0) throw InternalError(std::string("HDF5: ") + what + " failed");
  return id;
}

Handle fixed_string_type(size_t length) {
  Handle type = datatype(H5Tcopy(H5T_C_S1), "H5Tcopy(C string)");
  check(H5Tset_size(type.id(), length), "H5Tset_size");
  check(H5Tset_strpad(type.id(), H5T_STR_NULLTERM), "H5Tset_strpad");
  return type;
}

Handle mpio_file_access(MPI_Comm comm) {
  Handle access = plist(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate(file access)");
  check(H5Pset_fapl_mpio(access.id(), comm, MPI_INFO_NULL), "H5Pset_fapl_mpio");
  check(H5Pset_all_coll_metadata_ops(access.id(), 1), "H5Pset_all_coll_metadata_ops");
  check(H5Pset_coll_metadata_write(access.id(), 1), "H5Pset_coll_metadata_write");
  return access;
}

Handle collective_transfer() {
  Handle transfer = plist(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate(transfer)");
  check(H5Pset_dxpl_mpio(transfer.id(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
  return transfer;
}

void silence_error_stack() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

}  // namespace medanon::audit::h5
