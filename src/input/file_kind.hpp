#pragma once
// The one place where a file's kind is recognised: its first bytes (the PS3.10 preamble and
// "DICM", the start of a bare DICOM dataset, PNG/JPEG/TIFF/BMP signatures), then its name.
// Every reader (manifest, pixel stage, header stage, MAE input) asks here instead of
// checking magic bytes itself.

#include <cstddef>
#include <cstdint>
#include <string>

namespace medanon::input {

enum class FileKind {
  dicom,       // PS3.10 file: 128-byte preamble, "DICM", meta header
  dicom_bare,  // a dataset without preamble or meta header (ACR-NEMA style, old archives)
  png,
  jpeg,
  tiff,
  bmp,
  unknown,
};

const char* to_string(FileKind kind);
bool is_dicom(FileKind kind);

// From the first bytes of a file (at least 132 for the PS3.10 check; fewer are fine for the rest).
FileKind kind_from_bytes(const unsigned char* head, std::size_t size);
// From the extension alone (".dcm" counts as DICOM; it is then read with auto-detection).
FileKind kind_from_extension(const std::string& path);
// Content first, then the extension; unreadable files are unknown.
FileKind sniff_file(const std::string& path);
// The same for a file already read (`bytes`: its first bytes or all of it).
FileKind sniff_bytes(const std::string& path, const std::uint8_t* bytes, std::size_t size);

}  // namespace medanon::input
