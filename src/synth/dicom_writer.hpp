#pragma once
// Hospital-archive-like DICOM files (CR / DX) made with DCMTK, carrying PHI the way real
// archives do: patient and study identity, dates and times, physicians, institution, device,
// UIDs with references between images, free-text comments, nested sequences and private tags.

#include <map>
#include <string>
#include <vector>

#include "synth/random.hpp"
#include "synth/records.hpp"

namespace medanon::synth {

// Transfer syntax names used in ImagePlan::transfer_syntax.
inline constexpr const char* kImplicitLittle = "implicit-le";
inline constexpr const char* kExplicitLittle = "explicit-le";
inline constexpr const char* kExplicitBig = "explicit-be";
inline constexpr const char* kDeflatedLittle = "deflated-le";
inline constexpr const char* kJpegBaseline = "jpeg-baseline";      // 8-bit only, lossy
inline constexpr const char* kJpegLossless = "jpeg-lossless";      // process 14, SV1
inline constexpr const char* kJpegLsLossless = "jpeg-ls-lossless";
inline constexpr const char* kRleLossless = "rle";

const std::vector<std::string>& all_transfer_syntaxes();

struct DicomContext {
  const ImagePlan& plan;
  const PatientIdentity& patient;
  const StudyIdentity& study;
  const SeriesIdentity& series;
  // SOP instance UIDs of the other images of the same study (ReferencedImageSequence).
  std::vector<std::string> referenced_sop_instance_uids;
};

// Writes `image` to `path` (parent folders must exist) in plan.transfer_syntax and returns the
// PHI values planted in the header, keyed by DICOM keyword ("PatientName", "StudyInstanceUID",
// ...; values inside sequences / private tags keyed like "RequestAttributesSequence/...").
// Throws InternalError when DCMTK fails.
std::map<std::string, std::string> write_dicom(const std::string& path, const DicomContext& context,
                                               const RenderedImage& image, Rng& rng);

}  // namespace medanon::synth
