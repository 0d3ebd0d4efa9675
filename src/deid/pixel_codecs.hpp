#pragma once
// Which transfer syntaxes the pixel stage can decode here, and how changed pixels are written
// back (losslessly in the source syntax where that was lossless).

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "input/dicom_item.hpp"

namespace medanon::deid {

// The program's one codec registration (input/codecs.hpp).
void register_codecs();

// Native, deflated, JPEG processes 1, 2/4, 14 and 14 SV1, JPEG-LS, RLE and JPEG 2000.
bool can_decode(E_TransferSyntax transfer_syntax);

// Puts `frames` (stored values as input::decode_pixels gives them, every frame of the image)
// as the dataset's Pixel Data and encodes them for writing; returns the syntax to write.
// Lossless sources are re-encoded in their own syntax (JPEG 2000 "lossless or lossy" files that
// were lossless as JPEG 2000 Lossless Only); lossy sources are written as Explicit VR Little
// Endian (no second lossy generation). PhotometricInterpretation and PlanarConfiguration
// follow the decoded frames. Throws std::invalid_argument when `frames` do not match the image.
E_TransferSyntax replace_pixels(DcmDataset& dataset, E_TransferSyntax source, const std::vector<cv::Mat>& frames,
                                const input::DecodedPixels& decoded);

}  // namespace medanon::deid
