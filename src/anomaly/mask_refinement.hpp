#pragma once
// The z-map mask brought to the image's own pixels, and trimmed there to what is radio-opaque.
//
// The z-map mask is drawn at map resolution (224 px for a 512-2048 px radiograph). Brought up to
// the image, each map pixel becomes a block of 2-9 px, so the mask of a 2-px wire is a staircase
// several times wider than the wire, and Dice is capped by the blocks (0.38 on the independent
// corpus' tuning seeds). Foreign objects are radio-opaque: at full resolution a wire, a clip or a
// screw is brighter than the tissue right around it. Inside the (slightly grown) upsampled mask
// the refinement keeps the pixels that a white top-hat of the image marks as bright detail: the
// image minus its opening by a square of side 2 * detail_radius + 1, more than `threshold` robust
// standard deviations (1.4826 x the median absolute deviation, over the whole image) above the
// top-hat's median.
// Structures wider than the square (a pacemaker can, a prosthesis) lose their inside to the
// opening and keep only a rim, so a second, wider square (`wide_detail_radius`) is taken too and a
// pixel is kept when either top-hat marks it: on the tuning seeds the fine square alone gave Dice
// 0.509 with prostheses 0 % found, both 0.503 with prostheses 100 % (docs/foreign-objects.md).
//
// Sizes are in model pixels, like the z-map mask's, and scale with the image (x and y apart); the
// functions below take them in map pixels (the same unless --map-size: `in_map_pixels`).
// Images are in display polarity (MONOCHROME1 already inverted: mae::read_radiograph). No torch.

#include <opencv2/core.hpp>

namespace medanon::anomaly {

struct MaskRefinementOptions {
  bool enabled = true;
  double detail_radius = 3.5;  // model px: half the side of the top-hat's square (8 px at 512)
  double wide_detail_radius = 8.75;  // model px: the second, wider square (20 px at 512); 0: none
  double grow = 0.9;           // model px the upsampled mask grows by first (2 px at 512)
  double threshold = 3.0;      // robust standard deviations of the top-hat above its median
};

// The options with their sizes in pixels of a map `map_scale` times the model's side.
MaskRefinementOptions in_map_pixels(MaskRefinementOptions options, double map_scale);

// The opening of `x` (CV_32F) by a square of half-side `radius` (px, x and y), borders
// replicated: cv::morphologyEx(MORPH_OPEN, MORPH_RECT, BORDER_REPLICATE)'s result, at a cost that
// does not grow with the square.
cv::Mat square_opening(const cv::Mat& x, cv::Size radius);

// The top-hat of `image` (CV_8U or CV_16U, one channel) with a square of half-side `radius`
// (px, x and y), less its median, in robust standard deviations: CV_32F at the image's size.
cv::Mat bright_detail(const cv::Mat& image, cv::Size radius);

// options.detail_radius (map px) in the image's px, for an image of size `image` whose map has
// size `map`.
cv::Size detail_radius(const MaskRefinementOptions& options, cv::Size image, cv::Size map);

// `map_mask` CV_8U at map resolution (255 = foreign object); `image` the radiograph it was made
// from, at its own size. Returns CV_8U at the image's size. Disabled: the mask upsampled
// (nearest), as before. `fine_detail`, when given, receives the fine square's bright_detail if
// the refinement computed it (enabled and something flagged), so that a caller publishing it
// (infer --map-values z-detail) does not compute it again; it is left as it was otherwise.
cv::Mat refine_mask(const cv::Mat& map_mask, const cv::Mat& image, const MaskRefinementOptions& options,
                    cv::Mat* fine_detail = nullptr);

}  // namespace medanon::anomaly
