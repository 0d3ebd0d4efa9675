// DICOM input for stage 1: the Image Pixel module (PS3.3 C.7.6.3) checked attribute by
// attribute, pixel data decoded in any transfer syntax DCMTK has a codec for, and every string
// value of the header collected for PHI matching.

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcstack.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <opencv2/imgproc.hpp>

#include <cstring>
#include <vector>

#include "deid/dicom_preflight.hpp"
#include "pixel/image_validation.hpp"
#include "synth/dicom_writer.hpp"

namespace medanon::pixel {
namespace {

ReadResult rejected(const std::string& reason) {
  ReadResult result;
  result.reason = reason;
  return result;
}

// Header values as "Keyword" or "Sequence/Keyword" -> value (multi-values joined by '\'), the
// ground truth's convention. Private and unknown tags are keyed by their "(gggg,eeee)" tag.
std::map<std::string, std::string> header_strings(DcmDataset& dataset) {
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

}  // namespace

ReadResult read_dicom_image(const std::string& path, const ImageLimits& limits) {
  // The decoders are registered once per process; the synth writer and this reader share the
  // registration so both use the same codec parameters.
  synth::register_dicom_codecs();
  // Nesting and sizes checked before DCMTK parses or decodes anything (deid/dicom_preflight.hpp).
  if (const std::string problem = deid::dicom_preflight_problem(path, {64, limits.max_pixels}); !problem.empty()) {
    return rejected(problem);
  }
  DcmFileFormat file;
  const OFCondition loaded = file.loadFile(path.c_str());
  if (loaded.bad()) return rejected(std::string("not a readable DICOM file: ") + loaded.text());
  DcmDataset& dataset = *file.getDataset();

  const std::vector<std::pair<DcmTagKey, const char*>> required = {
      {DCM_Rows, "Rows"},
      {DCM_Columns, "Columns"},
      {DCM_BitsAllocated, "BitsAllocated"},
      {DCM_BitsStored, "BitsStored"},
      {DCM_SamplesPerPixel, "SamplesPerPixel"},
      {DCM_PhotometricInterpretation, "PhotometricInterpretation"},
      {DCM_PixelData, "PixelData"}};
  std::string missing;
  for (const auto& [tag, name] : required) {
    if (!dataset.tagExistsWithValue(tag)) missing += std::string(missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty()) return rejected("DICOM file lacks required attributes: " + missing);

  Uint16 rows = 0, columns = 0, bits_allocated = 0, bits_stored = 0, samples = 0, representation = 0;
  dataset.findAndGetUint16(DCM_Rows, rows);
  dataset.findAndGetUint16(DCM_Columns, columns);
  dataset.findAndGetUint16(DCM_BitsAllocated, bits_allocated);
  dataset.findAndGetUint16(DCM_BitsStored, bits_stored);
  dataset.findAndGetUint16(DCM_SamplesPerPixel, samples);
  dataset.findAndGetUint16(DCM_PixelRepresentation, representation);
  OFString photometric;
  dataset.findAndGetOFString(DCM_PhotometricInterpretation, photometric);
  Sint32 frames = 1;
  if (dataset.findAndGetSint32(DCM_NumberOfFrames, frames).bad()) frames = 1;

  if (bits_allocated != 8 && bits_allocated != 16)
    return rejected("unsupported BitsAllocated " + std::to_string(bits_allocated) + " (8 or 16)");
  if (bits_stored == 0 || bits_stored > bits_allocated)
    return rejected("BitsStored " + std::to_string(bits_stored) + " does not fit BitsAllocated " +
                    std::to_string(bits_allocated));
  if (samples != 1 && samples != 3) return rejected("unsupported SamplesPerPixel " + std::to_string(samples));
  if (samples == 3 && bits_allocated != 8) return rejected("16-bit colour pixel data is not supported");
  if (representation != 0) return rejected("signed pixel data (PixelRepresentation 1) is not supported");
  if (frames != 1) return rejected("multi-frame images are not supported (NumberOfFrames " + std::to_string(frames) + ")");
  const long long pixel_count = static_cast<long long>(rows) * columns;
  if (pixel_count == 0) return rejected("zero Rows or Columns");

  // Decompress in memory; a missing codec or a corrupt stream fails here, not later.
  const OFCondition decoded = dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
  if (decoded.bad() || !dataset.canWriteXfer(EXS_LittleEndianExplicit))
    return rejected(std::string("pixel data cannot be decoded: ") + (decoded.bad() ? decoded.text() : "no codec"));
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
    return rejected("pixel data cannot be read");
  const unsigned long needed = static_cast<unsigned long>(pixel_count) * samples * (bits_allocated / 8);
  if (element->getLength() < needed)
    return rejected("pixel data too short (" + std::to_string(element->getLength()) + " of " +
                    std::to_string(needed) + " bytes): truncated file?");

  ReadResult result;
  PixelImage& image = result.image;
  image.format = SourceFormat::dicom;
  image.bits_stored = bits_stored;
  image.monochrome1 = photometric == "MONOCHROME1";
  if (bits_allocated == 16) {
    Uint16* data = nullptr;
    if (element->getUint16Array(data).bad() || data == nullptr) return rejected("16-bit pixel data cannot be read");
    image.pixels = cv::Mat(rows, columns, CV_16UC1, data).clone();
    // PS3.5 8.1.1: bits above BitsStored are not part of the sample (old files kept overlays there).
    if (bits_stored < 16) cv::bitwise_and(image.pixels, cv::Scalar((1 << bits_stored) - 1), image.pixels);
  } else {
    Uint8* data = nullptr;
    if (element->getUint8Array(data).bad() || data == nullptr) return rejected("8-bit pixel data cannot be read");
    if (samples == 3) {
      Uint16 planar = 0;
      dataset.findAndGetUint16(DCM_PlanarConfiguration, planar);
      cv::Mat rgb(rows, columns, CV_8UC3);
      if (planar == 0) {
        std::memcpy(rgb.data, data, needed);
      } else {
        std::vector<cv::Mat> planes;
        for (int c = 0; c < 3; ++c) planes.emplace_back(rows, columns, CV_8UC1, data + c * pixel_count);
        cv::merge(planes, rgb);
      }
      cv::cvtColor(rgb, image.pixels, cv::COLOR_RGB2BGR);
    } else {
      image.pixels = cv::Mat(rows, columns, CV_8UC1, data).clone();
    }
  }
  if (const std::string problem = size_problem(image.pixels, limits); !problem.empty()) return rejected(problem);
  image.header = header_strings(dataset);
  result.ok = true;
  return result;
}

}  // namespace medanon::pixel
