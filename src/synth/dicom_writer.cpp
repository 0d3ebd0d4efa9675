#include "synth/dicom_writer.hpp"

// osconfig.h must precede every other DCMTK header: it fixes the build's feature macros.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcrlerp.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpeg/djrploss.h>
#include <dcmtk/dcmjpls/djrparam.h>

#include <cmath>
#include <memory>
#include <utility>

#include "core/errors.hpp"
#include "input/codecs.hpp"

namespace medanon::synth {
namespace {

using PhiValues = std::map<std::string, std::string>;

// Our private creators. Real archives carry both kinds: a vendor block next to the station
// data and a site block that copies patient demographics (PS3.15 leaves private tags to the
// de-identifier's judgement, so the pipeline must find these).
constexpr const char* kSiteCreator = "MEDANON SYNTH 1.0";
constexpr const char* kVendorCreator = "SYNTHVENDOR CR 2.1";
constexpr Uint16 kSiteGroup = 0x0029;
constexpr Uint16 kVendorGroup = 0x0019;

// The retired Detached Study Management SOP Class: what older RIS feeds still put in
// ReferencedStudySequence, so real files carry it.
constexpr const char* kDetachedStudyManagementClass = "1.2.840.10008.3.1.2.3.1";

// Assumed share of the image width the torso spans; with it the pixel spacing puts a
// typical adult chest at about 350 mm whatever the rendered size.
constexpr double kBodyWidthMm = 350.0;
constexpr double kBodyWidthFraction = 0.85;

void check(const OFCondition& condition, const std::string& path, const std::string& what) {
  if (condition.bad()) {
    throw InternalError("write_dicom " + path + ": " + what + ": " + condition.text());
  }
}

std::string keyword_of(const DcmTagKey& key) {
  DcmTag tag(key);
  return tag.getTagName();
}

// Puts attributes into one dataset or sequence item and records each planted PHI value under
// its path ("RequestAttributesSequence/AccessionNumber", "(0029,1010)").
class ItemWriter {
 public:
  ItemWriter(DcmItem& item, std::string prefix, const std::string& path, PhiValues& phi)
      : item_(item), prefix_(std::move(prefix)), path_(path), phi_(phi) {}

  void put(const DcmTagKey& key, const std::string& value) {
    check(item_.putAndInsertString(DcmTag(key), value.c_str()), path_, "put " + keyword_of(key));
  }

  void put_phi(const DcmTagKey& key, const std::string& value) {
    put(key, value);
    record(keyword_of(key), value);
  }

  void put_uint16(const DcmTagKey& key, Uint16 value) {
    check(item_.putAndInsertUint16(key, value), path_, "put " + keyword_of(key));
  }

  void put_private_creator(Uint16 group, const char* creator) {
    put_private(DcmTagKey(group, 0x0010), creator, EVR_LO, creator);
  }

  // A private element of the block reserved at (group,0010), i.e. elements (group,10xx).
  void put_private_phi(Uint16 group, Uint16 element, const char* creator, DcmEVR vr, const std::string& value) {
    const DcmTagKey key(group, element);
    put_private(key, creator, vr, value);
    record(key.toString().c_str(), value);
  }

  // A new item appended to `sequence`; `indexed` keys its PHI "Sequence[i]/..." for
  // sequences that hold several items.
  ItemWriter append_item(const DcmTagKey& sequence, bool indexed = false) {
    DcmItem* item = nullptr;
    check(item_.findOrCreateSequenceItem(sequence, item, -2), path_, "append item to " + keyword_of(sequence));
    std::string child = prefix_ + keyword_of(sequence);
    if (indexed) {
      DcmSequenceOfItems* items = nullptr;
      check(item_.findAndGetSequence(sequence, items), path_, "find " + keyword_of(sequence));
      child += "[" + std::to_string(items->card() - 1) + "]";
    }
    return ItemWriter(*item, child + "/", path_, phi_);
  }

  DcmItem& item() { return item_; }

 private:
  // An empty value plants nothing, and as a "leaked PHI" pattern it would match everywhere.
  void record(const std::string& name, const std::string& value) {
    if (!value.empty()) phi_[prefix_ + name] = value;
  }

