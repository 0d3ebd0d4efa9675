#include "deid/jpeg2000_bits.hpp"

#include <dcmtk/dcmdata/dcpixel.h>

#include <exception>
#include <opencv2/core.hpp>

#include "input/dicom_item.hpp"
#include "input/jpeg2000.hpp"

namespace medanon::deid {

std::string jpeg2000_unused_bits_problem(DcmElement& pixel_data, E_TransferSyntax syntax, int frames, int bits_stored,
                                         bool is_signed) {
  auto* pixels = dynamic_cast<DcmPixelData*>(&pixel_data);
  DcmPixelSequence* sequence = nullptr;
  if (pixels == nullptr || pixels->getEncapsulatedRepresentation(syntax, nullptr, sequence).bad() ||
      sequence == nullptr) {
    return "JPEG 2000 Pixel Data is not encapsulated";
  }
  if (bits_stored < 1 || bits_stored > 16) return "BitsStored " + std::to_string(bits_stored) + " outside 1..16";
  // The extreme values BitsStored allows; anything beyond has a bit set above it.
  const double highest = is_signed ? (1 << (bits_stored - 1)) - 1 : (1 << bits_stored) - 1;
  const double lowest = is_signed ? -(1 << (bits_stored - 1)) : 0;
  try {
    for (const auto& codestream : input::encapsulated_frames(*sequence, frames)) {
      // bits_stored 0: the values as the codestream holds them, at its own precision.
      const cv::Mat frame = input::decode_j2k_frame(codestream, is_signed, /*bits_stored=*/0);
      double low = 0, high = 0;
      cv::minMaxLoc(frame.reshape(1), &low, &high);
      if (high > highest || low < lowest) {
        return "JPEG 2000 samples use bits above BitsStored " + std::to_string(bits_stored) +
               ": the unused high bits may draw an overlay";
      }
    }
  } catch (const std::exception& e) {
    return std::string("JPEG 2000 frames could not be checked for bits above BitsStored: ") + e.what();
  }
  return {};
}

}  // namespace medanon::deid
