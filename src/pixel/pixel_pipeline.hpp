#pragma once
// Stages 1-6 of one image, the library call the distributed runner makes per item:
//   validate (read) -> medical gate + anatomy -> border enhancement (detection copy) ->
//   learned detector on the border bands + stroke triage + Tesseract on candidate lines,
//   merged -> PHI matching, whole-line rule, anatomy guard -> redaction.
// One PixelPipeline per rank (it owns a Tesseract engine, ~0.3 s to load, and the learned
// detector's network); not thread-safe. Policy and measurements: docs/pixel-text.md.

#include <memory>
#include <string>
#include <vector>

#include "io/png_encoding.hpp"
#include "pixel/border_enhancement.hpp"
#include "pixel/learned_text_detector.hpp"
#include "pixel/medical_gate.hpp"
#include "pixel/phi_matching.hpp"
#include "pixel/pixel_image.hpp"
#include "pixel/redaction.hpp"
#include "pixel/stroke_text_detector.hpp"
#include "pixel/tesseract_reader.hpp"

namespace medanon::pixel {

struct PixelOptions {
  ImageLimits limits;
  GateOptions gate;
  EnhanceOptions enhance;  // border_fraction is also the redaction zone (with border_margin_px)
  StrokeOptions strokes;
  TesseractOptions tesseract;
  LearnedTextOptions learned;
  PhiOptions phi;
  RedactionOptions redaction;
  // The redaction zone is at least this deep on every side, scaled down with images whose
  // shorter side is under 1024 px (a 256 px image is not all border).
  int border_margin_px = 100;
  double merge_iou = 0.5;      // a stroke word and an OCR word with this IoU are one detection
  bool keep_technical = true;  // keep L/R/PA/AP/KV/mAs... readable; false redacts them too
  // OCR central candidates too; they are flagged for review either way, so by default only the
  // border and the reach of its overlay blocks are read (each line read costs a Tesseract call).
  bool read_central_text = false;
  // A line continuing a border block joins the zone up to this many band depths from the edge
  // (overlay_blocks.hpp); 1 or less keeps the zone at the band.
  double overlay_block_reach = 2.0;
  // Redacted words on one row at most this many letter heights apart are filled as one span.
  double span_row_gap = 2.0;
  // A rival polarity is read only when the first guess's reading is below this mean confidence
  // or leaves a fifth of its strokes unread; above 100 every rival is read.
  double rival_reading_confidence = 80;
  // Crops are scaled so letters are this tall for Tesseract: its LSTM normalises line height
  // itself, so larger crops only cost layout time (24 reads the synth corpora as well as 32).
  int ocr_letter_height = 24;
  // Stage 7, PNG outputs: how the redacted image's lossless encoding is compressed
  // (io/png_encoding.hpp): kPngHuffmanOnly ("huffman") entropy-codes the filtered rows
  // without string matching, 0 stores them, 1-12 are libdeflate's levels.
  int png_compression = io::kPngHuffmanOnly;
  // Anatomy guard: an unreadable region no detector supports as text is not filled; when its
  // box covers at least this share of the image it is flagged for review, smaller ones are
  // dropped as not text. Only with the learned detector present (without it the stroke
  // detector's unreadable words are still filled, except regions this large: flagged).
  double large_unreadable_share = 0.01;
  // A PHI line that touches the redaction zone is redacted whole, to its last word, past the
  // zone (lines on one row, or bridged by one learned box, are one line); false: words only.
  bool whole_line = true;
  // Grow a redacted line's fill past its detected end while letters of constant ink go on
  // (line_ends.hpp): +2.4 points of border PHI recall on the TrueType dev sets, no pixel more on
  // text-free radiographs (docs/pixel-text.md, sixth pass).
  bool grow_line_ends = true;
  // Benchmark baseline only: Tesseract over the whole full-resolution image, no triage.
  bool whole_image_ocr = false;
};

// stored: read from a text plate or a line of constant ink that no other detector saw
// (unseen_text.hpp).
enum class Detector { stroke, tesseract, both, learned, stored };
const char* to_string(Detector detector);

enum class TextAction { redacted, kept, review };
const char* to_string(TextAction action);

// One detected word.
struct TextDetection {
  cv::Rect box;           // image pixels, as detected (the redaction adds padding)
  std::string text;       // Tesseract's reading; empty when only the stroke detector saw it
  float confidence = -1;  // Tesseract's word confidence 0..100; -1 when not read
  Detector found_by = Detector::stroke;
  Polarity polarity = Polarity::bright;
  bool in_border = false;  // wholly inside the redaction zone, or of a PHI line that touches it
  float text_probability = -1;  // the learned detector's score of the box covering it; -1 none
  WordClass word_class = WordClass::unreadable;
  std::string why;         // PHI-matching evidence
  bool phi = true;         // PHI or unreadable (fail safe)
  TextAction action = TextAction::review;
  int line = 0;            // index of the detected line it belongs to (words are in line order)
};

enum class ImageStatus { processed, invalid, not_medical };
const char* to_string(ImageStatus status);

// Everything the runner records for one image.
struct PixelResult {
  ImageStatus status = ImageStatus::invalid;
  std::string reason;                   // why invalid / not medical; empty when processed
  GateDecision gate;
  PixelImage image;                     // after redaction (stored sample type preserved)
  std::vector<TextDetection> text;      // every detected word with its verdict and action
  cv::Mat redaction_mask;               // CV_8UC1, 255 where pixels were replaced (empty when none)
  int redacted = 0, kept = 0, review = 0;
  bool learned_detector = false;        // false: the learned text detector did not run (degraded)
  // BurnedInAnnotation may be set to NO only when no PHI is known to remain (nothing flagged).
  bool burned_in_text_clean() const { return review == 0; }
  // Per stage: read + validate, gate (+ grey conversion), detection view + stroke detector +
  // matching, Tesseract, redaction; total is all of them and the bookkeeping between.
  long long ocr_calls = 0, ocr_pixels = 0;  // Tesseract recognitions for this image and their input pixels
  double seconds_read = 0, seconds_gate = 0, seconds_detect = 0, seconds_ocr = 0, seconds_redact = 0, seconds_total = 0;
  double seconds_learned = 0;  // the learned detector (part of seconds_detect)
};

class PixelPipeline {
 public:
  explicit PixelPipeline(PixelOptions options = {});

  // Stages 1-6 for one file. `values` adds identifying values known from elsewhere (PadChest's
  // CSV row) to those of the DICOM header.
  PixelResult process_file(const std::string& path, const IdentifyingValues& values = {});
  // Stages 2-6 for an image already read and validated.
  PixelResult process_image(PixelImage image, const IdentifyingValues& values = {});

  const PixelOptions& options() const { return options_; }
  // Empty when the learned text detector runs; else why not (the pipeline is then degraded).
  const std::string& degraded() const { return degraded_; }

 private:
  std::vector<TextDetection> detect_text(const PixelImage& image, const IdentifyingValues& values, PixelResult& timing);

  PixelOptions options_;
  std::unique_ptr<TesseractReader> reader_;
  std::unique_ptr<LearnedTextDetector> learned_;
  std::string degraded_;
};

}  // namespace medanon::pixel
