// The residual's inputs at a map size finer than the model's; see fine_map.hpp.

#include "mae/fine_map.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace medanon::mae {

FineView fine_view(const cv::Mat& image, const cv::Mat& reconstruction, int map_size, IntensityMapping mapping) {
  FineView view;
  view.input = model_input(image, map_size, mapping);  // the same 8-bit mapping and area resampling as the model's
  cv::resize(reconstruction, view.reconstruction, cv::Size(map_size, map_size), 0, 0, cv::INTER_CUBIC);
  return view;
}

anomaly::ZMapMaskOptions scaled_for_map(const anomaly::ZMapMaskOptions& options, double scale) {
  anomaly::ZMapMaskOptions scaled = options;
  scaled.smoothing = options.smoothing * scale;
  scaled.min_area = static_cast<int>(std::lround(options.min_area * scale * scale));
  return scaled;
}

}  // namespace medanon::mae
