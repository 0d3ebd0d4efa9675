#include "deid/file_deidentifier.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>

#include <filesystem>
#include <set>
#include <stdexcept>

#include "deid/byte_hygiene.hpp"
#include "deid/dcmtk_check.hpp"
#include "deid/dcmtk_settings.hpp"
#include "deid/output_writer.hpp"
#include "deid/empty_sequences.hpp"
#include "deid/marks.hpp"
#include "deid/object_policy.hpp"
#include "deid/pixel_codecs.hpp"
#include "deid/residual_phi.hpp"
#include "io/atomic_file.hpp"
#include "io/contained_path.hpp"
#include "input/dicom_value.hpp"

namespace medanon::deid {
namespace {

using input::string_of;

// Meta header attributes that name the sending and receiving systems (PS3.10 7.1); the rest
// of the meta header DCMTK rewrites from the dataset when saving.
const DcmTagKey kMetaIdentifyingTags[] = {DCM_SourceApplicationEntityTitle, DcmTagKey(0x0002, 0x0017),
                                          DcmTagKey(0x0002, 0x0018), DCM_PrivateInformationCreatorUID,
                                          DCM_PrivateInformation};

FileResult rejected(FileResult result, const std::string& why) {
  result.ok = false;
  result.error = why;
  return result;
}

bool is_jpeg2000(E_TransferSyntax syntax) {
  return syntax == EXS_JPEG2000LosslessOnly || syntax == EXS_JPEG2000 ||
         syntax == EXS_JPEG2000MulticomponentLosslessOnly || syntax == EXS_JPEG2000Multicomponent;
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
  // The item the pipeline parsed, or a parse of our own (PS3.10 files and bare datasets alike).
  input::LoadResult own;
  input::DicomItem* item = request.item;
  if (item == nullptr) {
    own = input::load_dicom(request.input_path);
    if (!own.ok) return rejected(result, own.reason);
    item = &own.item;
  }
  DcmFileFormat& file = *item->file;
  DcmDataset& dataset = *file.getDataset();
  const E_TransferSyntax source_syntax = item->source_syntax;
  const DcmXfer source(source_syntax);
  result.transfer_syntax_uid = source.getXferID();
  result.bare_input = item->kind == input::FileKind::dicom_bare;

  const std::string sop_class = string_of(dataset, DCM_SOPClassUID);
  const ObjectPolicy policy = object_policy(item->sop_class_uid, item->has_pixels);
  result.object_family = to_string(policy.family);
  if (policy.needs_pixel_data && !item->has_pixels) {
    return rejected(result, "no Pixel Data (7FE0,0010) in an image object (SOP Class " + item->sop_class_uid + ")");
  }
  if (policy.family == ObjectFamily::media_directory) return rejected(result, std::string("refused: ") + policy.why);
  if (policy.family == ObjectFamily::encapsulated_document) {
    if (!config_.keep_documents_header_only) {
      return rejected(result, std::string("refused: ") + policy.why + " (keep-documents-header-only keeps them)");
    }
    result.warnings.push_back(std::string(policy.why) + "; header de-identified only, payload kept unchecked");
  }
  const bool new_pixels = request.new_pixels != nullptr || request.new_frames != nullptr;
  result.pixels_decodable = !item->has_pixels || can_decode(source_syntax);
  if (!result.pixels_decodable) {
    const std::string why = std::string("transfer syntax ") + source.getXferName() + " (" + source.getXferID() +
                            ") is not supported: no codec here decodes its pixels, so burned-in text cannot be "
                            "checked";
    if (!config_.header_only_for_undecodable || new_pixels) return rejected(result, why);
    result.warnings.push_back(why + "; header de-identified only");
  }
  if (sop_class.empty() || string_of(dataset, DCM_SOPInstanceUID).empty() ||
      string_of(dataset, DCM_StudyInstanceUID).empty() || string_of(dataset, DCM_SeriesInstanceUID).empty()) {
    return rejected(result, "missing SOP Class, SOP Instance, Study or Series Instance UID (Type 1, PS3.3 C.12.1)");
  }
  // Structured content: removed whole unless Clean Structured Content keeps it (then the
  // profile cleans it and the residual check below guards the text items).
  AppliedCleaning applied;
  applied.pixels = request.pixels_cleaned;
  if (policy.structured_content && dataset.tagExists(DCM_ContentSequence)) {
    if (config_.clean_structured_content) {
      applied.structured_content = true;  // claimed in the marks: 113104 (PS3.15 E.3.4)
    } else {
      dataset.findAndDeleteElement(DCM_ContentSequence);
      result.warnings.push_back("structured content removed (Clean Structured Content not selected)");
    }
  }

  InstanceContext context;
  context.sop_class_uid = sop_class;
  context.original_patient_id = string_of(dataset, DCM_PatientID);
  context.date_shift_days = config_.options.retain_modified_dates
                                ? pseudonyms_.date_shift_days(context.original_patient_id)
                                : 0;
  result.identity = collect_identity_values(dataset);
  const PatientNeedles needles = patient_needles(dataset);
  const std::set<const void*> sequences_before = sequences_with_items(dataset);
  context.scrub_needles = result.identity.scrub_needles;
  result.date_shift_days = context.date_shift_days;

  DatasetDeidentifier(table_, pseudonyms_, safe_private_, config_.options).clean(dataset, context, result.pseudonyms);
  result.emptied_sequences_removed = remove_emptied_sequences(dataset, sequences_before, table_, sop_class);
  put_deidentification_marks(dataset, config_.options, applied, table_.edition());

  DcmMetaInfo& meta = *file.getMetaInfo();
  for (const DcmTagKey& key : kMetaIdentifyingTags) meta.findAndDeleteElement(key);
  result.pseudo_patient_id = pseudonyms_.patient_id(context.original_patient_id);
  result.study_instance_uid = string_of(dataset, DCM_StudyInstanceUID);
  result.series_instance_uid = string_of(dataset, DCM_SeriesInstanceUID);
  result.sop_instance_uid = string_of(dataset, DCM_SOPInstanceUID);
  // PS3.10 7.1: the meta header names the same instance as the dataset.
  check(meta.putAndInsertString(DCM_MediaStorageSOPInstanceUID, result.sop_instance_uid.c_str()),
        "put MediaStorageSOPInstanceUID");

  // The last look before writing: nothing of this patient's own identity in any text value.
  for (DcmItem* part : {static_cast<DcmItem*>(&dataset), static_cast<DcmItem*>(&meta)}) {
    const ResidualReport residual = clean_residual_phi(*part, needles);
    result.residual_values_cleaned += residual.cleaned;
    if (!residual.remaining.empty()) {
      std::string where;
      for (const std::string& name : residual.remaining) where += (where.empty() ? "" : ", ") + name;
      return rejected(result, "quarantined: identifying values of the patient remain in " + where);
    }
    if (residual.cleaned > 0) {
      std::string where;
      for (const std::string& name : residual.cleaned_in) where += (where.empty() ? "" : ", ") + name;
      result.warnings.push_back("residual PHI cleaned in " + where);
    }
  }

  E_TransferSyntax output_syntax = source_syntax;
  if (new_pixels) {
    try {
      input::DecodedPixels own_decoding;
      const input::DecodedPixels* decoded = request.decoded;
      if (decoded == nullptr) {
        own_decoding = input::decode_pixels(*item);
        decoded = &own_decoding;
      }
      const std::vector<cv::Mat> one_frame =
          request.new_pixels != nullptr ? std::vector<cv::Mat>{*request.new_pixels} : std::vector<cv::Mat>{};
      output_syntax = replace_pixels(dataset, source_syntax, request.new_frames != nullptr ? *request.new_frames : one_frame,
                                     *decoded);
    } catch (const std::invalid_argument& e) {
      return rejected(result, e.what());
    }
    result.pixels_reencoded = true;
  } else if (const std::string why = clean_pixel_data_bytes(
                 // The unused-bits check decodes through DCMTK, which has no JPEG 2000 codec (input/
                 // decodes those with OpenJPEG): such a stream counts as not checkable there.
                 dataset, result.pixels_decodable && !is_jpeg2000(source_syntax), output_syntax);
             !why.empty()) {
    return rejected(result, why);  // byte_hygiene.hpp: overlay bits, over-long Pixel Data
  }
  // A bare dataset read as implicit little endian keeps its syntax; its meta header is made here.
  if (output_syntax == EXS_Unknown) output_syntax = EXS_LittleEndianImplicit;

  result.output_path = output_path_for(request.output_root, result.pseudo_patient_id, result.study_instance_uid,
                                       result.series_instance_uid, result.sop_instance_uid);
  // Never over another input's output: a SOP Instance UID written twice is a duplicate.
  const io::Placement placement = io::write_new_atomically(
      result.output_path, [&](const std::string& temporary) { save_output(file, output_syntax, temporary); });
  if (placement == io::Placement::different_exists) {
    result.duplicate = true;
    return rejected(result, "duplicate: another input with the same SOP Instance UID was written first with "
                            "different content; this one was not written");
  }
  result.already_written = placement == io::Placement::identical_exists;
  result.ok = true;
  return result;
}

}  // namespace medanon::deid
