#pragma once
// A DICOM input parsed once and shared by the pixel, header and MAE stages: the dataset, what
// its Image Pixel module says, its frames decoded to stored values, and the header strings the
// pixel stage matches burned-in text against. Loading never throws for bad input: every
// defect is a reason in words.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <opencv2/core.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "input/file_kind.hpp"

namespace medanon::input {

// The Image Pixel module (PS3.3 C.7.6.3) of one dataset.
struct PixelDescription {
  int rows = 0, columns = 0, frames = 1, samples = 1;
  int bits_allocated = 0, bits_stored = 0;
  bool is_signed = false;          // PixelRepresentation 1
  std::string photometric;         // as the file says (before any decoding)
  int planar_configuration = 0;    // colour only: 0 = R1G1B1R2..., 1 = RRR...GGG...BBB...

  bool colour() const { return samples == 3; }
  bool palette() const { return photometric == "PALETTE COLOR"; }
};

struct DicomItem {
  FileKind kind = FileKind::unknown;       // dicom or dicom_bare (no preamble/meta header)
  std::unique_ptr<DcmFileFormat> file;     // the one parse of the file
  E_TransferSyntax source_syntax = EXS_Unknown;
  std::string sop_class_uid;
  std::string modality;
  bool has_pixels = false;                 // Pixel Data (7FE0,0010) present
  DcmDataset& dataset() const { return *file->getDataset(); }
};

struct LoadResult {
  bool ok = false;
  std::string reason;  // why the file is not a readable DICOM object; empty when ok
  DicomItem item;
};

// Parses `path` (PS3.10 files and bare datasets, auto-detected). Pixel data larger than a few
// kilobytes stays on disk until decoded or written.
LoadResult load_dicom(const std::string& path);

// Frames as stored values, one cv::Mat per frame:
//   grey: CV_8UC1, CV_16UC1, or CV_16SC1 (signed, sign-extended from BitsStored; unsigned
//         samples have the bits above BitsStored cleared, PS3.5 8.1.1)
//   colour: CV_8UC3 / CV_16UC3 in the file's own colour model and channel order (R,G,B or
//         Y,Cb,Cr; YBR_FULL_422 expanded to full resolution), planar files interleaved
//   PALETTE COLOR: the indices, CV_8UC1 / CV_16UC1
// JPEG/JPEG-LS/RLE decode through DCMTK, JPEG 2000 through OpenJPEG.
struct DecodedPixels {
  bool ok = false;
  std::string reason;           // why the pixels cannot be handled here (1-bit, 32-bit, no codec, ...)
  PixelDescription description;
  std::string photometric;      // after decoding (DCMTK turns YBR JPEG into RGB)
  std::vector<cv::Mat> frames;
  bool lossless_source = true;  // false for lossy JPEG / JPEG 2000 / JPEG-LS near-lossless
};

// Reads the Image Pixel module; a reason when it is missing or inconsistent.
std::string describe_pixels(DcmItem& dataset, PixelDescription& description);

// Decodes every frame of `item`, leaving the dataset's attributes as they were (the decoded
// representation is kept in memory next to the original one; the original is what gets written
// when the pixels are not replaced).
DecodedPixels decode_pixels(DicomItem& item, long long max_pixels_per_frame = 100LL * 1000 * 1000);

// Whether this transfer syntax's pixels can be decoded here (native, deflated, DCMTK's JPEG,
// JPEG-LS and RLE codecs, JPEG 2000 through OpenJPEG).
bool can_decode(E_TransferSyntax transfer_syntax);
bool is_jpeg2000(E_TransferSyntax transfer_syntax);

// The codestream of each of `frames` frames of encapsulated Pixel Data (PS3.5 A.4): one fragment
// per frame, all fragments for a single frame, or as the Basic Offset Table groups them.
// Throws std::runtime_error when they cannot be told apart.
std::vector<std::vector<std::uint8_t>> encapsulated_frames(DcmPixelSequence& sequence, int frames);

// Header values as "Keyword" or "Sequence/Keyword" -> value (multi-values joined by '\'), the
// ground truth's convention; private and unknown tags keyed "(gggg,eeee)". PHI: for the pixel
// stage's matching only.
std::map<std::string, std::string> header_strings(DcmItem& dataset);

}  // namespace medanon::input
