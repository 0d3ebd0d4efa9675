#pragma once
// The list of items a job processes, in a deterministic order that does not depend on the
// file system's directory order, the number of ranks or the attempt: item i is the same file in
// every run over the same input, which is what makes resume and exactly-once possible.
//
// Built by rank 0 only (one scan of a possibly huge tree), then broadcast as text.

#include <map>
#include <string>
#include <vector>

namespace medanon::io {

enum class InputKind { dicom, png, other_image, unknown };

struct ManifestItem {
  std::string path;          // absolute input path
  InputKind kind = InputKind::unknown;
  std::string padchest_dir;  // PadChest only: ImageDir
  std::string padchest_id;   // PadChest only: ImageID (a PHI-free name chosen by PadChest)
  // PadChest only: the row's identifying columns (PatientID, StudyID, StudyDate_DICOM,
  // PatientBirth) by column name, so the text stage can match burned-in text against them as it
  // does against a DICOM header. PHI: held in memory (and the rank-0 broadcast) only.
  std::map<std::string, std::string> identifying;
};

struct Manifest {
  std::string source;        // "padchest", "tree" or "list"
  std::string root;          // the input root (absolute)
  std::vector<ManifestItem> items;
};

// PadChest: the labels CSV (columns ImageID, ImageDir) and the folder holding <ImageDir>/<ImageID>.
Manifest manifest_from_padchest(const std::string& csv_path, const std::string& image_root);
// Every regular file under `root` (recursively; symbolic links are never followed, so there are
// no loops, and nothing outside the tree is read), sorted by path; DICOMDIR and files that are
// neither DICOM nor images are left out.
Manifest manifest_from_tree(const std::string& root);
// One path per line (absolute, or relative to the list's folder); blank lines and # comments skipped.
Manifest manifest_from_list(const std::string& list_path);

std::string serialize(const Manifest& manifest);
Manifest deserialize_manifest(const std::string& text);

// Classifies by content (DICM preamble, PNG/JPEG/TIFF/BMP magic), then by extension.
InputKind classify_input(const std::string& path);

}  // namespace medanon::io
