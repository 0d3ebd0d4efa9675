#include "synth/padchest_csv.hpp"

#include <sstream>

#include "synth/radiograph.hpp"

namespace medanon::synth {
namespace {

// CSV fields are quoted when they hold a comma or a quote (RFC 4180), as pandas does.
std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string python_list_literal(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += "'" + items[i] + "'";
  }
  return out + "]";
}

std::string padchest_csv(const CorpusPlan& plan, const std::vector<std::vector<std::string>>& labels_by_image) {
  std::ostringstream csv;
  csv << "ImageID,ImageDir,StudyDate_DICOM,StudyID,PatientID,PatientBirth,PatientSex_DICOM,ViewPosition_DICOM,"
         "Projection,MethodProjection,Labels,Localizations,Modality_DICOM,Manufacturer_DICOM,"
         "PhotometricInterpretation_DICOM,PixelRepresentation_DICOM,BitsStored_DICOM,Rows_DICOM,Columns_DICOM,"
         "WindowCenter_DICOM,WindowWidth_DICOM\n";
  for (const auto& image : plan.images) {
    if (image.layout != Layout::padchest) continue;
    const auto& patient = plan.patients.at(static_cast<size_t>(image.patient));
    const auto& study = plan.studies.at(static_cast<size_t>(image.study));
    const int max_value = max_value_for_bits(image.bits_stored);
    csv << image.image_id << ',' << image.image_dir << ',' << study.study_date << ','
        << csv_field(study.study_id + patient.padchest_id.substr(0, 8)) << ',' << patient.padchest_id << ','
        << patient.birth_date.substr(0, 4) << ".0," << (patient.sex == 'F' ? 'F' : 'M') << ','
        << (image.projection == "AP" ? "['ANTEROPOSTERIOR']" : "['POSTEROANTERIOR']") << ',' << image.projection << ','
        << "Manual review of DICOM fields," << csv_field(python_list_literal(labels_by_image.at(static_cast<size_t>(image.index))))
        << ",[]," << (image.projection == "AP" ? "CR" : "DX") << ',' << csv_field(study.manufacturer) << ",MONOCHROME2,0,"
        << image.bits_stored << ',' << image.height << ',' << image.width << ',' << (max_value + 1) / 2 << ','
        << max_value + 1 << '\n';
  }
  return csv.str();
}

}  // namespace medanon::synth
