#include "synth/archive_objects.hpp"

// osconfig.h must precede every other DCMTK header: it fixes the build's feature macros.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "core/errors.hpp"
#include "input/jpeg2000.hpp"
#include "io/atomic_file.hpp"
#include "synth/archive_text.hpp"

namespace medanon::synth {
namespace {

constexpr const char* kSiteCreator = "MEDANON SYNTH 1.0";
constexpr Uint16 kSiteGroup = 0x0029;
constexpr int kUltrasoundFrames = 4;

enum class Kind { ct_signed, mr_j2k, us_multiframe, sr_text, ct_j2k_signed };

Kind kind_of(const ImagePlan& image) { return static_cast<Kind>(image.index % 5); }

const char* name_of(Kind kind) {
  switch (kind) {
    case Kind::ct_signed:
      return "ct-signed";
    case Kind::mr_j2k:
      return "mr-j2k";
    case Kind::us_multiframe:
      return "us-multiframe";
    case Kind::sr_text:
      return "sr-text";
    case Kind::ct_j2k_signed:
      return "ct-j2k-signed";
  }
  return "?";
}

// Latin-1 for the native images, UTF-8 for the J2K MR and the SR, none (ASCII) for one CT: the
// three ways archives store names.
const char* charset_of(Kind kind) {
  switch (kind) {
    case Kind::ct_signed:
    case Kind::us_multiframe:
      return "ISO_IR 100";
    case Kind::mr_j2k:
    case Kind::sr_text:
      return "ISO_IR 192";
    case Kind::ct_j2k_signed:
      return "";
  }
  return "";
}

void check(const OFCondition& condition, const std::string& what) {
  if (condition.bad()) throw InternalError("archive object: " + what + ": " + condition.text());
}

// What the object says about the patient, UTF-8; written in the file's character set.
struct Written {
  std::string family;  // upper case
  std::string given;
  std::string charset;
  const PatientIdentity& patient;
  const StudyIdentity& study;

