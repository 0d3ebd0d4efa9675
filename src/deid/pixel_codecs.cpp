#include "deid/pixel_codecs.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcrlerp.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpls/djrparam.h>

#include <stdexcept>

#include "deid/dcmtk_check.hpp"
#include "synth/dicom_writer.hpp"

namespace medanon::deid {

void register_codecs() {
  // One registration for the whole program, with the DCMTK quirks documented there.
  synth::register_dicom_codecs();
}

bool can_decode(E_TransferSyntax transfer_syntax) {
  switch (transfer_syntax) {
    case EXS_LittleEndianImplicit: case EXS_LittleEndianExplicit: case EXS_BigEndianExplicit:
    case EXS_BigEndianImplicit: case EXS_DeflatedLittleEndianExplicit: case EXS_JPEGProcess1:
    case EXS_JPEGProcess2_4: case EXS_JPEGProcess14: case EXS_JPEGProcess14SV1: case EXS_JPEGLSLossless:
    case EXS_JPEGLSLossy: case EXS_RLELossless: return true;
    default: return false;
  }
}

E_TransferSyntax replace_pixels(DcmDataset& dataset, E_TransferSyntax source, const cv::Mat& pixels) {
  Uint16 rows = 0, columns = 0, bits_allocated = 0, samples = 1;
  dataset.findAndGetUint16(DCM_Rows, rows);
  dataset.findAndGetUint16(DCM_Columns, columns);
  dataset.findAndGetUint16(DCM_BitsAllocated, bits_allocated);
  dataset.findAndGetUint16(DCM_SamplesPerPixel, samples);
  Sint32 frames = 1;
  dataset.findAndGetSint32(DCM_NumberOfFrames, frames);
  const int wanted_type = bits_allocated == 8 ? CV_8UC1 : bits_allocated == 16 ? CV_16UC1 : -1;
  if (samples != 1 || frames > 1 || wanted_type < 0 || pixels.type() != wanted_type || pixels.rows != rows ||
      pixels.cols != columns) {
    throw std::invalid_argument("new pixels do not match the image (" + std::to_string(columns) + "x" +
                                std::to_string(rows) + ", " + std::to_string(bits_allocated) +
                                " bits allocated, one sample, one frame)");
  }
  const cv::Mat continuous = pixels.isContinuous() ? pixels : pixels.clone();
  const unsigned long count = static_cast<unsigned long>(continuous.total());
  if (wanted_type == CV_8UC1) {
    check(dataset.putAndInsertUint8Array(DCM_PixelData, continuous.ptr<Uint8>(), count), "put new PixelData");
  } else {
    check(dataset.putAndInsertUint16Array(DCM_PixelData, continuous.ptr<Uint16>(), count), "put new PixelData");
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
      return source;                                                          // native: as it was
  }
  check(dataset.chooseRepresentation(source, parameter.get()),
        std::string("re-encode pixels as ") + DcmXfer(source).getXferName());
  return source;
}

}  // namespace medanon::deid
