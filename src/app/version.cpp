#include <H5public.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <mpi.h>
#include <tesseract/baseapi.h>

#include <opencv2/core/version.hpp>

#include <string>

#include "app/command.hpp"

namespace medanon::app {

std::string version_text() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  char mpi_version[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(mpi_version, &length);
  std::string mpi_text(mpi_version, static_cast<size_t>(length));
  mpi_text = mpi_text.substr(0, mpi_text.find_first_of(",\n"));
  return std::string("medanon ") + MEDANON_VERSION + "\n  MPI: " + mpi_text + "\n  HDF5: " + std::to_string(major) + "." +
         std::to_string(minor) + "." + std::to_string(release) + " (parallel)" + "\n  LibTorch: " + MEDANON_TORCH_VERSION + " (medanon_torch.so, loaded by train, infer and the anonymize MAE stage)" +
         "\n  OpenCV: " + CV_VERSION + "\n  DCMTK: " + OFFIS_DCMTK_VERSION_STRING +
         "\n  Tesseract: " + tesseract::TessBaseAPI::Version();
}

}  // namespace medanon::app
