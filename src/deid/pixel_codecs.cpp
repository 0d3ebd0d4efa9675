#include "deid/pixel_codecs.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcrlerp.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpls/djrparam.h>

#include <stdexcept>

#include "deid/dcmtk_check.hpp"
#include "input/codecs.hpp"
#include "input/jpeg2000.hpp"
#include "input/pixel_views.hpp"

namespace medanon::deid {
namespace {

// The frames as JPEG 2000 lossless fragments, one per frame after an empty offset table.
void put_jpeg2000(DcmDataset& dataset, const std::vector<cv::Mat>& frames, int bits_stored) {
  auto* sequence = new DcmPixelSequence(DcmTag(DCM_PixelSequenceTag));
  sequence->insert(new DcmPixelItem(DcmTag(DCM_PixelItemTag)));
  for (const cv::Mat& frame : frames) {
    std::vector<std::uint8_t> stream = input::encode_j2k_lossless(frame, bits_stored);
    if (stream.size() % 2 == 1) stream.push_back(0);  // PS3.5 A.4: fragments have even length
    auto* fragment = new DcmPixelItem(DcmTag(DcmTag(DCM_PixelItemTag)));
    check(fragment->putUint8Array(stream.data(), static_cast<Uint32>(stream.size())), "put JPEG 2000 fragment");
    sequence->insert(fragment);
  }
  auto* pixels = new DcmPixelData(DCM_PixelData);
  pixels->putOriginalRepresentation(EXS_JPEG2000LosslessOnly, nullptr, sequence);
  check(dataset.insert(pixels, /*replaceOld=*/OFTrue), "put JPEG 2000 PixelData");
}

bool marked_lossy(DcmDataset& dataset) {
  OFString lossy;
  return dataset.findAndGetOFString(DCM_LossyImageCompression, lossy).good() && lossy == "01";
}

}  // namespace

void register_codecs() { input::register_codecs(); }

bool can_decode(E_TransferSyntax transfer_syntax) { return input::can_decode(transfer_syntax); }

E_TransferSyntax replace_pixels(DcmDataset& dataset, E_TransferSyntax source, const std::vector<cv::Mat>& frames,
                                const input::DecodedPixels& decoded) {
  const input::PixelDescription& d = decoded.description;
  bool fits = decoded.ok && static_cast<int>(frames.size()) == d.frames && !decoded.frames.empty();
  for (const cv::Mat& frame : frames) {
    fits = fits && frame.rows == d.rows && frame.cols == d.columns && frame.type() == decoded.frames.front().type();
  }
  if (!fits) {
    throw std::invalid_argument("new pixels do not match the image (" + std::to_string(d.columns) + "x" +
                                std::to_string(d.rows) + ", " + std::to_string(d.bits_allocated) + " bits allocated, " +
                                std::to_string(d.samples) + " samples, " + std::to_string(d.frames) + " frames)");
  }
  // The frames are in the decoded representation's colour model (DCMTK turns YBR JPEG into RGB).
  check(dataset.putAndInsertString(DCM_PhotometricInterpretation, decoded.photometric.c_str()),
        "put PhotometricInterpretation");
  if (d.colour()) {
    check(dataset.putAndInsertUint16(DCM_PlanarConfiguration, static_cast<Uint16>(d.planar_configuration)),
          "put PlanarConfiguration");
  }

  if (input::is_jpeg2000(source) && !(source == EXS_JPEG2000 && marked_lossy(dataset))) {
    put_jpeg2000(dataset, frames, d.bits_stored);
    return EXS_JPEG2000LosslessOnly;
  }
  const std::vector<std::uint8_t> bytes = input::native_bytes(frames, decoded);
  if (d.bits_allocated == 16) {
    check(dataset.putAndInsertUint16Array(DCM_PixelData, reinterpret_cast<const Uint16*>(bytes.data()),
                                          static_cast<unsigned long>(bytes.size() / 2)),
          "put new PixelData");
  } else {
    check(dataset.putAndInsertUint8Array(DCM_PixelData, bytes.data(), static_cast<unsigned long>(bytes.size())),
          "put new PixelData");
  }

  std::unique_ptr<DcmRepresentationParameter> parameter;
  switch (source) {
    case EXS_JPEGProcess14:
    case EXS_JPEGProcess14SV1:
      parameter = std::make_unique<DJ_RPLossless>(/*aPrediction=*/1, /*aPt=*/0);
      break;
    case EXS_JPEGLSLossless:
      parameter = std::make_unique<DJLSRepresentationParameter>(/*nearlosslessDeviation=*/0,
                                                                /*losslessProcess=*/OFTrue);
      break;
    case EXS_RLELossless: parameter = std::make_unique<DcmRLERepresentationParameter>(); break;
    default:
      if (DcmXfer(source).isEncapsulated()) return EXS_LittleEndianExplicit;  // lossy source
      // 8-bit samples in big endian files are read as OW or OB by different readers, with the
      // byte order of each pair depending on which (PS3.5 8.1.1, retired syntax): explicit little
      // endian is read alike by all.
      if (d.bits_allocated == 8 && DcmXfer(source).isBigEndian()) return EXS_LittleEndianExplicit;
      return source;                                                          // native: as it was
  }
  check(dataset.chooseRepresentation(source, parameter.get()),
        std::string("re-encode pixels as ") + DcmXfer(source).getXferName());
  return source;
}

}  // namespace medanon::deid
