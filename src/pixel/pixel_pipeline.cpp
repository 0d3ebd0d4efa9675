#include "pixel/pixel_pipeline.hpp"

#include <algorithm>
#include <chrono>

#include "core/log.hpp"
#include "pixel/dual_text_detection.hpp"
#include "pixel/image_validation.hpp"
#include "pixel/ink_reading.hpp"
#include "pixel/learned_band_detection.hpp"
#include "pixel/line_ends.hpp"
#include "pixel/overlay_blocks.hpp"
#include "pixel/redaction_spans.hpp"
#include "pixel/text_policy.hpp"
#include "pixel/unseen_text.hpp"

namespace medanon::pixel {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

const char* to_string(Detector detector) {
  switch (detector) {
    case Detector::stroke: return "stroke";
    case Detector::tesseract: return "tesseract";
    case Detector::both: return "both";
    case Detector::learned: return "learned";
    case Detector::stored: return "stored-values";
  }
  return "stroke";
}

const char* to_string(TextAction action) {
  switch (action) {
    case TextAction::redacted: return "redacted";
    case TextAction::kept: return "kept";
    case TextAction::review: return "review";
  }
  return "review";
}

const char* to_string(ImageStatus status) {
  switch (status) {
    case ImageStatus::processed: return "processed";
    case ImageStatus::invalid: return "invalid";
    case ImageStatus::not_medical: return "not_medical";
  }
  return "invalid";
}

PixelPipeline::PixelPipeline(PixelOptions options)
    : options_(std::move(options)), reader_(std::make_unique<TesseractReader>(options_.tesseract)) {
  learned_ = LearnedTextDetector::open(options_.learned, degraded_);
  // Said once per rank at start; every PixelResult and the summaries carry it too.
  if (!learned_ && options_.learned.enabled) log::rank_warn("pixel stages DEGRADED: " + degraded_);
}

PixelResult PixelPipeline::process_file(const std::string& path, const IdentifyingValues& values) {
  const auto start = Clock::now();
  ReadResult read = read_and_validate(path, options_.limits);
  const double seconds_read = since(start);
  if (!read.ok) {
    PixelResult result;
    result.status = ImageStatus::invalid;
    result.reason = read.reason;
    result.seconds_read = result.seconds_total = seconds_read;
    return result;
  }
  PixelResult result = process_image(std::move(read.image), values);
  result.seconds_read = seconds_read;
  result.seconds_total += seconds_read;
  return result;
}

PixelResult PixelPipeline::process_image(PixelImage image, const IdentifyingValues& values) {
  const auto start = Clock::now();
  PixelResult result;
  result.gate = gate_image(image, options_.gate);
  if (!result.gate.medical) {
    result.status = ImageStatus::not_medical;
    result.reason = result.gate.reason;
    result.image = std::move(image);
    result.seconds_total = since(start);
    return result;
  }
  // Grey pictures saved as RGB are redacted as the grey image they are.
  image.pixels = grey_if_achromatic(image.pixels, options_.gate.saturation_threshold);
  result.status = ImageStatus::processed;
  result.seconds_gate = since(start);

  IdentifyingValues all_values = image.header;
  all_values.insert(values.begin(), values.end());
  result.text = detect_text(image, all_values, result);

  std::vector<cv::Rect> to_redact;
  const BorderGeometry zone = border_geometry(image.pixels.size(), options_.enhance.border_fraction, options_.border_margin_px);
  for (const cv::Rect& box : redaction_spans(result.text, zone, options_.span_row_gap)) to_redact.push_back(padded_box(box, image.pixels.size(), options_.redaction));
  for (const TextDetection& word : result.text) {
    result.redacted += word.action == TextAction::redacted;
    result.kept += word.action == TextAction::kept;
    result.review += word.action == TextAction::review;
  }
  const auto redaction_start = Clock::now();
  if (!to_redact.empty()) redact(image, to_redact, options_.redaction, result.redaction_mask);
  result.seconds_redact = since(redaction_start);
  result.image = std::move(image);
  result.seconds_total = since(start);
  return result;
}

std::vector<TextDetection> PixelPipeline::detect_text(const PixelImage& image, const IdentifyingValues& values,
                                                      PixelResult& timing) {
  const auto start = Clock::now();
  const long long calls_before = reader_->calls(), pixels_before = reader_->pixels_read();
  EnhanceOptions enhance = options_.enhance;
  if (options_.whole_image_ocr) enhance.working_height = image.pixels.rows;  // the baseline reads full resolution
  const DetectionView view = make_detection_view(image, enhance);
  const BorderGeometry zone = border_geometry(image.pixels.size(), options_.enhance.border_fraction, options_.border_margin_px);
  std::vector<LearnedBox> learned, learned_in_view;
  timing.learned_detector = learned_ != nullptr && !options_.whole_image_ocr;
  if (timing.learned_detector) {
    const auto learned_start = Clock::now();
    BandDetectionOptions bands;
    bands.band_rows = options_.learned.band_rows;
    learned = detect_in_bands(*learned_, image, view, zone, options_.enhance, bands);
    for (LearnedBox box : learned) box.box = view.to_view(box.box), learned_in_view.push_back(box);
    timing.seconds_learned = since(learned_start);
  }
  std::vector<DetectedLine> lines =
      options_.whole_image_ocr
          ? detect_text_whole_image(view, image.pixels.size(), options_, *reader_, timing.seconds_ocr)
          : detect_text_lines(view, image.pixels.size(), options_, reader_.get(), timing.seconds_ocr, learned_in_view);
  if (options_.overlay_block_reach > 1) extend_overlay_blocks(lines, zone, options_.overlay_block_reach);
  // The lines after these were read from their stored values' page already: not read again.
  const size_t detected_lines = lines.size();
  if (!options_.whole_image_ocr) {
    const auto unseen_start = Clock::now();
    for (DetectedLine& line : read_unseen_text(image, zone, lines, options_.ocr_letter_height, options_.phi.min_confidence, *reader_))
      lines.push_back(std::move(line));
    timing.seconds_ocr += since(unseen_start);
  }
  std::vector<TextDetection> words;
  for (DetectedLine& line : lines) {
    // A border line is read once more from its ink (ink_reading.hpp) before it is classified,
    // so a marker and its value are judged together, from the better reading of each word.
    if (static_cast<size_t>(&line - lines.data()) < detected_lines &&
        std::any_of(line.words.begin(), line.words.end(), [](const TextDetection& w) { return w.in_border; })) {
      const auto reading_start = Clock::now();
      line.words = merge_ink_reading(line.words, read_line_by_ink(image, line.words, options_.ocr_letter_height, *reader_));
      timing.seconds_ocr += since(reading_start);
    }
    std::vector<std::string> texts;
    std::vector<float> confidences;
    for (const TextDetection& word : line.words) texts.push_back(word.text), confidences.push_back(word.confidence);
    const std::vector<WordVerdict> verdicts = classify_line(texts, confidences, values, options_.phi);
    for (size_t i = 0; i < line.words.size(); ++i) {
      TextDetection& word = line.words[i];
      word.word_class = verdicts[i].word_class;
      word.why = verdicts[i].why;
      word.phi = verdicts[i].is_phi();
      word.line = static_cast<int>(&line - lines.data());
      words.push_back(std::move(word));
    }
  }
  keep_split_markers(words, values, options_.phi);
  decide_text_actions(words, learned, zone, options_, timing.learned_detector);
  if (timing.learned_detector) {
    BandDetectionOptions centre;
    centre.central_size = options_.learned.central_size;
    centre.large_unreadable_share = options_.large_unreadable_share;
    const auto central_start = Clock::now();
    flag_central_text(*learned_, image, view, zone, words, options_.enhance, centre);
    extend_central_review(*learned_, image, view, words, options_.enhance);
    timing.seconds_learned += since(central_start);
  }
  // After the central pass: the central candidates it drops as anatomy stop no line.
  if (options_.whole_line && options_.grow_line_ends) grow_line_ends(words, image);
  timing.seconds_detect = since(start) - timing.seconds_ocr;
  timing.ocr_calls = reader_->calls() - calls_before;
  timing.ocr_pixels = reader_->pixels_read() - pixels_before;
  return words;
}

}  // namespace medanon::pixel
