#include "deid/file_deidentifier.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>

#include "deid/byte_hygiene.hpp"
#include "deid/dcmtk_check.hpp"
#include "deid/dcmtk_settings.hpp"
#include "deid/dicom_preflight.hpp"
#include "deid/deflated_writer.hpp"
#include "deid/marks.hpp"
#include "deid/pixel_codecs.hpp"
#include "io/atomic_file.hpp"
#include "io/contained_path.hpp"

namespace medanon::deid {
namespace {

// Meta header attributes that name the sending and receiving systems (PS3.10 7.1); the rest
// of the meta header DCMTK rewrites from the dataset when saving.
const DcmTagKey kMetaIdentifyingTags[] = {DCM_SourceApplicationEntityTitle, DcmTagKey(0x0002, 0x0017),
                                          DcmTagKey(0x0002, 0x0018), DCM_PrivateInformationCreatorUID,
                                          DCM_PrivateInformation};

std::string string_of(DcmItem& item, const DcmTagKey& key) {
  OFString value;
  item.findAndGetOFStringArray(key, value);
  return value.c_str();
}

FileResult rejected(FileResult result, const std::string& why) {
  result.ok = false;
  result.error = why;
  return result;
}

// The input checks of a result; empty when the file can be de-identified.
std::string why_unreadable(const std::string& path, const OFCondition& status) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "cannot open the file";
  if (info.st_size == 0) return "empty file (zero bytes)";
  return std::string("not a readable DICOM file (PS3.10: needs the 128-byte preamble, \"DICM\" and a complete "
                     "meta header and dataset): ") +
         status.text();
}

}  // namespace

std::string output_path_for(const std::string& root, const std::string& pseudo_patient_id,
                            const std::string& study_uid, const std::string& series_uid, const std::string& sop_uid) {
  // Folder names come from header values: only valid UIDs, and never a path that leaves root.
  for (const std::string* uid : {&study_uid, &series_uid, &sop_uid}) {
    if (!is_valid_uid(*uid)) throw InputError("a Study, Series or SOP Instance UID is not a valid UID (PS3.5 9.1)");
  }
  return io::join_under(root, {pseudo_patient_id, study_uid, series_uid, sop_uid + ".dcm"});
}

FileDeidentifier::FileDeidentifier(DeidConfig config, ProjectKey key)
    : config_(std::move(config)),
      table_(ProfileTable::load(config_.profile_table, config_.iod_types, config_.options)),
      pseudonyms_(std::move(key)),
      fingerprint_(pseudonyms_.key().fingerprint()) {
  if (config_.options.retain_safe_private) {
    if (config_.safe_private_list.empty()) {
      throw UsageError("the Retain Safe Private option needs an allow-list file (safe-private-list)", Scope::all_ranks);
    }
    safe_private_ = SafePrivateList::load(config_.safe_private_list);
  }
  register_codecs();
  configure_dcmtk_for_untrusted_input();
}

FileResult FileDeidentifier::deidentify(const FileRequest& request) const {
  // Whatever one file does to DCMTK or to us, the run goes on: the failure is this file's result.
  try {
    return deidentify_or_throw(request);
  } catch (const std::exception& e) {
    FileResult result;
    return rejected(result, std::string("de-identification failed: ") + e.what());
  }
}