  void put_private(const DcmTagKey& key, const char* creator, DcmEVR vr, const std::string& value) {
    DcmTag tag(key, DcmVR(vr));
    tag.setPrivateCreator(creator);
    check(item_.putAndInsertString(tag, value.c_str()), path_, std::string("put private ") + key.toString().c_str());
  }

  DcmItem& item_;
  std::string prefix_;
  const std::string& path_;
  PhiValues& phi_;
};

struct SopClass {
  const char* uid;
  const char* modality;
};

std::string person_name(const PatientIdentity& patient) { return patient.family_name + "^" + patient.given_name; }

std::string spoken_name(const PatientIdentity& patient) { return patient.given_name + " " + patient.family_name; }

std::string age_string(int years) {
  std::string digits = std::to_string(years < 0 ? 0 : years);
  while (digits.size() < 3) digits.insert(digits.begin(), '0');
  return digits + "Y";
}

// DS with four decimals, built by hand: snprintf would follow a global locale's decimal comma.
std::string decimal_string(double value) {
  const long scaled = std::lround(value * 10000.0);
  std::string fraction = std::to_string(scaled % 10000);
  while (fraction.size() < 4) fraction.insert(fraction.begin(), '0');
  return std::to_string(scaled / 10000) + "." + fraction;
}

// Why the image was taken, as technologists write it into ImageComments.
std::string image_comment(const ImagePlan& plan, const PatientIdentity& patient, Rng& rng) {
  static const std::vector<std::string> reasons = {"Follow-up", "Pre-op chest", "Cough, fever", "Routine check",
                                                   "Dyspnoea"};
  std::string reason = rng.pick(reasons);  // drawn always, so the stream position is fixed
  for (ObjectKind kind : plan.objects) {
    if (kind == ObjectKind::pacemaker) reason = "Pacemaker check";
    if (kind == ObjectKind::central_venous_catheter) reason = "Line position check";
  }
  return reason + " for " + spoken_name(patient) + " MRN " + patient.patient_id;
}

void put_patient(ItemWriter& out, const DicomContext& context) {
  const PatientIdentity& patient = context.patient;
  out.put_phi(DCM_PatientName, person_name(patient));
  out.put_phi(DCM_PatientID, patient.patient_id);
  out.put_phi(DCM_PatientBirthDate, patient.birth_date);
  out.put(DCM_PatientSex, std::string(1, patient.sex));
  out.put_phi(DCM_PatientAge, age_string(context.study.patient_age_years));
  out.put_phi(DCM_PatientAddress, patient.address);
  out.put_phi(DCM_PatientTelephoneNumbers, patient.phone);

  ItemWriter other = out.append_item(DCM_OtherPatientIDsSequence);
  other.put_phi(DCM_PatientID, patient.other_patient_id);
  other.put(DCM_IssuerOfPatientID, "REGIONAL MPI");
  other.put(DCM_TypeOfPatientID, "TEXT");
}

void put_study_series_instance(ItemWriter& out, const DicomContext& context, const SopClass& sop_class, Rng& rng) {
  const StudyIdentity& study = context.study;
  const SeriesIdentity& series = context.series;
  const ImagePlan& plan = context.plan;

  out.put(DCM_SOPClassUID, sop_class.uid);
  out.put_phi(DCM_SOPInstanceUID, plan.sop_instance_uid);
  out.put(DCM_Modality, sop_class.modality);
  out.put(DCM_BodyPartExamined, "CHEST");
  out.put(DCM_ViewPosition, plan.projection);
  // Radiological display convention for both PA and AP: image right = patient left.
  out.put(DCM_PatientOrientation, "L\\F");
  out.put(DCM_ImageType, "ORIGINAL\\PRIMARY");

  out.put_phi(DCM_StudyInstanceUID, study.study_instance_uid);
  out.put_phi(DCM_StudyDate, study.study_date);
  out.put_phi(DCM_StudyTime, study.study_time);
  out.put_phi(DCM_AccessionNumber, study.accession_number);
  out.put_phi(DCM_StudyID, study.study_id);
  out.put_phi(DCM_StudyDescription, study.description);
  out.put_phi(DCM_ReferringPhysicianName, study.referring_physician);
  out.put_phi(DCM_PerformingPhysicianName, study.performing_physician);
  out.put_phi(DCM_OperatorsName, study.operator_name);
  out.put_phi(DCM_InstitutionName, study.institution);
  out.put_phi(DCM_InstitutionAddress, study.institution_address);
  out.put_phi(DCM_StationName, study.station_name);
  out.put_phi(DCM_DeviceSerialNumber, study.device_serial);
  out.put(DCM_Manufacturer, study.manufacturer);
  out.put(DCM_ManufacturerModelName, study.model_name);

  out.put_phi(DCM_SeriesInstanceUID, series.series_instance_uid);
  out.put(DCM_SeriesNumber, std::to_string(series.series_number));
  out.put_phi(DCM_SeriesDate, study.study_date);
  out.put_phi(DCM_SeriesTime, series.series_time);
  out.put_phi(DCM_FrameOfReferenceUID, series.frame_of_reference_uid);
  out.put(DCM_InstanceNumber, std::to_string(plan.instance_number));
  out.put_phi(DCM_ContentDate, study.study_date);
  out.put_phi(DCM_ContentTime, series.series_time);
  out.put_phi(DCM_AcquisitionDateTime, study.study_date + series.series_time);
  out.put_phi(DCM_ImageComments, image_comment(plan, context.patient, rng));

  // The other images of the study are referenced with this image's SOP class: the writer
  // does not know theirs, and readers only follow the instance UID.
  for (const std::string& uid : context.referenced_sop_instance_uids) {
    ItemWriter reference = out.append_item(DCM_ReferencedImageSequence, /*indexed=*/true);
    reference.put(DCM_ReferencedSOPClassUID, sop_class.uid);
    reference.put_phi(DCM_ReferencedSOPInstanceUID, uid);
  }
}

// The order as the RIS sent it, nested the way modality worklists nest it:
//   RequestAttributesSequence                       (level 1: RequestedProcedureID,
//   |                                                ScheduledProcedureStepID, AccessionNumber,
//   |                                                private (0029,1030) = patient name)
//   +- ReferencedStudySequence                      (level 2: ReferencedSOPInstanceUID = study)
//   +- ScheduledProtocolCodeSequence                (level 2: protocol code, not PHI)
//      +- ProtocolContextSequence                   (level 3: PNAME content item whose
//         |                                          PersonName is the referring physician)
//         +- ConceptNameCodeSequence                (level 4: DCM 121008, not PHI)
void put_request_attributes(ItemWriter& out, const DicomContext& context) {
  const StudyIdentity& study = context.study;
  ItemWriter request = out.append_item(DCM_RequestAttributesSequence);
  // Many RIS reuse the study ID and the accession number for these (both SH, 16 characters).
  request.put_phi(DCM_RequestedProcedureID, study.study_id);
  request.put_phi(DCM_ScheduledProcedureStepID, study.accession_number);
  request.put_phi(DCM_AccessionNumber, study.accession_number);
  request.put_private_creator(kSiteGroup, kSiteCreator);
  request.put_private_phi(kSiteGroup, 0x1030, kSiteCreator, EVR_LO, spoken_name(context.patient));

  ItemWriter referenced_study = request.append_item(DCM_ReferencedStudySequence);
  referenced_study.put(DCM_ReferencedSOPClassUID, kDetachedStudyManagementClass);
  referenced_study.put_phi(DCM_ReferencedSOPInstanceUID, study.study_instance_uid);

  ItemWriter protocol = request.append_item(DCM_ScheduledProtocolCodeSequence);
  protocol.put(DCM_CodeValue, "CXR1");
  protocol.put(DCM_CodingSchemeDesignator, "99MEDANON");
  protocol.put(DCM_CodeMeaning, "Chest X-ray, single view");

  ItemWriter context_item = protocol.append_item(DCM_ProtocolContextSequence);
  context_item.put(DCM_ValueType, "PNAME");
  context_item.put_phi(DCM_PersonName, study.referring_physician);
  ItemWriter concept = context_item.append_item(DCM_ConceptNameCodeSequence);
  concept.put(DCM_CodeValue, "121008");
  concept.put(DCM_CodingSchemeDesignator, "DCM");
  concept.put(DCM_CodeMeaning, "Person Observer Name");
}

void put_private_blocks(ItemWriter& out, const DicomContext& context) {
  out.put_private_creator(kVendorGroup, kVendorCreator);
  out.put_private_phi(kVendorGroup, 0x1005, kVendorCreator, EVR_LO, context.study.station_name);

  out.put_private_creator(kSiteGroup, kSiteCreator);
  out.put_private_phi(kSiteGroup, 0x1010, kSiteCreator, EVR_LO, person_name(context.patient));
  out.put_private_phi(kSiteGroup, 0x1011, kSiteCreator, EVR_LO, context.patient.patient_id);
  out.put_private_phi(kSiteGroup, 0x1020, kSiteCreator, EVR_DA, context.patient.birth_date);
}

// Image Pixel, CR/DX Image and VOI LUT modules. `pixels` are in MONOCHROME2 sense; for
// MONOCHROME1 the stored values are inverted so the displayed image stays the same.
void put_pixels(ItemWriter& out, const cv::Mat& pixels, const ImagePlan& plan, const SopClass& sop_class, Rng& rng,
                const std::string& path) {
  const bool sixteen = pixels.type() == CV_16UC1;
  if (!sixteen && pixels.type() != CV_8UC1) {
    throw InternalError("write_dicom " + path + ": pixels must be CV_16UC1 or CV_8UC1");
  }
  const int bits_stored = sixteen ? plan.bits_stored : 8;
  if (bits_stored < 2 || bits_stored > 16) {
    throw InternalError("write_dicom " + path + ": bits_stored " + std::to_string(bits_stored) + " outside 2..16");
  }
  const int max_value = (1 << bits_stored) - 1;
  double lowest = 0;
  double highest = 0;
  cv::minMaxLoc(pixels, &lowest, &highest);
  if (highest > max_value) {
    throw InternalError("write_dicom " + path + ": pixel value " + std::to_string(highest) + " does not fit in " +
                        std::to_string(bits_stored) + " bits");
  }

  cv::Mat stored = pixels.clone();  // clone: continuous, and the caller's image stays untouched
  if (plan.monochrome1) {
    stored.convertTo(stored, stored.type(), -1.0, max_value);
    std::swap(lowest, highest);
    lowest = max_value - lowest;
    highest = max_value - highest;
  }

  out.put(DCM_PhotometricInterpretation, plan.monochrome1 ? "MONOCHROME1" : "MONOCHROME2");
  out.put_uint16(DCM_SamplesPerPixel, 1);
  out.put_uint16(DCM_Rows, static_cast<Uint16>(stored.rows));
  out.put_uint16(DCM_Columns, static_cast<Uint16>(stored.cols));
  out.put_uint16(DCM_BitsAllocated, sixteen ? 16 : 8);
  out.put_uint16(DCM_BitsStored, static_cast<Uint16>(bits_stored));
  out.put_uint16(DCM_HighBit, static_cast<Uint16>(bits_stored - 1));
  out.put_uint16(DCM_PixelRepresentation, 0);

  const double spacing = kBodyWidthMm / (kBodyWidthFraction * stored.cols) * rng.uniform(0.95, 1.05);
  const std::string spacing_pair = decimal_string(spacing) + "\\" + decimal_string(spacing);
  out.put(DCM_ImagerPixelSpacing, spacing_pair);
  out.put(DCM_PixelSpacing, spacing_pair);

  const long center = std::lround((lowest + highest) / 2.0);
  const long width = std::lround(highest - lowest) + 1;
  out.put(DCM_WindowCenter, std::to_string(center));
  out.put(DCM_WindowWidth, std::to_string(width));
  out.put(DCM_RescaleIntercept, "0");
  out.put(DCM_RescaleSlope, "1");
  out.put(DCM_RescaleType, "US");

  if (std::string(sop_class.modality) == "DX") {
    // DX Image module (PS3.3 C.8.11.3): type 1 attributes of a For Presentation image.
    out.put(DCM_PresentationIntentType, "FOR PRESENTATION");
    out.put(DCM_PixelIntensityRelationship, "LOG");
    out.put(DCM_PixelIntensityRelationshipSign, "1");
    out.put(DCM_PresentationLUTShape, plan.monochrome1 ? "INVERSE" : "IDENTITY");
    out.put(DCM_DetectorType, "SCINTILLATOR");
  }

  const unsigned long count = static_cast<unsigned long>(stored.total());
  if (sixteen) {
    check(out.item().putAndInsertUint16Array(DCM_PixelData, stored.ptr<Uint16>(), count), path, "put PixelData");
  } else {
    check(out.item().putAndInsertUint8Array(DCM_PixelData, stored.ptr<Uint8>(), count), path, "put PixelData");
  }
}

struct Encoding {
  E_TransferSyntax transfer_syntax = EXS_Unknown;
  std::unique_ptr<DcmRepresentationParameter> parameter;  // null for native syntaxes
};

Encoding encoding_for(const std::string& name, bool sixteen, const std::string& path) {
  Encoding encoding;
  if (name == kImplicitLittle) {
    encoding.transfer_syntax = EXS_LittleEndianImplicit;
  } else if (name == kExplicitLittle) {
    encoding.transfer_syntax = EXS_LittleEndianExplicit;
  } else if (name == kExplicitBig) {
    encoding.transfer_syntax = EXS_BigEndianExplicit;
  } else if (name == kDeflatedLittle) {
    encoding.transfer_syntax = EXS_DeflatedLittleEndianExplicit;
  } else if (name == kJpegBaseline) {
    if (sixteen) {
      throw InternalError("write_dicom " + path + ": jpeg-baseline holds 8-bit pixels only");
    }
    encoding.transfer_syntax = EXS_JPEGProcess1;
    encoding.parameter = std::make_unique<DJ_RPLossy>(/*aQuality=*/90);
  } else if (name == kJpegLossless) {
    encoding.transfer_syntax = EXS_JPEGProcess14SV1;
    encoding.parameter = std::make_unique<DJ_RPLossless>(/*aPrediction=*/1, /*aPt=*/0);
  } else if (name == kJpegLsLossless) {
    encoding.transfer_syntax = EXS_JPEGLSLossless;
    encoding.parameter = std::make_unique<DJLSRepresentationParameter>(
        /*nearlosslessDeviation=*/0, /*losslessProcess=*/OFTrue);
  } else if (name == kRleLossless) {
    encoding.transfer_syntax = EXS_RLELossless;
    encoding.parameter = std::make_unique<DcmRLERepresentationParameter>();
  } else {
    throw InternalError("write_dicom " + path + ": unknown transfer syntax '" + name + "'");
  }
  return encoding;
}

}  // namespace

const std::vector<std::string>& all_transfer_syntaxes() {
  static const std::vector<std::string> names = {kImplicitLittle, kExplicitLittle, kExplicitBig,    kDeflatedLittle,
                                                 kJpegBaseline,   kJpegLossless,   kJpegLsLossless, kRleLossless};
  return names;
}

std::map<std::string, std::string> write_dicom(const std::string& path, const DicomContext& context,
                                               const RenderedImage& image, Rng& rng) {
  input::register_codecs();
  const bool sixteen = image.pixels.type() == CV_16UC1;
  const Encoding encoding = encoding_for(context.plan.transfer_syntax, sixteen, path);

  // The only draws from the dicom stream, always in this order: SOP class, comment wording
  // (inside put_study_series_instance), pixel spacing jitter (inside put_pixels).
  const SopClass sop_class = rng.bernoulli(0.5) ? SopClass{UID_ComputedRadiographyImageStorage, "CR"}
                                                : SopClass{UID_DigitalXRayImageStorageForPresentation, "DX"};

  PhiValues phi;
  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  ItemWriter out(dataset, "", path, phi);
  // Identity strings come from the corpus as UTF-8.
  out.put(DCM_SpecificCharacterSet, "ISO_IR 192");
  put_patient(out, context);
  put_study_series_instance(out, context, sop_class, rng);
  put_request_attributes(out, context);
  put_private_blocks(out, context);
  out.put(DCM_BurnedInAnnotation, image.text.empty() ? "NO" : "YES");
  put_pixels(out, image.pixels, context.plan, sop_class, rng, path);

  if (encoding.parameter) {
    check(dataset.chooseRepresentation(encoding.transfer_syntax, encoding.parameter.get()), path,
          std::string("encode pixels as ") + DcmXfer(encoding.transfer_syntax).getXferName());
    if (!dataset.canWriteXfer(encoding.transfer_syntax)) {
      throw InternalError("write_dicom " + path + ": DCMTK cannot write " +
                          DcmXfer(encoding.transfer_syntax).getXferName());
    }
  }
  check(file.saveFile(path.c_str(), encoding.transfer_syntax, EET_ExplicitLength), path, "save file");
  return phi;
}

}  // namespace medanon::synth