  std::string encode(const std::string& utf8) const { return charset == "ISO_IR 100" ? latin1_from_utf8(utf8) : utf8; }
  std::string person_name() const { return family + "^" + given; }
  std::string spoken() const { return title_utf8(given) + " " + title_utf8(family); }
};

void put(DcmItem& item, const DcmTagKey& key, const std::string& value) {
  check(item.putAndInsertString(DcmTag(key), value.c_str()), std::string("put ") + DcmTag(key).getTagName());
}

void put_private(DcmItem& item, Uint16 element, DcmEVR vr, const std::string& value) {
  DcmTag tag(DcmTagKey(kSiteGroup, element), DcmVR(vr));
  tag.setPrivateCreator(kSiteCreator);
  check(item.putAndInsertString(tag, value.c_str()), "put private");
}

DcmItem& append_item(DcmItem& parent, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  check(parent.findOrCreateSequenceItem(sequence, item, -2), "append item");
  return *item;
}

void put_code(DcmItem& parent, const DcmTagKey& sequence, const char* value, const char* scheme, const char* meaning) {
  DcmItem& code = append_item(parent, sequence);
  put(code, DCM_CodeValue, value);
  put(code, DCM_CodingSchemeDesignator, scheme);
  put(code, DCM_CodeMeaning, meaning);
}

// Patient, study, series and instance, with the free text where technologists and clerks write
// names and birth dates: PatientComments, AdditionalPatientHistory, a site's private block.
void put_identity(DcmItem& dataset, const Written& w, const char* sop_class, const char* modality,
                  const std::string& series_uid, const std::string& sop_uid, int instance) {
  const std::string& born = w.patient.birth_date;
  if (!w.charset.empty()) put(dataset, DCM_SpecificCharacterSet, w.charset);
  put(dataset, DCM_SOPClassUID, sop_class);
  put(dataset, DCM_SOPInstanceUID, sop_uid);
  put(dataset, DCM_Modality, modality);
  put(dataset, DCM_PatientName, w.encode(w.person_name()));
  put(dataset, DCM_PatientID, w.patient.patient_id);
  put(dataset, DCM_PatientBirthDate, born);
  put(dataset, DCM_PatientSex, std::string(1, w.patient.sex));
  put(dataset, DCM_PatientAddress, w.patient.address);
  put(dataset, DCM_PatientTelephoneNumbers, w.patient.phone);
  put(append_item(dataset, DCM_OtherPatientIDsSequence), DCM_PatientID, w.patient.other_patient_id);
  put(dataset, DCM_PatientComments,
      w.encode("Known to ward 4. " + w.spoken() + " (" + date_dmy(born, '.') + "), allergic to latex"));
  put(dataset, DCM_AdditionalPatientHistory,
      w.encode("History given by " + title_utf8(w.given) + "'s daughter; born " + date_day_month(born)));

  put(dataset, DCM_StudyInstanceUID, w.study.study_instance_uid);
  put(dataset, DCM_StudyDate, w.study.study_date);
  put(dataset, DCM_StudyTime, w.study.study_time);
  put(dataset, DCM_AccessionNumber, w.study.accession_number);
  put(dataset, DCM_StudyID, w.study.study_id);
  put(dataset, DCM_ReferringPhysicianName, w.study.referring_physician);
  put(dataset, DCM_InstitutionName, w.study.institution);
  put(dataset, DCM_Manufacturer, w.study.manufacturer);
  put(dataset, DCM_SeriesInstanceUID, series_uid);
  put(dataset, DCM_SeriesNumber, "90" + std::to_string(instance % 10));
  put(dataset, DCM_InstanceNumber, std::to_string(instance));
  put(dataset, DCM_ContentDate, w.study.study_date);
  put(dataset, DCM_ContentTime, w.study.study_time);

  put_private(dataset, 0x0010, EVR_LO, kSiteCreator);
  put_private(dataset, 0x1040, EVR_LT, w.encode(w.person_name() + " " + born + " MRN " + w.patient.patient_id));
  put_private(dataset, 0x1041, EVR_LO, w.encode(lower_utf8(w.family) + ", " + lower_utf8(w.given)));
}

// The radiograph's samples stretched to [low, high] (the rendered image has burned-in text,
// so the pixel stages have something to find in these objects too).
cv::Mat stretched(const cv::Mat& pixels, double low, double high, int type) {
  double lowest = 0;
  double highest = 0;
  cv::minMaxLoc(pixels, &lowest, &highest);
  const double scale = highest > lowest ? (high - low) / (highest - lowest) : 0.0;
  cv::Mat out;
  pixels.convertTo(out, type, scale, low - lowest * scale);
  return out;
}

void put_grey_module(DcmItem& dataset, const cv::Mat& frame, int bits_stored, bool is_signed) {
  put(dataset, DCM_PhotometricInterpretation, "MONOCHROME2");
  check(dataset.putAndInsertUint16(DCM_SamplesPerPixel, 1), "samples");
  check(dataset.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(frame.rows)), "rows");
  check(dataset.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(frame.cols)), "columns");
  check(dataset.putAndInsertUint16(DCM_BitsAllocated, 16), "bits allocated");
  check(dataset.putAndInsertUint16(DCM_BitsStored, static_cast<Uint16>(bits_stored)), "bits stored");
  check(dataset.putAndInsertUint16(DCM_HighBit, static_cast<Uint16>(bits_stored - 1)), "high bit");
  check(dataset.putAndInsertUint16(DCM_PixelRepresentation, is_signed ? 1 : 0), "pixel representation");
  put(dataset, DCM_PixelSpacing, "0.7\\0.7");
}

