#include "deid/byte_hygiene.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/errors.hpp"
#include "deid/dcmtk_check.hpp"
#include "deid/jpeg2000_bits.hpp"
#include "input/dicom_item.hpp"

namespace medanon::deid {
namespace {

struct PixelLayout {
  Uint16 rows = 0, columns = 0, bits_allocated = 0, bits_stored = 0, high_bit = 0, samples = 1;
  Sint32 frames = 1;

  unsigned long long needed_bytes() const {
    return static_cast<unsigned long long>(rows) * columns * static_cast<unsigned long long>(frames) * samples *
           (bits_allocated / 8);
  }
  bool has_unused_bits() const { return bits_stored > 0 && bits_stored < bits_allocated; }
  // The stored bits (PS3.5 8.1.1): BitsStored bits ending at HighBit.
  unsigned long long stored_mask() const {
    const unsigned low = high_bit + 1u >= bits_stored ? high_bit + 1u - bits_stored : 0u;
    return ((1ULL << bits_stored) - 1) << low;
  }
};

PixelLayout layout_of(DcmDataset& dataset) {
  PixelLayout layout;
  dataset.findAndGetUint16(DCM_Rows, layout.rows);
  dataset.findAndGetUint16(DCM_Columns, layout.columns);
  dataset.findAndGetUint16(DCM_BitsAllocated, layout.bits_allocated);
  dataset.findAndGetUint16(DCM_BitsStored, layout.bits_stored);
  if (dataset.findAndGetUint16(DCM_HighBit, layout.high_bit).bad()) layout.high_bit = layout.bits_stored - 1;
  if (dataset.findAndGetUint16(DCM_SamplesPerPixel, layout.samples).bad()) layout.samples = 1;
  if (dataset.findAndGetSint32(DCM_NumberOfFrames, layout.frames).bad() || layout.frames < 1) layout.frames = 1;
  return layout;
}

template <typename Sample>
void mask_samples(Sample* samples, unsigned long long count, unsigned long long mask) {
  const Sample kept = static_cast<Sample>(mask);  // a Sample-wide mask: the loop vectorises
  for (unsigned long long i = 0; i < count; ++i) samples[i] &= kept;
}

// Masks (and cuts) the current, uncompressed representation of Pixel Data. DCMTK holds OW values
// as 16-bit words in host order (32-bit samples as word pairs, low word first in the little
// endian syntaxes); OB values as bytes.
void clean_native(DcmElement& element, const PixelLayout& layout) {
  const unsigned long long needed = layout.needed_bytes();
  const unsigned long long mask = layout.stored_mask();
  const bool masking = layout.has_unused_bits();
  Uint16* words = nullptr;
  if (layout.bits_allocated > 8 && element.ident() == EVR_OW && element.getUint16Array(words).good() &&
      words != nullptr) {
    const unsigned long long have = element.getLength() / 2;
    const unsigned long long count = std::min(have, needed / 2);
    if (masking && layout.bits_allocated == 16) mask_samples(words, count, mask);
    if (masking && layout.bits_allocated == 32) {
      for (unsigned long long i = 0; i + 1 < count; i += 2) {
        const unsigned long long value = (words[i] | static_cast<unsigned long long>(words[i + 1]) << 16) & mask;
        words[i] = static_cast<Uint16>(value & 0xFFFF);
        words[i + 1] = static_cast<Uint16>(value >> 16);
      }
    }
    if (have > needed / 2) {
      std::vector<Uint16> kept(words, words + needed / 2);
      check(element.putUint16Array(kept.data(), static_cast<unsigned long>(kept.size())), "cut Pixel Data");
    }
    return;
  }
  Uint8* bytes = nullptr;
  if (element.getUint8Array(bytes).bad() || bytes == nullptr) {
    // 8-bit samples in an OW element (implicit VR files): on a little endian host the words'
    // memory is the file's byte sequence.
    if (element.ident() != EVR_OW || element.getUint16Array(words).bad() || words == nullptr) return;
    bytes = reinterpret_cast<Uint8*>(words);
  }
  const unsigned long long have = element.getLength();
  const unsigned sample_bytes = layout.bits_allocated / 8;
  const unsigned long long masked_bytes = std::min(have, needed);
  if (masking && sample_bytes == 2 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
    // 16-bit samples as words (the byte-wise loop below was 5-9 % of deid's time on small files).
    const auto kept = static_cast<Uint16>(mask);
    for (unsigned long long at = 0; at + 2 <= masked_bytes; at += 2) {
      Uint16 value;
      std::memcpy(&value, bytes + at, 2);
      value &= kept;
      std::memcpy(bytes + at, &value, 2);
    }
  } else if (masking) {  // little endian samples of 1, 2 or 4 bytes
    for (unsigned long long at = 0; at + sample_bytes <= std::min(have, needed); at += sample_bytes) {
      unsigned long long value = 0;
      for (unsigned b = 0; b < sample_bytes; ++b) value |= static_cast<unsigned long long>(bytes[at + b]) << (8 * b);
      value &= mask;
      for (unsigned b = 0; b < sample_bytes; ++b) bytes[at + b] = static_cast<Uint8>(value >> (8 * b));
    }
  }
  if (have > needed + (needed % 2)) {
    std::vector<Uint8> kept(bytes, bytes + needed);
    if (element.ident() == EVR_OW) kept.resize(needed + (needed % 2), 0);  // whole words
    const OFCondition cut = element.ident() == EVR_OW
                                ? element.putUint16Array(reinterpret_cast<const Uint16*>(kept.data()),
                                                         static_cast<unsigned long>(kept.size() / 2))
                                : element.putUint8Array(kept.data(), static_cast<unsigned long>(kept.size()));
    check(cut, "cut Pixel Data");
  }
}

// The sample precision a compressed stream declares: JPEG (ITU T.81 B.2.2, SOFn) and JPEG-LS
// (T.87, SOF55) give P in their frame header, JPEG 2000 (T.800 A.5.1, SIZ) gives Ssiz per
// component. Decoded samples never exceed P bits, so with P <= BitsStored (and the stored bits
// at the bottom) no overlay can hide above them. 0 when the stream declares none we can read.
int declared_precision(const Uint8* bytes, unsigned long length) {
  if (length >= 44 && bytes[0] == 0xFF && bytes[1] == 0x4F && bytes[2] == 0xFF && bytes[3] == 0x51) {
    const unsigned components = static_cast<unsigned>(bytes[40] << 8 | bytes[41]);
    int precision = 0;
    for (unsigned c = 0; c < components && 42 + 3 * c < length; ++c) {
      precision = std::max(precision, (bytes[42 + 3 * c] & 0x7F) + 1);
    }
    return precision;
  }
  if (length < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) return 0;
  for (unsigned long at = 2; at + 5 <= length;) {
    if (bytes[at] != 0xFF) return 0;
    const Uint8 marker = bytes[at + 1];
    if (marker == 0xFF) {
      ++at;
      continue;
    }
    const bool frame =
        (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) || marker == 0xF7;
    if (frame) return bytes[at + 4];
    if (marker == 0xDA) return 0;
    at += 2 + (static_cast<unsigned long>(bytes[at + 2]) << 8 | bytes[at + 3]);
  }
  return 0;
}

// The precision declared by the first fragment of encapsulated Pixel Data (0: unknown).
int first_fragment_precision(DcmElement& element) {
  auto* pixel_data = dynamic_cast<DcmPixelData*>(&element);
  if (pixel_data == nullptr) return 0;
  E_TransferSyntax syntax = EXS_Unknown;
  const DcmRepresentationParameter* parameter = nullptr;
  pixel_data->getOriginalRepresentationKey(syntax, parameter);
  DcmPixelSequence* sequence = nullptr;
  if (pixel_data->getEncapsulatedRepresentation(syntax, parameter, sequence).bad() || sequence == nullptr ||
      sequence->card() < 2) {
    return 0;
  }
  DcmPixelItem* fragment = nullptr;
  Uint8* bytes = nullptr;
  if (sequence->getItem(fragment, 1).bad() || fragment == nullptr || fragment->getUint8Array(bytes).bad() ||
      bytes == nullptr) {
    return 0;
  }
  return declared_precision(bytes, fragment->getLength());
}

template <typename Sample>
bool any_unused_bits(const Sample* samples, unsigned long long count, unsigned long long mask) {
  const Sample unused = static_cast<Sample>(~mask);
  Sample seen = 0;
  for (unsigned long long i = 0; i < count; ++i) seen |= samples[i] & unused;  // no early exit: vectorises
  return seen != 0;
}

// True when decoded (current, uncompressed) Pixel Data has a bit set outside the stored bits.
bool decoded_has_unused_bits(DcmElement& element, const PixelLayout& layout) {
  const unsigned long long mask = layout.stored_mask();
  if (layout.bits_allocated == 8) {
    Uint8* data = nullptr;
    return element.getUint8Array(data).good() && data != nullptr &&
           any_unused_bits(data, std::min<unsigned long long>(element.getLength(), layout.needed_bytes()), mask);
  }
  if (layout.bits_allocated == 16) {
    Uint16* data = nullptr;
    return element.getUint16Array(data).good() && data != nullptr &&
           any_unused_bits(data, std::min<unsigned long long>(element.getLength(), layout.needed_bytes()) / 2, mask);
  }
  return true;  // 32-bit: always rewritten masked
}

}  // namespace

std::string clean_pixel_data_bytes(DcmDataset& dataset, bool decodable, E_TransferSyntax& output_syntax) {
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) return {};
  const PixelLayout layout = layout_of(dataset);
  if (layout.bits_allocated != 8 && layout.bits_allocated != 16 && layout.bits_allocated != 32) return {};
  if (!DcmXfer(output_syntax).isEncapsulated()) {
    clean_native(*element, layout);
    return {};
  }
  // Compressed fragments carry exactly what the codec wrote; only unused bits need a look.
  if (!layout.has_unused_bits()) return {};
  const int precision = first_fragment_precision(*element);
  if (precision > 0 && precision <= layout.bits_stored && layout.high_bit + 1 == layout.bits_stored) return {};
  if (input::is_jpeg2000(output_syntax)) {
    // Streams that declare more bits than BitsStored: OpenJPEG decodes them and the values decide.
    Uint16 representation = 0;
    dataset.findAndGetUint16(DCM_PixelRepresentation, representation);
    return jpeg2000_unused_bits_problem(*element, output_syntax, layout.frames, layout.bits_stored,
                                        representation == 1);
  }
  if (!decodable) {
    return "BitsStored " + std::to_string(layout.bits_stored) + " < BitsAllocated " +
           std::to_string(layout.bits_allocated) +
           " in a compressed syntax no codec here decodes: the unused high bits may draw an overlay";
  }
  // RLE (and streams whose header we cannot read): decode and look. Clean ones keep their
  // original fragments byte for byte; only pixels with bits set are rewritten, masked.
  // The look happens in a copy: decoding can drop the compressed representation (DCMTK then
  // encoded the frames anew to write the source syntax, a JPEG-LS or JPEG encoder run per file,
  // 10 % of deid's time on small files, and the fragments were no longer the ones read).
  {
    DcmDataset copy(dataset);
    DcmElement* decoded = nullptr;
    check(copy.chooseRepresentation(EXS_LittleEndianExplicit, nullptr), "decode Pixel Data to check unused bits");
    if (copy.findAndGetElement(DCM_PixelData, decoded).bad() || decoded == nullptr) {
      throw InternalError("Pixel Data vanished while decoding");
    }
    if (!decoded_has_unused_bits(*decoded, layout)) return {};
  }
  check(dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr), "decode Pixel Data to mask unused bits");
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
    throw InternalError("Pixel Data vanished while decoding");
  }
  dataset.removeAllButCurrentRepresentations();
  clean_native(*element, layout);
  output_syntax = EXS_LittleEndianExplicit;
  return {};
}

}  // namespace medanon::deid
