// PadChest CSV -> filtered, labelled images -> patient-grouped splits.

#include "io/padchest_dataset.hpp"
#include "core/errors.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <stdexcept>

#include "io/csv.hpp"

namespace medanon::io {

const std::vector<std::string>& foreign_object_labels() {
  static const std::vector<std::string> labels = {
      "tracheostomy tube", "endotracheal tube", "NSG tube", "chest drain tube", "ventriculoperitoneal drain tube",
      "gastrostomy tube", "nephrostomy tube", "double J stent", "catheter", "central venous catheter",
      "central venous catheter via subclavian vein", "central venous catheter via jugular vein",
      "reservoir central venous catheter", "central venous catheter via umbilical vein", "electrical device",
      "dual chamber device", "single chamber device", "pacemaker", "dai", "artificial heart valve",
      "artificial mitral heart valve", "artificial aortic heart valve", "metal", "osteosynthesis material",
      "sternotomy", "suture material", "bone cement", "prosthesis", "humeral prosthesis", "mammary prosthesis",
      "endoprosthesis", "aortic endoprosthesis", "abnormal foreign body", "external foreign body"};
  return labels;
}

namespace {

std::string lower_trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  text = first == std::string::npos ? "" : text.substr(first, last - first + 1);
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// splitmix64: a stable hash, the same on every platform and rank.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double unit_hash(std::uint64_t seed, const std::string& key) {
  std::uint64_t h = mix(seed);
  for (unsigned char c : key) h = mix(h ^ c);
  return static_cast<double>(h >> 11) / 9007199254740992.0;  // [0, 1)
}

}  // namespace

std::vector<std::string> parse_label_list(const std::string& cell) {
  const std::string text = lower_trimmed(cell);
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') {
    throw std::invalid_argument("not a Python list: " + cell);
  }
  std::vector<std::string> labels;
  std::size_t i = 1;
  while (i < text.size() - 1) {
    const char c = text[i];
    if (c == ' ' || c == ',') {
      ++i;
      continue;
    }
    if (c != '\'' && c != '"') throw std::invalid_argument("unquoted list item in " + cell);
    const auto end = text.find(c, i + 1);
    if (end == std::string::npos) throw std::invalid_argument("unterminated string in " + cell);
    labels.push_back(lower_trimmed(text.substr(i + 1, end - i - 1)));
    i = end + 1;
  }
  return labels;
}

std::vector<PadChestImage> read_padchest_csv(const std::string& path, PadChestSummary* summary) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read PadChest CSV " + path);
  // RFC 4180 (io/csv): PadChest's list-valued columns are quoted and hold commas.
  std::vector<std::string> header;
  if (!io::read_csv_record(in, header)) throw InputError(path + ": empty CSV");
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (const char* name : {"ImageID", "ImageDir", "PatientID", "Projection", "Labels"}) {
    if (!column.count(name)) throw InputError(path + ": no column " + name);
  }
  static const std::vector<std::string> excluded_projections = {"L", "UNK", "EXCLUDE", "COSTAL"};
  static const std::vector<std::string> excluded_labels = {"unchanged", "exclude", "suboptimal study"};
  std::vector<std::string> wanted;  // lowercased once: the case-insensitive match
  for (const auto& label : foreign_object_labels()) wanted.push_back(lower_trimmed(label));

  PadChestSummary counts;
  std::vector<PadChestImage> images;
  std::vector<std::string> fields;
  while (io::read_csv_record(in, fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    ++counts.rows;
    auto field = [&](const char* name) { return column[name] < fields.size() ? fields[column[name]] : std::string(); };
    PadChestImage image;
    image.image_id = field("ImageID");
    image.image_dir = field("ImageDir");
    image.patient_id = field("PatientID");
    image.projection = field("Projection");
    const std::string labels = field("Labels");
    if (labels.empty() || labels == "nan") {
      ++counts.no_labels;
      continue;
    }
    try {
      image.labels = parse_label_list(labels);
    } catch (const std::invalid_argument&) {
      ++counts.bad_labels;
      continue;
    }
    if (std::count(excluded_projections.begin(), excluded_projections.end(), image.projection)) {
      ++counts.excluded_projection;
      continue;
    }
    const auto has = [&](const std::string& label) {
      return std::find(image.labels.begin(), image.labels.end(), label) != image.labels.end();
    };
    if (std::any_of(excluded_labels.begin(), excluded_labels.end(), has)) {
      ++counts.excluded_label;
      continue;
    }
    image.normal = has("normal");
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      if (has(wanted[i])) image.foreign_objects.push_back(foreign_object_labels()[i]);
    }
    images.push_back(std::move(image));
  }
  counts.kept = images.size();
  if (summary) *summary = counts;
  return images;
}

PatientSplit split_by_patient(const std::vector<PadChestImage>& images, std::uint64_t seed, double train_fraction,
                              double validation_fraction) {
  std::map<std::string, bool> patient_has_positive;
  for (const auto& image : images) patient_has_positive[image.patient_id] |= image.has_foreign_object();
  PatientSplit split;
  for (const auto& image : images) {
    const double u = unit_hash(seed, image.patient_id);
    // A training patient with any foreign object goes to validation whole: no patient's images
    // are ever on both sides.
    if (u < train_fraction && !patient_has_positive[image.patient_id]) {
      split.train.push_back(image);
    } else if (u < train_fraction + validation_fraction || u < train_fraction) {
      split.validation.push_back(image);
    } else {
      split.test.push_back(image);
    }
  }
  return split;
}

}  // namespace medanon::io