FileResult FileDeidentifier::deidentify_or_throw(const FileRequest& request) const {
  FileResult result;
  // Before DCMTK parses: nesting that would overflow its recursion, sizes that would exhaust memory.
  if (const std::string why = dicom_preflight_problem(request.input_path); !why.empty()) return rejected(result, why);
  DcmFileFormat file;
  // ERM_fileOnly: a file without the PS3.10 meta header is refused, not guessed at. Elements
  // longer than DCM_MaxReadLength (the pixel data) stay on disk until written back.
  const OFCondition status =
      file.loadFile(request.input_path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_fileOnly);
  if (status.bad()) return rejected(result, why_unreadable(request.input_path, status));
  DcmDataset& dataset = *file.getDataset();
  const E_TransferSyntax source_syntax = dataset.getOriginalXfer();
  const DcmXfer source(source_syntax);
  result.transfer_syntax_uid = source.getXferID();

  if (!dataset.tagExists(DCM_PixelData)) return rejected(result, "no Pixel Data (7FE0,0010): not an image");
  result.pixels_decodable = can_decode(source_syntax);
  if (!result.pixels_decodable) {
    const std::string why = std::string("transfer syntax ") + source.getXferName() + " (" + source.getXferID() +
                            ") is not supported: no codec here decodes its pixels, so burned-in text cannot be "
                            "checked";
    if (!config_.header_only_for_undecodable || request.new_pixels != nullptr) return rejected(result, why);
    result.warnings.push_back(why + "; header de-identified only");
  }
  const std::string sop_class = string_of(dataset, DCM_SOPClassUID);
  if (sop_class.empty() || string_of(dataset, DCM_SOPInstanceUID).empty() ||
      string_of(dataset, DCM_StudyInstanceUID).empty() || string_of(dataset, DCM_SeriesInstanceUID).empty()) {
    return rejected(result, "missing SOP Class, SOP Instance, Study or Series Instance UID (Type 1, PS3.3 C.12.1)");
  }

  InstanceContext context;
  context.sop_class_uid = sop_class;
  context.original_patient_id = string_of(dataset, DCM_PatientID);
  context.date_shift_days = config_.options.retain_modified_dates
                                ? pseudonyms_.date_shift_days(context.original_patient_id)
                                : 0;
  result.identity = collect_identity_values(dataset);
  context.scrub_needles = result.identity.scrub_needles;
  result.date_shift_days = context.date_shift_days;

  DatasetDeidentifier(table_, pseudonyms_, safe_private_, config_.options).clean(dataset, context, result.pseudonyms);
  put_deidentification_marks(dataset, config_.options, request.pixels_cleaned, table_.edition());

  DcmMetaInfo& meta = *file.getMetaInfo();
  for (const DcmTagKey& key : kMetaIdentifyingTags) meta.findAndDeleteElement(key);
  result.pseudo_patient_id = pseudonyms_.patient_id(context.original_patient_id);
  result.study_instance_uid = string_of(dataset, DCM_StudyInstanceUID);
  result.series_instance_uid = string_of(dataset, DCM_SeriesInstanceUID);
  result.sop_instance_uid = string_of(dataset, DCM_SOPInstanceUID);
  // PS3.10 7.1: the meta header names the same instance as the dataset.
  check(meta.putAndInsertString(DCM_MediaStorageSOPInstanceUID, result.sop_instance_uid.c_str()),
        "put MediaStorageSOPInstanceUID");

  E_TransferSyntax output_syntax = source_syntax;
  if (request.new_pixels != nullptr) {
    try {
      output_syntax = replace_pixels(dataset, source_syntax, *request.new_pixels);
    } catch (const std::invalid_argument& e) {
      return rejected(result, e.what());
    }
    result.pixels_reencoded = true;
  } else if (const std::string why = clean_pixel_data_bytes(dataset, result.pixels_decodable, output_syntax);
             !why.empty()) {
    return rejected(result, why);  // byte_hygiene.hpp: overlay bits, over-long Pixel Data
  }

  result.output_path = output_path_for(request.output_root, result.pseudo_patient_id, result.study_instance_uid,
                                       result.series_instance_uid, result.sop_instance_uid);
  io::write_atomically(result.output_path, [&](const std::string& temporary) {
    // Deflated files must be deflated again (the whole dataset is one stream); see deflated_writer.hpp.
    if (output_syntax == EXS_DeflatedLittleEndianExplicit) {
      save_deflated(file, temporary);
    } else {
      // EWM_updateMeta: keep the meta header we cleaned, refresh its class, instance and syntax.
      check(file.saveFile(temporary.c_str(), output_syntax, EET_ExplicitLength, EGL_withoutGL, EPD_noChange, 0, 0,
                          EWM_updateMeta),
            "write " + temporary);
    }
    zero_preamble(temporary);  // DCMTK copies the input's preamble (byte_hygiene.hpp)
  });
  result.ok = true;
  return result;
}

}  // namespace medanon::deid
