#pragma once
// The synthetic corpus's records: who the fake patients are, what each image will hold
// (the plan, identical on every rank), and what was really rendered (the ground truth).

#include <opencv2/core.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace medanon::synth {

// ---- identities (all of it is PHI the pipeline must remove) --------------------------------

struct PatientIdentity {
  std::string key;           // corpus-internal handle, e.g. "P0007"; not PHI
  std::string family_name;   // upper case, e.g. "GARCIA"
  std::string given_name;    // upper case, e.g. "MARIA"
  std::string patient_id;    // hospital MRN, digits, e.g. "40817263"
  std::string padchest_id;   // PadChest-style hashed patient id (hex)
  std::string birth_date;    // YYYYMMDD
  char sex = 'F';            // 'M' or 'F'
  std::string other_patient_id;  // a second MRN from another hospital
  std::string address;
  std::string phone;
};

struct StudyIdentity {
  int patient = 0;              // index into CorpusPlan::patients
  std::string study_instance_uid;
  std::string study_date;       // YYYYMMDD
  std::string study_time;       // HHMMSS
  std::string accession_number;
  std::string study_id;
  std::string description;      // free text, may carry PHI
  std::string referring_physician;    // DICOM PN FAMILY^GIVEN
  std::string performing_physician;   // DICOM PN
  std::string operator_name;          // DICOM PN
  std::string institution;
  std::string institution_address;
  std::string station_name;
  std::string device_serial;
  std::string manufacturer;
  std::string model_name;
  int patient_age_years = 0;
};

struct SeriesIdentity {
  int study = 0;                // index into CorpusPlan::studies
  std::string series_instance_uid;
  std::string frame_of_reference_uid;
  std::string series_time;      // HHMMSS
  int series_number = 1;
  std::string projection;       // "PA" or "AP"
};

// ---- the plan ------------------------------------------------------------------------------

enum class Layout { padchest, dicom };

// Foreign-object kinds the generator can draw. Each maps to a real PadChest label.
enum class ObjectKind {
  pacemaker,              // generator + 1-2 leads: "pacemaker" (+ chamber device label)
  central_venous_catheter,// "central venous catheter via jugular vein"/"... subclavian vein"
  nasogastric_tube,       // "NSG tube" (PadChest's own capitalisation)
  endotracheal_tube,      // "endotracheal tube"
  chest_drain,            // "chest drain tube"
  sternotomy_wires,       // "sternotomy"
  osteosynthesis,         // plate + screws: "osteosynthesis material"
  heart_valve_ring,       // "artificial heart valve"
  surgical_clips,         // "suture material"
  ring,                   // external metal ring/jewellery: "external foreign body"
  // The kinds below are drawn only with --object-kinds all (CorpusOptions::all_object_kinds):
  // the default corpora, on which every published figure was measured, stay byte for byte.
  port_catheter,          // subcutaneous reservoir + tunnelled line: "reservoir central venous catheter"
  pulmonary_artery_catheter,  // through the right heart into a pulmonary artery: "Swan Ganz catheter"
  tracheostomy_tube,      // "tracheostomy tube"
  shoulder_prosthesis,    // humeral head and stem: "humeral prosthesis"
  vertebral_cement,       // vertebroplasty: "bone cement"
  aortic_stent_graft,     // metal rings along the descending aorta: "aortic endoprosthesis"
  metal_fragments,        // bullets, shrapnel: "metal"
  ecg_electrodes,         // snap electrodes and their leads on the skin: "electrical device"
};

struct ImagePlan {
  int index = 0;                 // position in the corpus
  Layout layout = Layout::padchest;
  int patient = 0;
  int study = 0;
  int series = 0;                // dicom only; padchest images have one image per study
  int instance_number = 1;
  int width = 1024;
  int height = 1024;
  int bits_stored = 16;          // 8 or 12..16
  bool monochrome1 = false;      // dicom only: inverted photometric interpretation
  std::string transfer_syntax;   // dicom only: see dicom_writer.hpp
  std::string projection;        // "PA" or "AP"
  std::vector<ObjectKind> objects;
  bool cardiomegaly = false;     // enlarged heart shadow, labelled as in PadChest
  std::string sop_instance_uid;  // dicom only
  std::string image_id;          // padchest only: the PNG file name
  int image_dir = 0;             // padchest only: the numbered sub folder
  std::string relative_path;     // path of the image file relative to the corpus root
};

// ---- what was rendered ---------------------------------------------------------------------

struct TextBox {
  std::string text;       // the word as rendered
  std::string field;      // what it is: "PatientName", "PatientID", "BirthDate", "StudyDate",
                          // "AccessionNumber", "InstitutionName", "Marker", "Technique", "Label"
  bool phi = false;       // true when the word identifies the patient or the encounter
  cv::Rect box;           // tight box around the rendered glyph pixels (image coordinates)
  bool central = false;   // placed near the centre, outside the border bands
  bool bright = true;     // white-on-dark (true) or dark-on-bright (false)
};

struct PlacedObject {
  ObjectKind kind = ObjectKind::ring;
  std::string label;      // the PadChest label this object gives the image
  cv::Rect bbox;          // bounding box of its mask pixels
};

struct RenderedImage {
  cv::Mat pixels;         // CV_16UC1 (values < 2^bits_stored) or CV_8UC1; MONOCHROME2 sense
  cv::Mat object_mask;    // CV_8UC1, 255 on foreign-object pixels
  std::vector<PlacedObject> objects;
  // Hard negatives (hard_negatives.hpp; only with --hard-negative-fraction > 0): CV_8UC1, 255 on
  // their pixels, and each finding's kind and box (kind, bbox as in hard_negatives.hpp).
  cv::Mat hard_negative_mask;
  std::vector<std::pair<std::string, cv::Rect>> hard_negatives;
  std::vector<TextBox> text;
  std::vector<std::string> labels;  // PadChest labels of the image ("normal" when none)
};

const char* to_string(Layout layout);
const char* to_string(ObjectKind kind);

}  // namespace medanon::synth
