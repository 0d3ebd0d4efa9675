#pragma once
// The PadChest labels CSV as the thesis uses it (preprocessing/create_dataframe.py), with two
// fixes: labels match case-insensitively (the thesis lowercases the data but not its own 'NSG
// tube' and 'double J stent', so those never matched), and splits are grouped by patient (the
// thesis splits per image, so one patient's studies leak between training and test).
// No torch types.

#include <cstdint>
#include <string>
#include <vector>

namespace medanon::io {

// The thesis' 34 foreign-object labels, in its order and spelling.
const std::vector<std::string>& foreign_object_labels();

struct PadChestImage {
  std::string image_id;   // file name
  std::string image_dir;  // numbered sub-folder
  std::string patient_id;
  std::string projection;
  std::vector<std::string> labels;  // lowercased, trimmed
  std::vector<std::string> foreign_objects;  // the matching entries of foreign_object_labels()
  bool normal = false;
  bool has_foreign_object() const { return !foreign_objects.empty(); }
  std::string relative_path() const { return image_dir + "/" + image_id; }
};

struct PadChestSummary {
  std::size_t rows = 0, kept = 0, no_labels = 0, bad_labels = 0, excluded_projection = 0, excluded_label = 0;
};

// `Labels` cell in Python list syntax ("['a', 'b']", "[' a']", "[]") -> lowercased, trimmed.
// Throws std::invalid_argument on malformed cells.
std::vector<std::string> parse_label_list(const std::string& cell);

// Reads the CSV, dropping projections L/UNK/EXCLUDE/COSTAL and studies labelled unchanged,
// exclude or suboptimal study. Throws std::runtime_error when unreadable or columns are missing.
std::vector<PadChestImage> read_padchest_csv(const std::string& path, PadChestSummary* summary = nullptr);

struct PatientSplit {
  std::vector<PadChestImage> train;        // negatives only (the MAE learns normal anatomy)
  std::vector<PadChestImage> validation;   // negatives and positives
  std::vector<PadChestImage> test;         // negatives and positives
};

// Seeded split by patient: each patient's images all go to one part, chosen by a hash of
// (seed, patient id) against the fractions. The MAE trains on negatives only (as the thesis), so a
// patient drawn for training who has any foreign object goes to validation with all their images.
PatientSplit split_by_patient(const std::vector<PadChestImage>& images, std::uint64_t seed,
                              double train_fraction = 0.8, double validation_fraction = 0.1);

}  // namespace medanon::io
