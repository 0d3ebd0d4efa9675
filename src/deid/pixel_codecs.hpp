#pragma once
// Which transfer syntaxes the pixel stage can decode here, and how changed pixels are written
// back (losslessly in the source syntax where that was lossless).

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <memory>
#include <opencv2/core.hpp>
#include <string>

namespace medanon::deid {

// DCMTK's JPEG, JPEG-LS and RLE codecs, registered once (never minting UIDs).
void register_codecs();

// Native, deflated, JPEG processes 1, 2/4, 14 and 14 SV1, JPEG-LS and RLE.
bool can_decode(E_TransferSyntax transfer_syntax);

// Puts `pixels` (stored values) as the dataset's Pixel Data and encodes them for writing;
// returns the syntax to write. Lossless sources are re-encoded in their own syntax; lossy
// sources are written as Explicit VR Little Endian (no second lossy generation).
// Throws std::invalid_argument when `pixels` do not match the image's geometry.
E_TransferSyntax replace_pixels(DcmDataset& dataset, E_TransferSyntax source, const cv::Mat& pixels);

}  // namespace medanon::deid