void put_native(DcmItem& dataset, const cv::Mat& samples) {
  const cv::Mat continuous = samples.isContinuous() ? samples : samples.clone();
  if (continuous.elemSize1() == 2) {
    check(dataset.putAndInsertUint16Array(DCM_PixelData, reinterpret_cast<const Uint16*>(continuous.data),
                                          static_cast<unsigned long>(continuous.total() * continuous.channels())),
          "put PixelData");
  } else {
    check(dataset.putAndInsertUint8Array(DCM_PixelData, continuous.data,
                                         static_cast<unsigned long>(continuous.total() * continuous.channels())),
          "put PixelData");
  }
}

// One lossless JPEG 2000 fragment after an empty offset table (PS3.5 A.4).
void put_jpeg2000(DcmItem& dataset, const cv::Mat& frame, int bits_stored) {
  std::vector<std::uint8_t> stream = input::encode_j2k_lossless(frame, bits_stored);
  if (stream.size() % 2 == 1) stream.push_back(0);
  auto* sequence = new DcmPixelSequence(DcmTag(DCM_PixelSequenceTag));
  sequence->insert(new DcmPixelItem(DcmTag(DCM_PixelItemTag)));
  auto* fragment = new DcmPixelItem(DcmTag(DCM_PixelItemTag));
  check(fragment->putUint8Array(stream.data(), static_cast<Uint32>(stream.size())), "put fragment");
  sequence->insert(fragment);
  auto* pixels = new DcmPixelData(DCM_PixelData);
  pixels->putOriginalRepresentation(EXS_JPEG2000LosslessOnly, nullptr, sequence);
  check(dataset.insert(pixels, /*replaceOld=*/OFTrue), "put JPEG 2000 PixelData");
  put(dataset, DCM_LossyImageCompression, "00");
}

void put_image_comment(DcmItem& dataset, const Written& w, int variant) {
  const std::string& born = w.patient.birth_date;
  const std::string comments[] = {
      w.spoken() + ", DOB " + date_dmy(born, '/'),
      w.family + ", " + title_utf8(w.given) + " born " + date_month_first(born),
      "pt " + lower_utf8(w.family) + " " + date_iso(born) + " recall",
  };
  put(dataset, DCM_ImageComments, w.encode(comments[variant % 3]));
}

void put_ct(DcmItem& dataset, const cv::Mat& pixels, bool jpeg2000) {
  // Hounsfield units: air -1000 .. bone 2000, stored signed (PixelRepresentation 1).
  const cv::Mat hounsfield = stretched(pixels, -1000, 2000, CV_16S);
  put(dataset, DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
  put(dataset, DCM_RescaleIntercept, "0");
  put(dataset, DCM_RescaleSlope, "1");
  put(dataset, DCM_RescaleType, "HU");
  // The whole range: a soft-tissue window (40/400) over a stretched radiograph saturates most
  // pixels and the medical-image gate (issue #13) then calls it blank.
  put(dataset, DCM_WindowCenter, "500");
  put(dataset, DCM_WindowWidth, "3001");
  put(dataset, DCM_KVP, "120");
  put_grey_module(dataset, hounsfield, 16, /*is_signed=*/true);
  if (jpeg2000) {
    put_jpeg2000(dataset, hounsfield, 16);
  } else {
    put_native(dataset, hounsfield);
  }
}

void put_mr(DcmItem& dataset, const cv::Mat& pixels) {
  const cv::Mat values = stretched(pixels, 0, 4095, CV_16U);
  put(dataset, DCM_ImageType, "ORIGINAL\\PRIMARY\\M");
  put(dataset, DCM_ScanningSequence, "SE");
  put(dataset, DCM_SequenceVariant, "NONE");
  put(dataset, DCM_MRAcquisitionType, "2D");
  put_grey_module(dataset, values, 12, /*is_signed=*/false);
  put_jpeg2000(dataset, values, 12);
}

// A cine loop: the grey image drifting one pixel per frame, with a colour Doppler box.
void put_ultrasound(DcmItem& dataset, const cv::Mat& pixels) {
  const cv::Mat grey = stretched(pixels, 0, 255, CV_8U);
  std::vector<cv::Mat> frames;
  for (int k = 0; k < kUltrasoundFrames; ++k) {
    cv::Mat shifted;
    const cv::Mat shift = (cv::Mat_<double>(2, 3) << 1, 0, k, 0, 1, 0);
    cv::warpAffine(grey, shifted, shift, grey.size(), cv::INTER_NEAREST, cv::BORDER_REPLICATE);
    cv::Mat rgb;
    cv::cvtColor(shifted, rgb, cv::COLOR_GRAY2RGB);
    const cv::Rect doppler(grey.cols / 3, grey.rows / 3, grey.cols / 6, grey.rows / 8);
    rgb(doppler).setTo(cv::Scalar(200, 40 + 30 * k, 30));
    frames.push_back(rgb);
  }
  cv::Mat all;
  cv::vconcat(frames, all);  // frame after frame, each RGB-interleaved (PlanarConfiguration 0)
  put(dataset, DCM_ImageType, "ORIGINAL\\PRIMARY");
  put(dataset, DCM_PhotometricInterpretation, "RGB");
  check(dataset.putAndInsertUint16(DCM_SamplesPerPixel, 3), "samples");
  check(dataset.putAndInsertUint16(DCM_PlanarConfiguration, 0), "planar");
  check(dataset.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(grey.rows)), "rows");
  check(dataset.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(grey.cols)), "columns");
  check(dataset.putAndInsertUint16(DCM_BitsAllocated, 8), "bits allocated");
  check(dataset.putAndInsertUint16(DCM_BitsStored, 8), "bits stored");
  check(dataset.putAndInsertUint16(DCM_HighBit, 7), "high bit");
  check(dataset.putAndInsertUint16(DCM_PixelRepresentation, 0), "pixel representation");
  put(dataset, DCM_NumberOfFrames, std::to_string(kUltrasoundFrames));
  check(dataset.putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_FrameTime), "frame increment pointer");
  put(dataset, DCM_FrameTime, "33.3");
  put_native(dataset, all);
}

