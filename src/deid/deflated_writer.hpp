#pragma once
// Saving a file in Deflated Explicit VR Little Endian (PS3.5 A.5) without DCMTK's own deflate:
// DCMTK compresses through zlib's default strategy (about 45 ms for a 2 MB image at level 1, a
// third of the bench's header-only run with only 9 of 200 files deflated); libdeflate's level 1
// writes the same standard raw deflate stream in about half the time. Any inflater reads it.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <string>

namespace medanon::deid {

// Writes `file` to `path` (created or truncated): preamble, meta header (updated to name the
// deflated syntax and the dataset's SOP instance), then the dataset, explicit VR little endian,
// deflated. Throws InternalError when DCMTK cannot encode the dataset or the file cannot be written.
void save_deflated(DcmFileFormat& file, const std::string& path);

}  // namespace medanon::deid
