#include "evaluation/corpus_truth.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "io/csv.hpp"

namespace medanon::evaluation {

CorpusTruth read_corpus_truth(const std::string& corpus_root) {
  const std::string path = corpus_root + "/ground_truth.json";
  std::ifstream in(path);
  if (!in) throw InputError("no ground truth at " + path + " (make a corpus with `medanon synth`)", Scope::all_ranks);
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + " is not valid JSON: " + e.what(), Scope::all_ranks);
  }
  if (json.value("format", "") != "medanon-synth-ground-truth")
    throw InputError(path + " is not a medanon synth ground truth", Scope::all_ranks);
  CorpusTruth truth;
  for (const auto& image : json.at("images")) {
    TruthImage record;
    record.index = image.at("index").get<int>();
    record.path = image.at("path").get<std::string>();
    record.layout = image.at("layout").get<std::string>();
    for (const auto& text : image.at("text")) {
      const auto& box = text.at("box");
      record.words.push_back({text.at("text").get<std::string>(), text.at("field").get<std::string>(),
                              text.at("phi").get<bool>(), text.at("region").get<std::string>() == "center",
                              cv::Rect(box[0].get<int>(), box[1].get<int>(), box[2].get<int>(), box[3].get<int>())});
    }
    truth.images.push_back(std::move(record));
  }
  for (const auto& bad : json.value("bad_files", nlohmann::json::array())) {
    truth.bad_files.push_back(
        {bad.at("path").get<std::string>(), bad.value("defect", ""), bad.value("expect", "reject")});
  }
  return truth;
}

std::map<std::string, pixel::IdentifyingValues> read_padchest_values(const std::string& csv_path) {
  std::map<std::string, pixel::IdentifyingValues> rows;
  std::ifstream in(csv_path);
  if (!in) return rows;
  std::vector<std::string> header, fields;
  if (!io::read_csv_record(in, header)) return rows;
  while (io::read_csv_record(in, fields)) {
    pixel::IdentifyingValues values;
    std::string id;
    for (size_t column = 0; column < header.size() && column < fields.size(); ++column) {
      if (header[column] == "ImageID") id = fields[column];
      if (header[column] == "StudyDate_DICOM") values["StudyDate"] = fields[column];
      if (header[column] == "PatientID") values["PatientID"] = fields[column];
    }
    if (!id.empty()) rows[id] = std::move(values);
  }
  return rows;
}

}  // namespace medanon::evaluation
