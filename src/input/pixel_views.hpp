#pragma once
// The boundary between stored pixels and the pixel stages. The stages work on what they have
// always handled (unsigned grey samples, or 8-bit BGR), so each stored frame gets a view of that
// kind; whatever the stages redact in a view comes back as a mask that is filled in the stored
// values, in the file's own sample type and colour model, which the writer then re-encodes.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "input/dicom_item.hpp"
#include "pixel/pixel_image.hpp"

namespace medanon::input {

// The view of one stored frame for the pixel stages:
//   unsigned grey: the stored frame itself (no copy; redaction there is redaction in the file)
//   signed grey: 8 bits through the header's first VOI window (WindowCenter/Width with the
//                Modality LUT's RescaleSlope/Intercept), or the frame's own range without one
//   colour: 8-bit BGR from RGB, YBR_FULL(_422) or the PALETTE COLOR lookup tables
// `view_is_stored` says whether the view shares the stored samples.
pixel::PixelImage frame_view(const DecodedPixels& pixels, const cv::Mat& frame, DcmItem& dataset, bool& view_is_stored);

// Display black in stored terms written into `frame` where `mask` is non-zero.
void fill_black(cv::Mat& frame, const cv::Mat& mask, const DecodedPixels& pixels, DcmItem& dataset);

// The frames as native Pixel Data bytes (little endian, the decoded photometric's layout,
// PlanarConfiguration as described, YBR_FULL_422 subsampled again).
std::vector<std::uint8_t> native_bytes(const std::vector<cv::Mat>& frames, const DecodedPixels& pixels);

// Identical frames (cine loops repeat them; still frames of a clip are often equal) are
// scanned once: for each frame, the index of the first frame with the same samples.
std::vector<int> first_equal_frame(const std::vector<cv::Mat>& frames);

}  // namespace medanon::input
