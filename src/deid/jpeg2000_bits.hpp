#pragma once
// Unused high bits of JPEG 2000 Pixel Data (PS3.5 8.1.1, 8.2.4). Many encoders declare the
// samples' container precision (16) in the SIZ marker of 12-bit images, so the codestream's
// header cannot say whether a bit above BitsStored is set, i.e. whether an overlay drawn in the
// high bits (a retired but real practice) travels in the fragments. DCMTK has no JPEG 2000
// codec; OpenJPEG (input/jpeg2000.hpp) decodes every frame here and the values decide.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <string>

namespace medanon::deid {

// Empty when every sample of every frame fits BitsStored (unsigned: below 2^BitsStored; signed:
// within -2^(BitsStored-1) .. 2^(BitsStored-1)-1), so the fragments can be kept byte for byte;
// otherwise why the file is refused (bits set above BitsStored, or frames that do not decode).
std::string jpeg2000_unused_bits_problem(DcmElement& pixel_data, E_TransferSyntax syntax, int frames, int bits_stored,
                                         bool is_signed);

}  // namespace medanon::deid
