#pragma once
// PHI that hides in the bytes of a DICOM file rather than in its attributes (issue #16):
// - unused high bits of stored pixels (PS3.5 8.1.1; retired PS3.3 overlays drawn in bit 15 of
//   12-bit pixels still show in any viewer that ignores BitsStored),
// - Pixel Data longer than Rows x Columns x Frames x Samples needs (a tail anyone can fill),
// - the 128-byte file preamble (PS3.10 7.1: free for "application profiles", copied verbatim).
// The header rules (dataset_deidentifier.hpp) never look at these; the writer calls these.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <string>

namespace medanon::deid {

// Zeroes bits outside [HighBit - BitsStored + 1, HighBit] of every stored sample and cuts Pixel
// Data to the length the image needs. Native pixels are cleaned in place; compressed pixels with
// unused bits are decoded (the caller checked their size, input/dicom_preflight.hpp), cleaned and
// `output_syntax` becomes Explicit VR Little Endian. Returns a reason to reject the file when
// the pixels cannot be cleaned (unused bits in a syntax no codec here decodes); empty when done.
std::string clean_pixel_data_bytes(DcmDataset& dataset, bool decodable, E_TransferSyntax& output_syntax);

}  // namespace medanon::deid