DcmItem& content_item(DcmItem& parent, const char* relationship, const char* value_type, const char* code,
                      const char* scheme, const char* meaning) {
  DcmItem& item = append_item(parent, DCM_ContentSequence);
  put(item, DCM_RelationshipType, relationship);
  put(item, DCM_ValueType, value_type);
  put_code(item, DCM_ConceptNameCodeSequence, code, scheme, meaning);
  return item;
}

// A report whose text names the patient the way dictation does (issue #14's "FOLLOW-UP FOR
// <given> <family> BORN <dd/mm/yyyy>"), with the observation context's subject name and birth
// date as PNAME and DATE items, and a nested container.
void put_report(DcmItem& dataset, const Written& w) {
  const std::string& born = w.patient.birth_date;
  put(dataset, DCM_ValueType, "CONTAINER");
  put_code(dataset, DCM_ConceptNameCodeSequence, "18748-4", "LN", "Diagnostic imaging report");
  put(dataset, DCM_ContinuityOfContent, "SEPARATE");
  put(dataset, DCM_CompletionFlag, "COMPLETE");
  put(dataset, DCM_VerificationFlag, "UNVERIFIED");
  check(dataset.insertEmptyElement(DCM_ReferencedPerformedProcedureStepSequence), "empty sequence");
  check(dataset.insertEmptyElement(DCM_PerformedProcedureCodeSequence), "empty sequence");

  put(content_item(dataset, "HAS OBS CONTEXT", "PNAME", "121029", "DCM", "Subject Name"), DCM_PersonName,
      w.encode(w.person_name()));
  put(content_item(dataset, "HAS OBS CONTEXT", "DATE", "121031", "DCM", "Subject Birth Date"), DCM_Date, born);
  put(content_item(dataset, "CONTAINS", "TEXT", "121060", "DCM", "History"), DCM_TextValue,
      w.encode("FOLLOW-UP FOR " + w.given + " " + w.family + " BORN " + date_dmy(born, '/')));
  DcmItem& findings = content_item(dataset, "CONTAINS", "CONTAINER", "121070", "DCM", "Findings");
  put(findings, DCM_ContinuityOfContent, "SEPARATE");
  put(content_item(findings, "CONTAINS", "TEXT", "121071", "DCM", "Finding"), DCM_TextValue,
      w.encode("Compared with " + title_utf8(w.family) + "'s study of " + date_iso(born) +
               "? No: that is the birth date (" + date_month_first(born) + "). MRN " + w.patient.patient_id));
  put(content_item(findings, "CONTAINS", "TEXT", "121071", "DCM", "Finding"), DCM_TextValue,
      w.encode(lower_utf8(w.given) + " " + lower_utf8(w.family) + ", " + date_dmy(born, '.') + ": lungs clear"));
}

}  // namespace

