#include "io/manifest.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "input/file_kind.hpp"
#include "io/csv.hpp"

namespace medanon::io {
namespace {

namespace fs = std::filesystem;

std::string absolute_folder(const std::string& path, const char* what) {
  std::error_code error;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(path), error);
  if (error || !fs::is_directory(absolute)) throw InputError(std::string(what) + " " + path + " is not a readable folder");
  return absolute.string();
}

}  // namespace

InputKind classify_input(const std::string& path) {
  // input/file_kind is the one place that knows magic bytes (bare DICOM datasets included);
  // files that claim a format by name but lack its bytes are kept by their name, so that they
  // fail validation with a reason in the audit instead of silently disappearing.
  input::FileKind kind = input::sniff_file(path);
  // A listed file that cannot be read yet (missing, no permission) is classified by its name.
  if (kind == input::FileKind::unknown) kind = input::kind_from_extension(path);
  switch (kind) {
    case input::FileKind::dicom:
    case input::FileKind::dicom_bare:
      return InputKind::dicom;
    case input::FileKind::png:
      return InputKind::png;
    case input::FileKind::jpeg:
    case input::FileKind::tiff:
    case input::FileKind::bmp:
      return InputKind::other_image;
    case input::FileKind::unknown:
      break;
  }
  return InputKind::unknown;
}

Manifest manifest_from_padchest(const std::string& csv_path, const std::string& image_root) {
  Manifest manifest;
  manifest.source = "padchest";
  manifest.root = absolute_folder(image_root, "--images");
  std::ifstream csv(csv_path);
  if (!csv) throw InputError("cannot read the PadChest CSV " + csv_path);
  std::vector<std::string> fields;
  if (!read_csv_record(csv, fields)) throw InputError("the PadChest CSV " + csv_path + " is empty");
  const auto column = [&](const char* name) {
    const auto at = std::find(fields.begin(), fields.end(), name);
    if (at == fields.end()) throw InputError(std::string("the PadChest CSV has no ") + name + " column");
    return static_cast<size_t>(at - fields.begin());
  };
  const size_t id_column = column("ImageID"), dir_column = column("ImageDir");
  std::vector<std::pair<std::string, size_t>> identifying_columns;
  for (const char* name : {"PatientID", "StudyID", "StudyDate_DICOM", "PatientBirth"}) {
    const auto at = std::find(fields.begin(), fields.end(), name);
    if (at != fields.end()) identifying_columns.emplace_back(name, static_cast<size_t>(at - fields.begin()));
  }
  while (read_csv_record(csv, fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;
    if (fields.size() <= std::max(id_column, dir_column)) throw InputError("PadChest CSV: a row has too few columns");
    ManifestItem item;
    item.padchest_dir = fields[dir_column];
    item.padchest_id = fields[id_column];
    // Both name parts come from the CSV: refuse anything that could leave the image root.
    for (const auto& part : {item.padchest_dir, item.padchest_id}) {
      if (part.empty() || part.find('/') != std::string::npos || part == "." || part == "..") {
        throw InputError("PadChest CSV: unsafe ImageDir/ImageID '" + part + "'");
      }
    }
    item.path = manifest.root + "/" + item.padchest_dir + "/" + item.padchest_id;
    item.kind = InputKind::png;
    for (const auto& [name, at] : identifying_columns) {
      if (at < fields.size() && !fields[at].empty()) item.identifying[name] = fields[at];
    }
    manifest.items.push_back(std::move(item));
  }
  std::sort(manifest.items.begin(), manifest.items.end(),
            [](const ManifestItem& a, const ManifestItem& b) { return a.path < b.path; });
  return manifest;
}

Manifest manifest_from_tree(const std::string& root) {
  Manifest manifest;
  manifest.source = "tree";
  manifest.root = absolute_folder(root, "--input");
  for (auto it = fs::recursive_directory_iterator(manifest.root, fs::directory_options::skip_permission_denied);
       it != fs::recursive_directory_iterator(); ++it) {
    // symlink_status: a link is never followed, to a folder (loops) or to a file (outside the tree).
    if (!fs::is_regular_file(it->symlink_status())) continue;
    const std::string path = it->path().string();
    if (it->path().filename() == "DICOMDIR") continue;  // a media index, not an image
    const InputKind kind = classify_input(path);
    if (kind == InputKind::unknown) continue;
    manifest.items.push_back({path, kind, "", "", {}});
  }
  std::sort(manifest.items.begin(), manifest.items.end(),
            [](const ManifestItem& a, const ManifestItem& b) { return a.path < b.path; });
  return manifest;
}

Manifest manifest_from_list(const std::string& list_path) {
  Manifest manifest;
  manifest.source = "list";
  std::ifstream list(list_path);
  if (!list) throw InputError("cannot read the file list " + list_path);
  const fs::path base = fs::absolute(list_path).parent_path();
  manifest.root = base.string();
  std::string line;
  while (std::getline(list, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const fs::path path = fs::path(line).is_absolute() ? fs::path(line) : base / line;
    manifest.items.push_back({path.lexically_normal().string(), classify_input(path.string()), "", "", {}});
  }
  // A list keeps its own order: the user chose it, and it is already deterministic.
  return manifest;
}

// Length-prefixed fields ("<bytes>:<value>"), not JSON: paths are bytes on POSIX, and a file
// name that is not UTF-8 (an old Latin-1 archive) must reach every rank unchanged, not stop the
// job (JSON strings must be UTF-8).
namespace {

void put_field(std::string& out, const std::string& value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
}

std::string get_field(const std::string& in, size_t& at) {
  const size_t colon = in.find(':', at);
  if (colon == std::string::npos) throw InternalError("manifest encoding: missing field length");
  const size_t length = std::stoull(in.substr(at, colon - at));
  if (colon + 1 + length > in.size()) throw InternalError("manifest encoding: truncated field");
  std::string value = in.substr(colon + 1, length);
  at = colon + 1 + length;
  return value;
}

}  // namespace

std::string serialize(const Manifest& manifest) {
  std::string out = "medanon-manifest-2\n";
  put_field(out, manifest.source);
  put_field(out, manifest.root);
  put_field(out, std::to_string(manifest.items.size()));
  for (const auto& item : manifest.items) {
    put_field(out, item.path);
    put_field(out, std::to_string(static_cast<int>(item.kind)));
    put_field(out, item.padchest_dir);
    put_field(out, item.padchest_id);
    put_field(out, std::to_string(item.identifying.size()));
    for (const auto& [name, value] : item.identifying) {
      put_field(out, name);
      put_field(out, value);
    }
  }
  return out;
}

Manifest deserialize_manifest(const std::string& text) {
  const std::string magic = "medanon-manifest-2\n";
  if (text.compare(0, magic.size(), magic) != 0) throw InternalError("manifest encoding: unknown format");
  size_t at = magic.size();
  Manifest manifest;
  manifest.source = get_field(text, at);
  manifest.root = get_field(text, at);
  const size_t count = std::stoull(get_field(text, at));
  manifest.items.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    ManifestItem item;
    item.path = get_field(text, at);
    item.kind = static_cast<InputKind>(std::stoi(get_field(text, at)));
    item.padchest_dir = get_field(text, at);
    item.padchest_id = get_field(text, at);
    const size_t pairs = std::stoull(get_field(text, at));
    for (size_t k = 0; k < pairs; ++k) {
      std::string name = get_field(text, at);
      item.identifying[name] = get_field(text, at);
    }
    manifest.items.push_back(std::move(item));
  }
  return manifest;
}

}  // namespace medanon::io
