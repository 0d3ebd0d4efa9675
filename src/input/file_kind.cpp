#include "input/file_kind.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace medanon::input {
namespace {

std::uint16_t little16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }
std::uint16_t big16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

// A bare dataset starts with its lowest group: a group length (gggg,0000) or an element of the
// command/identification groups (0000, 0008) or, rarely, the meta group (0002) without
// preamble. Anything else is too weak a signature to claim the file.
bool starts_like_dataset(const unsigned char* head, std::size_t size) {
  if (size < 8) return false;
  for (const std::uint16_t group : {little16(head), big16(head)}) {
    if (group != 0x0000 && group != 0x0002 && group != 0x0008) continue;
    const bool explicit_vr = std::isupper(head[4]) && std::isupper(head[5]);
    if (explicit_vr) return true;
    // Implicit VR: a 32-bit length follows; a plausible one is small.
    std::uint32_t length = 0;
    std::memcpy(&length, head + 4, 4);
    if (length < 0x10000) return true;
  }
  return false;
}

}  // namespace

const char* to_string(FileKind kind) {
  switch (kind) {
    case FileKind::dicom: return "dicom";
    case FileKind::dicom_bare: return "dicom_bare";
    case FileKind::png: return "png";
    case FileKind::jpeg: return "jpeg";
    case FileKind::tiff: return "tiff";
    case FileKind::bmp: return "bmp";
    case FileKind::unknown: return "unknown";
  }
  return "unknown";
}

bool is_dicom(FileKind kind) { return kind == FileKind::dicom || kind == FileKind::dicom_bare; }

FileKind kind_from_bytes(const unsigned char* head, std::size_t size) {
  if (size >= 132 && std::memcmp(head + 128, "DICM", 4) == 0) return FileKind::dicom;
  if (size >= 8 && std::memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0) return FileKind::png;
  if (size >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return FileKind::jpeg;
  if (size >= 4 && (std::memcmp(head, "II*\0", 4) == 0 || std::memcmp(head, "MM\0*", 4) == 0)) return FileKind::tiff;
  if (size >= 2 && head[0] == 'B' && head[1] == 'M') return FileKind::bmp;
  if (starts_like_dataset(head, size)) return FileKind::dicom_bare;
  return FileKind::unknown;
}

FileKind kind_from_extension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".dcm" || extension == ".dicom") return FileKind::dicom_bare;  // read with auto-detection
  if (extension == ".png") return FileKind::png;
  if (extension == ".jpg" || extension == ".jpeg") return FileKind::jpeg;
  if (extension == ".tif" || extension == ".tiff") return FileKind::tiff;
  if (extension == ".bmp") return FileKind::bmp;
  return FileKind::unknown;
}

FileKind sniff_bytes(const std::string& path, const std::uint8_t* bytes, std::size_t size) {
  const FileKind by_content = kind_from_bytes(bytes, std::min<std::size_t>(size, 132));
  if (by_content != FileKind::unknown) return by_content;
  return kind_from_extension(path);
}

FileKind sniff_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return FileKind::unknown;
  unsigned char head[132] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  return sniff_bytes(path, head, static_cast<std::size_t>(in.gcount()));
}

}  // namespace medanon::input
