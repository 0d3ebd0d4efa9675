#include "input/dicom_item.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcstack.h>
#include <dcmtk/dcmdata/dcvr.h>

#include <cstring>
#include <stdexcept>

#include "input/dicom_preflight.hpp"
#include "input/codecs.hpp"
#include "input/jpeg2000.hpp"
#include "input/dicom_value.hpp"
#include "io/atomic_file.hpp"
#include "core/errors.hpp"

namespace medanon::input {
namespace {

// What DcmFileFormat::loadFile does around its file stream, on a stream over the bytes.
// ERM_autoDetect: PS3.10 files and bare datasets (no preamble, no meta header) alike; the writer
// gives every output a proper meta header.
OFCondition parse(DcmFileFormat& file, const std::vector<std::uint8_t>& bytes) {
  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  stream.setEos();
  file.setReadMode(ERM_autoDetect);
  file.transferInit();
  const OFCondition status = file.read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  file.transferEnd();
  return status;
}

DecodedPixels refused(DecodedPixels result, const std::string& why) {
  result.ok = false;
  result.reason = why;
  result.frames.clear();
  return result;
}

// The codestream of each frame of an encapsulated Pixel Data (PS3.5 A.4): one fragment per frame,
// all fragments for a single frame, or the Basic Offset Table's grouping otherwise.
std::vector<std::vector<std::uint8_t>> frame_codestreams(DcmPixelSequence& sequence, int frames) {
  std::vector<std::vector<std::uint8_t>> fragments;
  std::vector<Uint32> offsets;  // of each fragment from the first one's item tag
  Uint32 position = 0;
  std::vector<Uint32> table;
  for (unsigned long i = 0; i < sequence.card(); ++i) {
    DcmPixelItem* item = nullptr;
    if (sequence.getItem(item, i).bad() || item == nullptr) throw std::runtime_error("pixel fragment unreadable");
    Uint8* bytes = nullptr;
    const Uint32 length = item->getLength();
    if (length > 0 && (item->getUint8Array(bytes).bad() || bytes == nullptr)) throw std::runtime_error("pixel fragment unreadable");
    if (i == 0) {  // the Basic Offset Table
      for (Uint32 at = 0; at + 4 <= length; at += 4) {
        Uint32 value = 0;
        std::memcpy(&value, bytes + at, 4);  // DCMTK holds it in the machine's byte order
        table.push_back(value);
      }
      continue;
    }
    offsets.push_back(position);
    position += 8 + length;
    fragments.emplace_back(bytes, bytes + length);
  }
  if (fragments.empty()) throw std::runtime_error("encapsulated pixel data without fragments");
  std::vector<std::vector<std::uint8_t>> result;
  if (frames == 1) {
    result.emplace_back();
    for (const auto& fragment : fragments) result.back().insert(result.back().end(), fragment.begin(), fragment.end());
  } else if (static_cast<int>(fragments.size()) == frames) {
    result = std::move(fragments);
  } else if (static_cast<int>(table.size()) == frames) {
    for (int f = 0; f < frames; ++f) {
      result.emplace_back();
      const Uint32 end = f + 1 < frames ? table[f + 1] : position;
      for (std::size_t i = 0; i < offsets.size(); ++i) {
        if (offsets[i] >= table[f] && offsets[i] < end) {
          result.back().insert(result.back().end(), fragments[i].begin(), fragments[i].end());
        }
      }
    }
  } else {
    throw std::runtime_error(std::to_string(fragments.size()) + " fragments for " + std::to_string(frames) +
                             " frames and no usable offset table");
  }
  return result;
}

// Grey frames from native little-endian samples.
cv::Mat grey_frame(const Uint8* bytes, const PixelDescription& d) {
  if (d.bits_allocated == 8) return cv::Mat(d.rows, d.columns, CV_8UC1, const_cast<Uint8*>(bytes)).clone();
  cv::Mat raw(d.rows, d.columns, CV_16UC1, const_cast<Uint8*>(bytes));
  if (!d.is_signed) {
    cv::Mat out = raw.clone();
    if (d.bits_stored < 16) cv::bitwise_and(out, cv::Scalar((1 << d.bits_stored) - 1), out);
    return out;
  }
  cv::Mat out(d.rows, d.columns, CV_16SC1);
  const int shift = 16 - d.bits_stored;
  for (int y = 0; y < d.rows; ++y) {
    const std::uint16_t* in = raw.ptr<std::uint16_t>(y);
    std::int16_t* o = out.ptr<std::int16_t>(y);
    for (int x = 0; x < d.columns; ++x) o[x] = static_cast<std::int16_t>(static_cast<std::int16_t>(in[x] << shift) >> shift);
  }
  return out;
}

cv::Mat colour_frame(const Uint8* bytes, const PixelDescription& d, const std::string& photometric) {
  const int depth = d.bits_allocated == 8 ? CV_8U : CV_16U;
  const std::size_t sample = d.bits_allocated / 8;
  const std::size_t plane = static_cast<std::size_t>(d.rows) * d.columns * sample;
  if (photometric == "YBR_FULL_422" || photometric == "YBR_PARTIAL_422") {
    // PS3.3 C.7.6.3.1.2: Y1 Y2 Cb Cr per pair of pixels, always interleaved.
    if (depth != CV_8U) throw std::runtime_error("16-bit YBR_FULL_422 is not supported");
    cv::Mat out(d.rows, d.columns, CV_8UC3);
    const std::size_t row_bytes = static_cast<std::size_t>(d.columns) * 2;
    for (int y = 0; y < d.rows; ++y) {
      const Uint8* in = bytes + y * row_bytes;
      cv::Vec3b* o = out.ptr<cv::Vec3b>(y);
      for (int x = 0; x + 1 < d.columns + 1; x += 2) {
        const Uint8* group = in + x * 2;
        o[x] = cv::Vec3b(group[0], group[2], group[3]);
        if (x + 1 < d.columns) o[x + 1] = cv::Vec3b(group[1], group[2], group[3]);
      }
    }
    return out;
  }
  if (d.planar_configuration == 0) return cv::Mat(d.rows, d.columns, CV_MAKETYPE(depth, 3), const_cast<Uint8*>(bytes)).clone();
  std::vector<cv::Mat> planes;
  for (int c = 0; c < 3; ++c) planes.emplace_back(d.rows, d.columns, CV_MAKETYPE(depth, 1), const_cast<Uint8*>(bytes + c * plane));
  cv::Mat out;
  cv::merge(planes, out);
  return out;
}

std::size_t frame_bytes(const PixelDescription& d, const std::string& photometric) {
  const std::size_t pixels = static_cast<std::size_t>(d.rows) * d.columns;
  if (d.colour() && (photometric == "YBR_FULL_422" || photometric == "YBR_PARTIAL_422")) return pixels * 2;
  return pixels * d.samples * (d.bits_allocated / 8);
}

}  // namespace

LoadResult load_dicom(const std::string& path) {
  register_codecs();
  // Public elements that an explicit-VR writer stored as UN (pydicom's rtdose_rle keeps
  // PatientID so) are read with their dictionary VR: the profile can then replace them, and a
  // UN date is a date.
  dcmEnableUnknownVRConversion.set(OFTrue);
  LoadResult result;
  // The file is read once, with one read(2): the kind, the preflight walk and DCMTK's parse all
  // work on these bytes. DCMTK's own file stream seeks and re-reads (about 100 system calls for
  // a small file), which is most of `deid`'s time per file on an archive of small files. Large
  // values are copied into DCMTK's elements (no "left on disk until used"): the peak is twice
  // the file for as long as the parse runs.
  std::vector<std::uint8_t> bytes;
  try {
    bytes = io::read_bytes(path);
  } catch (const InputError& error) {
    result.item.kind = kind_from_extension(path);
    result.reason = error.what();
    return result;
  }
  result.item.kind = sniff_bytes(path, bytes.data(), bytes.size());
  // Nesting and sizes checked before DCMTK parses or decodes anything (input/dicom_preflight.hpp):
  // the one parse of every DICOM input passes here.
  if (std::string problem = input::dicom_preflight_problem(bytes.data(), bytes.size()); !problem.empty()) {
    result.reason = std::move(problem);
    return result;
  }
  if (bytes.empty()) {
    result.reason = "empty file (zero bytes)";
    return result;
  }
  auto file = std::make_unique<DcmFileFormat>();
  const OFCondition status = parse(*file, bytes);
  bytes = {};
  if (status.bad()) {
    result.reason = std::string("not a readable DICOM file (neither a PS3.10 file nor a bare dataset DCMTK can parse): ") +
                    status.text();
    return result;
  }
  DcmDataset& dataset = *file->getDataset();
  if (dataset.card() == 0) {
    result.reason = "not a DICOM file: no dataset elements could be read";
    return result;
  }
  // A dataset read without meta header: DCMTK's meta header is then empty.
  if (file->getMetaInfo() == nullptr || !file->getMetaInfo()->tagExists(DCM_TransferSyntaxUID)) {
    result.item.kind = FileKind::dicom_bare;
  } else {
    result.item.kind = FileKind::dicom;
  }
  result.item.source_syntax = dataset.getOriginalXfer();
  result.item.sop_class_uid = string_of(dataset, DCM_SOPClassUID);
  // A DICOMDIR names its class only in the meta header.
  if (result.item.sop_class_uid.empty() && file->getMetaInfo() != nullptr) {
    result.item.sop_class_uid = string_of(*file->getMetaInfo(), DCM_MediaStorageSOPClassUID);
  }
  result.item.modality = string_of(dataset, DCM_Modality);
  result.item.has_pixels = dataset.tagExists(DCM_PixelData);
  result.item.file = std::move(file);
  result.ok = true;
  return result;
}

std::vector<std::vector<std::uint8_t>> encapsulated_frames(DcmPixelSequence& sequence, int frames) {
  return frame_codestreams(sequence, frames);
}

bool is_jpeg2000(E_TransferSyntax transfer_syntax) {
  return transfer_syntax == EXS_JPEG2000LosslessOnly || transfer_syntax == EXS_JPEG2000;
}

bool can_decode(E_TransferSyntax transfer_syntax) {
  switch (transfer_syntax) {
    case EXS_LittleEndianImplicit: case EXS_LittleEndianExplicit: case EXS_BigEndianExplicit:
    case EXS_BigEndianImplicit: case EXS_DeflatedLittleEndianExplicit: case EXS_JPEGProcess1:
    case EXS_JPEGProcess2_4: case EXS_JPEGProcess14: case EXS_JPEGProcess14SV1: case EXS_JPEGLSLossless:
    case EXS_JPEGLSLossy: case EXS_RLELossless: case EXS_JPEG2000LosslessOnly: case EXS_JPEG2000: return true;
    default: return false;
  }
}

std::string describe_pixels(DcmItem& dataset, PixelDescription& d) {
  const std::vector<std::pair<DcmTagKey, const char*>> required = {
      {DCM_Rows, "Rows"}, {DCM_Columns, "Columns"}, {DCM_BitsAllocated, "BitsAllocated"},
      {DCM_BitsStored, "BitsStored"}, {DCM_SamplesPerPixel, "SamplesPerPixel"},
      {DCM_PhotometricInterpretation, "PhotometricInterpretation"}, {DCM_PixelData, "PixelData"}};
  std::string missing;
  for (const auto& [tag, name] : required) {
    if (!dataset.tagExistsWithValue(tag)) missing += std::string(missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty()) return "DICOM file lacks required attributes: " + missing;
  Uint16 rows = 0, columns = 0, bits_allocated = 0, bits_stored = 0, samples = 0, representation = 0, planar = 0;
  dataset.findAndGetUint16(DCM_Rows, rows);
  dataset.findAndGetUint16(DCM_Columns, columns);
  dataset.findAndGetUint16(DCM_BitsAllocated, bits_allocated);
  dataset.findAndGetUint16(DCM_BitsStored, bits_stored);
  dataset.findAndGetUint16(DCM_SamplesPerPixel, samples);
  dataset.findAndGetUint16(DCM_PixelRepresentation, representation);
  dataset.findAndGetUint16(DCM_PlanarConfiguration, planar);
  Sint32 frames = 1;
  if (dataset.findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
  d.rows = rows;
  d.columns = columns;
  d.bits_allocated = bits_allocated;
  d.bits_stored = bits_stored;
  d.samples = samples;
  d.is_signed = representation == 1;
  d.planar_configuration = planar;
  d.frames = frames;
  d.photometric = string_of(dataset, DCM_PhotometricInterpretation);
  if (bits_allocated == 1) return "1-bit pixel data (BitsAllocated 1: a segmentation or bitmap) has no burned-in text stage";
  if (bits_allocated == 32 || bits_allocated == 64) {
    return std::to_string(bits_allocated) + "-bit pixel data has no burned-in text stage (dose grids and parametric "
                                            "maps are header-only objects; a " + std::to_string(bits_allocated) +
           "-bit image is refused)";
  }
  if (bits_allocated != 8 && bits_allocated != 16) return "unsupported BitsAllocated " + std::to_string(bits_allocated) + " (8 or 16)";
  if (bits_stored == 0 || bits_stored > bits_allocated) {
    return "BitsStored " + std::to_string(bits_stored) + " does not fit BitsAllocated " + std::to_string(bits_allocated);
  }
  if (samples != 1 && samples != 3) return "unsupported SamplesPerPixel " + std::to_string(samples);
  if (samples == 3 && d.is_signed) return "signed colour pixel data is not supported";
  if (rows == 0 || columns == 0) return "zero Rows or Columns";
  if (d.palette() && samples != 1) return "PALETTE COLOR with " + std::to_string(samples) + " samples per pixel";
  return {};
}

DecodedPixels decode_pixels(DicomItem& item, long long max_pixels_per_frame) {
  DecodedPixels result;
  if (!item.has_pixels) return refused(result, "no Pixel Data (7FE0,0010)");
  DcmDataset& dataset = item.dataset();
  PixelDescription& d = result.description;
  if (std::string problem = describe_pixels(dataset, d); !problem.empty()) return refused(result, problem);
  if (static_cast<long long>(d.rows) * d.columns > max_pixels_per_frame) {
    return refused(result, "image too large (" + std::to_string(d.columns) + "x" + std::to_string(d.rows) + ")");
  }
  const DcmXfer source(item.source_syntax);
  result.lossless_source = !source.isEncapsulated() || source.isLossless();
  if (!can_decode(item.source_syntax)) {
    return refused(result, std::string("transfer syntax ") + source.getXferName() + " (" + source.getXferID() +
                               ") is not supported: no codec here decodes its pixels");
  }
  result.photometric = d.photometric;
  try {
    DcmElement* element = nullptr;
    if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
      return refused(result, "pixel data cannot be read");
    }
    if (is_jpeg2000(item.source_syntax)) {
      auto* pixel_data = dynamic_cast<DcmPixelData*>(element);
      DcmPixelSequence* sequence = nullptr;
      if (pixel_data == nullptr ||
          pixel_data->getEncapsulatedRepresentation(item.source_syntax, nullptr, sequence).bad() || sequence == nullptr) {
        return refused(result, "JPEG 2000 pixel data is not encapsulated");
      }
      for (const auto& codestream : frame_codestreams(*sequence, d.frames)) {
        cv::Mat frame = decode_j2k_frame(codestream, d.is_signed, d.bits_stored);
        if (frame.rows != d.rows || frame.cols != d.columns || frame.channels() != d.samples) {
          return refused(result, "JPEG 2000 frame does not match Rows, Columns and SamplesPerPixel");
        }
        if (d.bits_allocated == 16 && frame.depth() == CV_8U) frame.convertTo(frame, CV_MAKETYPE(CV_16U, frame.channels()));
        result.frames.push_back(std::move(frame));
      }
      // An inverse colour transform (YBR_RCT / YBR_ICT) gives RGB samples.
      if (d.colour() && d.photometric.rfind("YBR_", 0) == 0 && d.photometric != "YBR_FULL") result.photometric = "RGB";
    } else {
      // Decompress in memory. Compressed data is decoded in a copy of the dataset: DCMTK rewrites
      // PhotometricInterpretation (YBR JPEG -> RGB) and PlanarConfiguration for the decoded
      // representation, and after decoding a lossy stream it can no longer write the original
      // one; the item's dataset must still write its pixels untouched when nothing is redacted.
      std::unique_ptr<DcmDataset> copy;
      DcmDataset* target = &dataset;
      if (source.isEncapsulated()) {
        copy = std::make_unique<DcmDataset>(dataset);
        target = copy.get();
      }
      const OFCondition decoded = target->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
      if (decoded.bad() || !target->canWriteXfer(EXS_LittleEndianExplicit)) {
        return refused(result, std::string("pixel data cannot be decoded: ") + (decoded.bad() ? decoded.text() : "no codec"));
      }
      result.photometric = string_of(*target, DCM_PhotometricInterpretation);
      Uint16 planar = 0;
      if (target->findAndGetUint16(DCM_PlanarConfiguration, planar).good()) d.planar_configuration = planar;
      if (target->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
        return refused(result, "pixel data cannot be read");
      }
      const std::size_t one = frame_bytes(d, result.photometric);
      const std::size_t needed = one * static_cast<std::size_t>(d.frames);
      if (element->getLength() < needed) {
        return refused(result, "pixel data too short (" + std::to_string(element->getLength()) + " of " +
                                   std::to_string(needed) + " bytes): truncated file?");
      }
      Uint8* bytes = nullptr;
      if (d.bits_allocated == 16) {
        Uint16* words = nullptr;
        if (element->getUint16Array(words).bad() || words == nullptr) return refused(result, "16-bit pixel data cannot be read");
        bytes = reinterpret_cast<Uint8*>(words);
      } else if (element->getUint8Array(bytes).bad() || bytes == nullptr) {
        return refused(result, "8-bit pixel data cannot be read");
      }
      for (int f = 0; f < d.frames; ++f) {
        const Uint8* start = bytes + one * static_cast<std::size_t>(f);
        result.frames.push_back(d.colour() ? colour_frame(start, d, result.photometric) : grey_frame(start, d));
      }
    }
  } catch (const std::exception& e) {
    return refused(result, std::string("pixel data cannot be decoded: ") + e.what());
  }
  result.ok = true;
  return result;
}

std::map<std::string, std::string> header_strings(DcmItem& dataset) {
  std::map<std::string, std::string> values;
  DcmStack stack;
  while (dataset.nextObject(stack, OFTrue).good()) {
    DcmObject* object = stack.top();
    if (object->isLeaf() == OFFalse || object->getTag() == DCM_PixelData) continue;
    auto* element = dynamic_cast<DcmElement*>(object);
    if (element == nullptr || !element->isaString()) continue;
    OFString value;
    if (element->getOFStringArray(value).bad() || value.empty() || value.size() > 4096) continue;
    std::string key;
    for (unsigned long level = stack.card(); level-- > 1;) {
      if (auto* sequence = dynamic_cast<DcmSequenceOfItems*>(stack.elem(level))) {
        DcmTag sequence_tag(sequence->getTag());
        key += std::string(sequence_tag.getTagName()) + "/";
      }
    }
    DcmTag tag(element->getTag());  // getTagName() is not const in DCMTK 3.6.7
    const std::string name = tag.isPrivate() || std::strcmp(tag.getTagName(), DcmTag_ERROR_TagName) == 0
                                 ? std::string(tag.toString().c_str())
                                 : std::string(tag.getTagName());
    values.emplace(key + name, value.c_str());
  }
  return values;
}

}  // namespace medanon::input
