#include "app/pixel_options.hpp"

#include <map>
#include <string>

#include "io/png_encoding.hpp"

namespace medanon::app {

void add_pixel_options(CLI::App& command, pixel::PixelOptions& options) {
  command.add_option("--border-fraction", options.enhance.border_fraction,
                     "share of each side treated as border: CLAHE, detection and the redaction zone")
      ->check(CLI::Range(0.01, 0.5))
      ->capture_default_str();
  command.add_option("--border-margin", options.border_margin_px, "the redaction zone is at least this many pixels deep")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  command.add_option("--padding", options.redaction.padding_px, "pixels added around each redacted word box")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  command.add_option("--padding-fraction", options.redaction.padding_fraction,
                     "or this share of the word's height, whichever is larger")
      ->check(CLI::Range(0.0, 2.0))
      ->capture_default_str();
  static const std::map<std::string, pixel::FillMethod> kFills = {{"solid", pixel::FillMethod::solid},
                                                                  {"telea", pixel::FillMethod::telea}};
  command.add_option("--fill", options.redaction.method, "how redacted pixels are replaced: solid | telea")
      ->transform(CLI::CheckedTransformer(kFills, CLI::ignore_case))
      ->capture_default_str();
  command.add_option("--merge-iou", options.merge_iou, "IoU at which a stroke word and an OCR word are one detection")
      ->check(CLI::Range(0.05, 1.0))
      ->capture_default_str();
  command.add_option("--overlay-block-reach", options.overlay_block_reach,
                     "lines continuing a border block are redacted up to this many band depths from the edge (<= 1: off)")
      ->check(CLI::Range(0.0, 3.3))
      ->capture_default_str();
  command.add_option("--span-row-gap", options.span_row_gap,
                     "redacted words on one row at most this many letter heights apart are filled as one span")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  command.add_option("--min-ocr-confidence", options.phi.min_confidence,
                     "Tesseract word confidence below which border text is unreadable (and so PHI)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  command.add_option("--keep-technical", options.keep_technical, "keep technical markers (L, R, PA, KV, mAs...) in the border")
      ->capture_default_str();
  command.add_option("--read-central-text", options.read_central_text,
                     "run OCR on central candidates too (they are flagged for review either way)")
      ->capture_default_str();
  command.add_option("--rival-reading-confidence", options.rival_reading_confidence,
                     "read the other polarity of a line only when the first reading's confidence is below this (> 100: always)")
      ->check(CLI::Range(0.0, 101.0))
      ->capture_default_str();
  command.add_option("--ocr-letter-height", options.ocr_letter_height, "letter height (pixels) crops are scaled to for Tesseract")
      ->check(CLI::Range(12, 96))
      ->capture_default_str();
  command.add_option("--png-compression", options.png_compression,
                     "PNG outputs (lossless): huffman (entropy coding only: fast, as small as level 1 on radiographs), "
                     "0 stored (fastest, largest), 1-12 libdeflate levels (string matching: smaller for flat images)")
      ->transform(CLI::Transformer(std::map<std::string, int>{{"huffman", io::kPngHuffmanOnly}}).description(""))
      ->check(CLI::Range(io::kPngHuffmanOnly, 12).description(""))
      ->type_name("huffman|0..12")
      ->default_str(options.png_compression == io::kPngHuffmanOnly ? "huffman" : std::to_string(options.png_compression));
  command.add_option("--text-detector", options.learned.enabled,
                     "run the learned text detector (PP-OCRv4 det) on the border bands; without it the stages run degraded")
      ->capture_default_str();
  command.add_option("--text-detector-model", options.learned.model_path,
                     "the rewritten ONNX model (default: models/fetched/ppocrv4_det_opencv.onnx, see scripts/fetch-text-detector.sh)");
  command.add_option("--text-detector-band-rows", options.learned.band_rows,
                     "network rows per border band: the band is scaled to this depth (more: small letters, slower)")
      ->check(CLI::Range(32, 2048))
      ->capture_default_str();
  command.add_option("--text-detector-central-size", options.learned.central_size,
                     "search the centre for text to flag for review, its longer side scaled to this many network "
                     "pixels (never enlarged; 0: no central search)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  command.add_option("--text-detector-box-threshold", options.learned.box_threshold,
                     "mean text probability inside a learned box below which it is dropped (DB box score)")
      ->check(CLI::Range(0.05, 1.0))
      ->capture_default_str();
  command.add_option("--whole-line", options.whole_line,
                     "redact a PHI line that touches the zone to its last word, past the zone")
      ->capture_default_str();
  command.add_option("--grow-line-ends", options.grow_line_ends,
                     "fill a redacted line past its detected end while letters of constant ink go on")
      ->capture_default_str();
  command.add_option("--large-unreadable-share", options.large_unreadable_share,
                     "an unread region no detector supports is flagged for review when its box covers this share of the image")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command.add_option("--tessdata", options.tesseract.tessdata_dir, "Tesseract language data folder")->capture_default_str();
  command.add_option("--ocr-language", options.tesseract.language, "Tesseract language")->capture_default_str();
}

}  // namespace medanon::app
