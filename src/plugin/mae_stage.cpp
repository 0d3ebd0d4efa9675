// The MAE foreign-object detector behind the runner's ForeignObjectStage: the anonymize job
// reaches it through the plugin's entry points, so the runner itself has no LibTorch.

#include "plugin/mae_stage.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>

#include "anomaly/anomaly_calibration.hpp"
#include "mae/anomaly_detector.hpp"
#include "mae/display_polarity.hpp"

namespace medanon::plugin {
namespace {

class MaeStage final : public pipeline::ForeignObjectStage {
 public:
  explicit MaeStage(const MaeStageOptions& o) : detector_(detector_options(o)), batch_size_(o.batch_size) {
    has_threshold_ = !o.threshold_file.empty();
  }

  int batch_size() const override { return batch_size_; }

  void detect(const std::vector<cv::Mat>& images, const std::vector<audit::ItemRecord*>& records) override {
    std::vector<cv::Mat> text;  // burned-in text, redacted or flagged, is not a foreign object
    for (size_t i = 0; i < records.size(); ++i) text.push_back(text_mask(images.at(i).size(), *records[i]));
    std::vector<cv::Mat> shown;  // inverted films turned back for the detector; the output keeps the stored pixels
    for (const cv::Mat& image : images) shown.push_back(mae::display_polarity(image));
    const std::vector<mae::ForeignObjectResult> results = detector_.detect(shown, text);
    for (size_t i = 0; i < records.size(); ++i) {
      mae::ForeignObjectResult r = results.at(i);
      audit::ItemRecord& record = *records[i];
      // The audit stores maps at 224 (the MAE papers' size); a model of another size is resampled.
      if (r.mask.rows != audit::kMapSize || r.mask.cols != audit::kMapSize) {
        cv::resize(r.mask, r.mask, cv::Size(audit::kMapSize, audit::kMapSize), 0, 0, cv::INTER_NEAREST);
        cv::resize(r.anomaly_map, r.anomaly_map, cv::Size(audit::kMapSize, audit::kMapSize), 0, 0, cv::INTER_LINEAR);
      }
      CV_Assert(r.anomaly_map.type() == CV_32F && r.anomaly_map.isContinuous() && r.mask.type() == CV_8U);
      record.mask.resize(static_cast<size_t>(audit::kMapSize) * audit::kMapSize);
      record.anomaly_map.resize(record.mask.size());
      for (int y = 0; y < audit::kMapSize; ++y) {
        const std::uint8_t* mask_row = r.mask.ptr<std::uint8_t>(y);
        for (int x = 0; x < audit::kMapSize; ++x) record.mask[static_cast<size_t>(y) * audit::kMapSize + x] = mask_row[x] ? 1 : 0;
        std::memcpy(&record.anomaly_map[static_cast<size_t>(y) * audit::kMapSize], r.anomaly_map.ptr<float>(y),
                    sizeof(float) * audit::kMapSize);
      }
      record.mask_score = static_cast<float>(r.mask_score);
      record.z_peak = static_cast<float>(r.z_peak);
      record.anomaly = has_threshold_ ? (r.foreign_object ? 1 : 0) : -1;
    }
  }

  std::string description() const override { return detector_.description(); }

 private:
  // The item's text boxes, grown by a few pixels: a solid fill's edge and anti-aliased glyphs
  // reach past the box.
  static cv::Mat text_mask(cv::Size size, const audit::ItemRecord& record) {
    if (record.boxes.empty()) return cv::Mat();
    cv::Mat mask = cv::Mat::zeros(size, CV_8U);
    const int grow = std::max(2, std::max(size.width, size.height) / 200);
    for (const auto& box : record.boxes) {
      const cv::Rect grown(box.x - grow, box.y - grow, box.width + 2 * grow, box.height + 2 * grow);
      mask(grown & cv::Rect(cv::Point(), size)).setTo(255);
    }
    return mask;
  }

  static mae::DetectorOptions detector_options(const MaeStageOptions& o) {
    mae::DetectorOptions d;
    d.checkpoint = o.checkpoint;
    d.device = o.device;
    d.threads = o.threads;
    d.batch_size = o.batch_size;
    d.trials = o.trials;
    if (!o.threshold_file.empty()) d.calibration = anomaly::read_calibration(o.threshold_file);
    // The audit file keeps masks at 224 x 224 (audit::kMapSize): a mask refined at the image's
    // own resolution would be computed and dropped.
    d.refinement.enabled = false;
    return d;
  }

  mae::AnomalyDetector detector_;
  int batch_size_;
  bool has_threshold_ = false;
};

}  // namespace

std::unique_ptr<pipeline::ForeignObjectStage> make_mae_stage(const MaeStageOptions& options) {
  return std::make_unique<MaeStage>(options);
}

}  // namespace medanon::plugin
