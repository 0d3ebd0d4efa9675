#include "synth/ground_truth.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace medanon::synth {
namespace {

using nlohmann::json;

json box_json(const cv::Rect& r) { return json::array({r.x, r.y, r.width, r.height}); }

}  // namespace

std::string hard_negative_mask_path(int index) {
  char name[64];
  std::snprintf(name, sizeof name, "ground_truth/hard_negatives/%06d.png", index);
  return name;
}

std::string image_record_json(const CorpusPlan& plan, const ImagePlan& image, const RenderedImage& rendered,
                              const std::map<std::string, std::string>& header_phi, const std::string& mask_path) {
  const PatientIdentity& patient = plan.patients.at(static_cast<size_t>(image.patient));
  json record;
  record["index"] = image.index;
  record["path"] = image.relative_path;
  record["layout"] = to_string(image.layout);
  record["patient"] = patient.key;
  record["width"] = rendered.pixels.cols;
  record["height"] = rendered.pixels.rows;
  record["bits_stored"] = image.bits_stored;
  record["projection"] = image.projection;
  if (image.layout == Layout::dicom) {
    record["transfer_syntax"] = image.transfer_syntax;
    record["photometric"] = image.monochrome1 ? "MONOCHROME1" : "MONOCHROME2";
  }
  record["labels"] = rendered.labels;
  record["has_foreign_object"] = !rendered.objects.empty();
  json objects = json::array();
  for (const auto& object : rendered.objects) {
    objects.push_back({{"kind", to_string(object.kind)}, {"label", object.label}, {"bbox", box_json(object.bbox)}});
  }
  record["foreign_objects"] = objects;
  record["foreign_object_mask"] = mask_path;
  record["foreign_object_pixels"] = cv::countNonZero(rendered.object_mask);
  if (plan.options.hard_negative_fraction > 0) {  // otherwise the record stays as before
    json hard = json::array();
    for (const auto& [kind, box] : rendered.hard_negatives) hard.push_back({{"kind", kind}, {"bbox", box_json(box)}});
    record["hard_negatives"] = hard;
    record["hard_negative_mask"] = hard_negative_mask_path(image.index);
  }
  json text = json::array();
  for (const auto& box : rendered.text) {
    text.push_back({{"text", box.text},
                    {"field", box.field},
                    {"phi", box.phi},
                    {"box", box_json(box.box)},
                    {"region", box.central ? "center" : "border"},
                    {"polarity", box.bright ? "bright" : "dark"}});
  }
  record["text"] = text;
  // Identity values that exist for the image even where the file format carries no header
  // (PadChest PNG): the pipeline must not leak them through names, logs or the audit.
  const StudyIdentity& study = plan.studies.at(static_cast<size_t>(image.study));
  json phi = {{"PatientName", patient.family_name + "^" + patient.given_name},
              {"PatientID", patient.patient_id},
              {"PatientBirthDate", patient.birth_date},
              {"StudyDate", study.study_date},
              {"AccessionNumber", study.accession_number},
              {"InstitutionName", study.institution}};
  for (const auto& [keyword, value] : header_phi) phi[keyword] = value;
  record["phi"] = phi;
  record["header_phi"] = !header_phi.empty();
  return record.dump();
}

std::string corpus_ground_truth_json(const CorpusPlan& plan, const std::vector<std::string>& image_records,
                                     const std::vector<BadFile>& bad_files) {
  json root;
  root["format"] = "medanon-synth-ground-truth";
  root["version"] = kGroundTruthVersion;
  const CorpusOptions& o = plan.options;
  root["options"] = {{"count", o.count},
                     {"seed", o.seed},
                     {"size", o.size},
                     {"dicom_fraction", o.dicom_fraction},
                     {"object_fraction", o.object_fraction},
                     {"eight_bit_fraction", o.eight_bit_fraction}};
  if (o.all_object_kinds) root["options"]["object_kinds"] = "all";  // otherwise the record stays as before
  root["padchest_csv"] = "padchest/padchest_labels.csv";
  json images = json::array();
  for (const auto& text : image_records) images.push_back(json::parse(text));
  std::sort(images.begin(), images.end(),
            [](const json& a, const json& b) { return a.at("index").get<int>() < b.at("index").get<int>(); });
  root["images"] = images;
  json bad = json::array();
  for (const auto& file : bad_files) bad.push_back({{"path", file.path}, {"defect", file.defect}, {"expect", file.expect}});
  root["bad_files"] = bad;
  return root.dump(1) + "\n";
}

}  // namespace medanon::synth
