#include "pixel/dicom_reading.hpp"

#include "input/dicom_item.hpp"
#include "input/pixel_views.hpp"
#include "pixel/image_validation.hpp"

namespace medanon::pixel {
namespace {

ReadResult rejected(const std::string& reason) {
  ReadResult result;
  result.reason = reason;
  return result;
}

}  // namespace

ReadResult read_dicom_image(const std::string& path, const ImageLimits& limits) {
  input::LoadResult loaded = input::load_dicom(path);
  if (!loaded.ok) return rejected(loaded.reason);
  if (!loaded.item.has_pixels) return rejected("no Pixel Data (7FE0,0010): not an image");
  const input::DecodedPixels decoded = input::decode_pixels(loaded.item, limits.max_pixels);
  if (!decoded.ok) return rejected(decoded.reason);
  if (decoded.frames.size() != 1) {
    return rejected("multi-frame image (" + std::to_string(decoded.frames.size()) +
                    " frames): this reader returns one image; the anonymize pipeline scans every frame");
  }
  ReadResult result;
  bool shares_stored = false;
  result.image = input::frame_view(decoded, decoded.frames.front(), loaded.item.dataset(), shares_stored);
  if (const std::string problem = size_problem(result.image.pixels, limits); !problem.empty()) return rejected(problem);
  result.image.header = input::header_strings(loaded.item.dataset());
  result.ok = true;
  return result;
}

}  // namespace medanon::pixel
