#pragma once
// The per-file entry point of header de-identification: one input DICOM file in, one
// de-identified file out at <out>/<pseudo-patient>/<study-uid>/<series-uid>/<sop-uid>.dcm,
// written atomically; the original is never modified. Bad input is a result, never an
// exception. Thread-safe: a FileDeidentifier holds no mutable state.

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "deid/dataset_deidentifier.hpp"
#include "deid/identity_values.hpp"
#include "deid/profile_options.hpp"
#include "deid/profile_table.hpp"
#include "deid/pseudonyms.hpp"
#include "deid/safe_private.hpp"
#include "input/dicom_item.hpp"

namespace medanon::deid {

struct DeidConfig {
  ProfileOptions options;
  std::string profile_table = "configs/deid/ps3.15-table-e1-1.tsv";
  std::string iod_types = "configs/deid/iod-types.tsv";
  std::string safe_private_list;  // required with options.retain_safe_private
  // Files whose pixels no codec here can decode (JPEG 2000, video, ...): de-identify the header
  // only (the pixel stage cannot check them) instead of rejecting them.
  bool header_only_for_undecodable = false;
  // Encapsulated documents (PDF, CDA, 3D models): de-identify the header and keep the payload
  // as it is instead of refusing them (the payload is not checked: a person must review it).
  bool keep_documents_header_only = false;
  // PS3.15 E.3.4 Clean Structured Content: SR/KO content trees are kept, cleaned and checked;
  // without it their Content Sequence is removed (the E.1-1 default allows it).
  bool clean_structured_content = false;
};

struct FileRequest {
  std::string input_path;
  std::string output_root;
  // The pixel stage cleaned or verified this image: Burned In Annotation becomes NO.
  bool pixels_cleaned = false;
  // New stored pixel values from the pixel stage (one frame, CV_8UC1 or CV_16UC1, same size and
  // bits as the file). Null: the pixel data element is copied byte for byte.
  const cv::Mat* new_pixels = nullptr;
  // The file parsed already (input/): its dataset is de-identified in place, so a file is
  // parsed once per item. Null: the de-identifier loads input_path itself.
  input::DicomItem* item = nullptr;
  // Every frame's new stored values, as `decoded` describes them (multi-frame, signed, colour).
  const std::vector<cv::Mat>* new_frames = nullptr;
  const input::DecodedPixels* decoded = nullptr;
};

struct FileResult {
  bool ok = false;
  std::string error;  // why the file was rejected (shown in the audit); empty when ok
  std::vector<std::string> warnings;

  std::string output_path;  // absolute or relative as output_root was given
  std::string pseudo_patient_id;
  std::string study_instance_uid;  // the new UIDs (the output's folder names)
  std::string series_instance_uid;
  std::string sop_instance_uid;
  std::string transfer_syntax_uid;  // of the input; the output keeps it unless pixels were re-encoded
  bool pixels_decodable = true;     // false: header-only (see DeidConfig)
  bool pixels_reencoded = false;
  int date_shift_days = 0;
  std::string object_family;        // object_policy.hpp: image, structured report, ...
  bool bare_input = false;          // read without preamble/meta header; written as PS3.10
  // Another input already wrote this SOP Instance with different bytes: this one was not
  // written (ok false, error says so). An identical file already there (a resumed item, a
  // byte-identical copy) counts as written.
  bool duplicate = false;
  bool already_written = false;     // an identical output was there before
  int residual_values_cleaned = 0;  // residual_phi.hpp
  int emptied_sequences_removed = 0;

  // Confidential, for the pixel stage and the custodian only: never into the audit or logs.
  IdentityValues identity;
  PseudonymRecord pseudonyms;
};

class FileDeidentifier {
 public:
  // Loads the table, types and allow-list (UsageError, all ranks, when unusable).
  FileDeidentifier(DeidConfig config, ProjectKey key);

  FileResult deidentify(const FileRequest& request) const;

  const std::string& key_fingerprint() const { return fingerprint_; }
  const ProfileTable& table() const { return table_; }
  const DeidConfig& config() const { return config_; }

 private:
  FileResult deidentify_or_throw(const FileRequest& request) const;

  DeidConfig config_;
  ProfileTable table_;
  SafePrivateList safe_private_;
  Pseudonymizer pseudonyms_;
  std::string fingerprint_;
};

// The output location of an instance: <root>/<pseudo-patient>/<study>/<series>/<sop>.dcm.
std::string output_path_for(const std::string& root, const std::string& pseudo_patient_id,
                            const std::string& study_uid, const std::string& series_uid, const std::string& sop_uid);

}  // namespace medanon::deid