const char* archive_object_kind(const ImagePlan& image) { return name_of(kind_of(image)); }

std::string write_archive_object(const CorpusPlan& plan, const ImagePlan& image, const RenderedImage& rendered,
                                 const std::string& root) {
  const Kind kind = kind_of(image);
  const PatientIdentity& patient = plan.patients.at(static_cast<size_t>(image.patient));
  const StudyIdentity& study = plan.studies.at(static_cast<size_t>(image.study));
  const bool ascii = kind == Kind::ct_j2k_signed;
  const Written w{ascii ? patient.family_name : accented(patient.family_name),
                  ascii ? patient.given_name : accented(patient.given_name), charset_of(kind), patient, study};

  Rng rng = Rng::stream(plan.options.seed, static_cast<std::uint64_t>(image.index), Stream::archive_objects);
  const std::string series_uid = random_uid(rng);
  const std::string sop_uid = random_uid(rng);
  static const std::pair<const char*, const char*> classes[] = {{UID_CTImageStorage, "CT"},
                                                                {UID_MRImageStorage, "MR"},
                                                                {UID_UltrasoundMultiframeImageStorage, "US"},
                                                                {UID_ComprehensiveSRStorage, "SR"},
                                                                {UID_CTImageStorage, "CT"}};
  const auto& [sop_class, modality] = classes[static_cast<int>(kind)];

  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  put_identity(dataset, w, sop_class, modality, series_uid, sop_uid, image.instance_number);
  switch (kind) {
    case Kind::ct_signed:
      put_ct(dataset, rendered.pixels, /*jpeg2000=*/false);
      break;
    case Kind::ct_j2k_signed:
      put_ct(dataset, rendered.pixels, /*jpeg2000=*/true);
      break;
    case Kind::mr_j2k:
      put_mr(dataset, rendered.pixels);
      break;
    case Kind::us_multiframe:
      put_ultrasound(dataset, rendered.pixels);
      break;
    case Kind::sr_text:
      put_report(dataset, w);
      break;
  }
  if (kind != Kind::sr_text) put_image_comment(dataset, w, image.index);
  const bool jpeg2000 = kind == Kind::mr_j2k || kind == Kind::ct_j2k_signed;

  char name[64];
  std::snprintf(name, sizeof name, "archive_objects/%06d.dcm", image.index);
  io::write_atomically(root + "/" + name, [&](const std::string& temp) {
    check(
        file.saveFile(temp.c_str(), jpeg2000 ? EXS_JPEG2000LosslessOnly : EXS_LittleEndianExplicit, EET_ExplicitLength),
        "save");
  });

  nlohmann::json truth = {{"path", name},
                          {"kind", name_of(kind)},
                          {"charset", w.charset},
                          {"family_name", w.family},
                          {"given_name", w.given},
                          {"patient_id", patient.patient_id},
                          {"other_patient_id", patient.other_patient_id},
                          {"birth_date", patient.birth_date},
                          {"accession_number", study.accession_number},
                          {"address", patient.address},
                          {"phone", patient.phone},
                          {"sop_instance_uid", sop_uid},
                          {"study_instance_uid", study.study_instance_uid}};
  return truth.dump();
}

}  // namespace medanon::synth
