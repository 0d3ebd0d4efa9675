#pragma once
// Anomaly maps finer than the model (issue #15, "sharper maps"): the residual computed at
// `map_size` px from the image itself and the reconstruction brought up to that size.
//
// Why: a wire or a tube's radiopaque stripe is 1-3 px wide at 1024 px. Area-resampled to the
// model's 224 px it is a fraction of a pixel whose contrast is averaged with the tissue beside it,
// so the residual sees a faint smear. The MAE's reconstruction is smooth anyway (it predicts
// what the anatomy should be, 16-px patches at a time); comparing the image at 448 px with that
// prediction upsampled keeps 2x more of a thin object's contrast, while the model, its weights
// and its cost stay those of the 224 path (only the residual, the smoothing and the masks run on
// the larger grid). The calibration statistics must then be taken at the same map size.
//
// The thesis' 224 path stays the default (map_size 0 = the model's side). No torch types.

#include <opencv2/core.hpp>

#include "mae/radiograph_input.hpp"
#include "anomaly/zmap_mask.hpp"

namespace medanon::mae {

struct FineView {
  cv::Mat input;           // CV_32F [0, 1], map_size x map_size: the image's 8-bit mapping, area-resampled
  cv::Mat reconstruction;  // CV_32F, map_size x map_size: the model-resolution reconstruction, bicubic
};

// `image` as read (CV_8U or CV_16U, any size), `reconstruction` the averaged model-resolution
// reconstruction (CV_32F); map_size > 0.
FineView fine_view(const cv::Mat& image, const cv::Mat& reconstruction, int map_size, IntensityMapping mapping);

// z-map mask options for a map `scale` times finer than the model's pixels: the same smoothing and
// smallest region in model pixels, so the options keep their documented meaning.
anomaly::ZMapMaskOptions scaled_for_map(const anomaly::ZMapMaskOptions& options, double scale);

}  // namespace medanon::mae
