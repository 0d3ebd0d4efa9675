#include "pixel/dual_text_detection.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "pixel/letter_evidence.hpp"

namespace medanon::pixel {
namespace {

struct OcrInView {
  cv::Rect box;  // view pixels
  std::string text;
  float confidence = 0;
  bool used = false;
};

// Tesseract reads one candidate line: its strokes only (the anatomy behind them removed),
// stretched, inverted to dark text on white, letters scaled to `letter_height` pixels.
std::vector<OcrInView> read_candidate(const DetectionView& view, const StrokeLine& line, const PixelOptions& options,
                                      TesseractReader& reader) {
  const int pad = std::max(4, line.letter_height / 2);
  const cv::Rect whole(0, 0, view.grey.cols, view.grey.rows);
  const cv::Rect crop = cv::Rect(line.box.x - pad, line.box.y - pad, line.box.width + 2 * pad, line.box.height + 2 * pad) & whole;
  // The response is computed on a wider window so the crop's edges see real surroundings.
  const int reach = options.strokes.structuring_element;
  const cv::Rect window = cv::Rect(crop.x - reach, crop.y - reach, crop.width + 2 * reach, crop.height + 2 * reach) & whole;
  const cv::Mat response = stroke_response(view.grey(window), line.polarity, options.strokes.structuring_element)(crop - window.tl());
  // Otsu between stroke and background response: Tesseract reads clean black-on-white best, and
  // the faint speckle of the anatomy's texture is gone.
  cv::Mat ink;
  cv::threshold(response, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);

  // Tesseract's word boxes sometimes take in a speck at the crop's edge above or below; the
  // stroke line measured the ink's rows, so a word may reach only a little past them. Otherwise
  // a word of the top band can grow across the zone's edge and be flagged instead of redacted.
  const int slack = std::max(2, line.letter_height / 4);
  const cv::Rect rows(crop.x, line.box.y - slack, crop.width, line.box.height + 2 * slack);
  std::vector<OcrInView> words;
  for (const OcrWord& word : read_line_at_scale(reader, ink, line.letter_height, options.ocr_letter_height)) {
    const cv::Rect box = (word.box + crop.tl()) & crop & rows;
    if (box.empty()) continue;
    words.push_back({box, word.text, word.confidence, false});
  }
  return words;
}

double covered_by(const cv::Rect& box, const std::vector<OcrInView>& words) {
  int covered = 0;
  for (const auto& w : words) covered += (box & w.box).area();
  return static_cast<double>(covered) / std::max(1, box.area());
}

// The share of a view box that detections (image pixels) already cover.
double covered_by(const cv::Rect& view_box, const std::vector<TextDetection>& detections, const DetectionView& view,
                  cv::Size image_size) {
  const cv::Rect box = view.to_image(view_box, image_size);
  int covered = 0;
  for (const auto& d : detections) covered += (box & d.box).area();
  return static_cast<double>(covered) / std::max(1, box.area());
}

// A learned box no stroke line explains, as a candidate line: one word over the ink inside it, the
// polarity whose stroke response is stronger there first, the other as its rival.
StrokeLine learned_candidate(const DetectionView& view, const LearnedBox& learned, const StrokeOptions& options) {
  const cv::Rect whole(0, 0, view.grey.cols, view.grey.rows);
  const int reach = options.structuring_element;
  const cv::Rect box = learned.box & whole;
  const cv::Rect window = cv::Rect(box.x - reach, box.y - reach, box.width + 2 * reach, box.height + 2 * reach) & whole;
  const double bright = cv::mean(stroke_response(view.grey(window), Polarity::bright, reach)(box - window.tl()))[0];
  const double dark = cv::mean(stroke_response(view.grey(window), Polarity::dark, reach)(box - window.tl()))[0];
  StrokeLine line;
  line.polarity = bright >= dark ? Polarity::bright : Polarity::dark;
  // DB boxes are unclipped well around the letters; the ink's own box (Otsu on the stroke
  // response) is the word, unless the strokes are too wide for the response to show them.
  cv::Mat ink;
  cv::threshold(stroke_response(view.grey(window), line.polarity, reach)(box - window.tl()), ink, 0, 255,
                cv::THRESH_BINARY | cv::THRESH_OTSU);
  const cv::Rect inked = cv::boundingRect(ink) + box.tl();
  line.box = inked.area() >= 0.25 * box.area() ? inked : box;
  line.letter_height = std::max(options.min_letter_height, line.box.height);
  line.words.push_back({line.box, std::max(1, line.box.width / std::max(1, line.letter_height))});
  line.contrast = std::max(bright, dark);
  StrokeLine rival = line;
  rival.polarity = line.polarity == Polarity::bright ? Polarity::dark : Polarity::bright;
  line.rivals.push_back(rival);
  return line;
}

double covered_by(const cv::Rect& box, const std::vector<cv::Rect>& boxes) {
  cv::Mat covered = cv::Mat::zeros(std::max(1, box.height), std::max(1, box.width), CV_8U);
  for (const cv::Rect& other : boxes) {
    const cv::Rect overlap = (other & box);
    if (!overlap.empty()) covered(overlap - box.tl()).setTo(1);
  }
  return static_cast<double>(cv::countNonZero(covered)) / std::max(1, box.area());
}

// The best learned score among boxes that cover at least half of `view_box`; -1 when none does.
// Only boxes of a line's shape (two letter heights wide at least) count: a PHI value is several
// letters wide, while a squarish or tall box nothing can read is as often a rib end, a vertebra
// or a speck of calcification. Nor do boxes with nothing letter-like inside (letter_evidence.hpp):
// the network also fires on the texture of a bright neck or a dark shoulder. (A stroke word
// much taller than the network's box, because it took in a plate's edge, is not supported here;
// the network's box then fills on its own: text_policy's unclaimed learned boxes.)
float learned_support(const cv::Rect& view_box, const std::vector<LearnedBox>& learned) {
  std::vector<cv::Rect> boxes;
  float best = -1;
  for (const LearnedBox& l : learned) {
    if ((l.box & view_box).empty() || l.box.width < 2 * l.box.height || !shows_letters(l)) continue;
    boxes.push_back(l.box);
    best = std::max(best, l.score);
  }
  return !boxes.empty() && covered_by(view_box, boxes) >= 0.5 ? best : -1.0f;
}

TextDetection make_detection(const DetectionView& view, cv::Size image_size, const cv::Rect& view_box,
                             Polarity polarity, Detector found_by) {
  TextDetection detection;
  detection.box = view.to_image(view_box, image_size);
  detection.polarity = polarity;
  detection.found_by = found_by;
  return detection;
}

// How much Tesseract made of a crop: confidence times characters read.
double reading_score(const std::vector<OcrInView>& words) {
  double score = 0;
  for (const auto& w : words) score += w.confidence * static_cast<double>(w.text.size());
  return score;
}

// A reading is confident when Tesseract read most of the line's stroke words with a mean
// confidence (weighted by characters) of at least `threshold`.
bool confident_reading(const std::vector<OcrInView>& words, const StrokeLine& line, double threshold) {
  if (words.empty() || threshold > 100) return false;
  double characters = 0, weighted = 0;
  for (const auto& w : words) characters += static_cast<double>(w.text.size()), weighted += w.confidence * static_cast<double>(w.text.size());
  if (characters == 0 || weighted / characters < threshold) return false;
  int stroke_area = 0, read_area = 0;
  for (const StrokeWord& word : line.words) {
    stroke_area += word.box.area();
    for (const auto& w : words) read_area += (word.box & w.box).area();
  }
  return read_area >= 0.8 * stroke_area;
}

// The parts of `box` (wider than half a letter) that no [from, to) interval covers.
std::vector<cv::Rect> uncovered_stretches(const cv::Rect& box, std::vector<std::pair<int, int>> covered, int letter_height) {
  std::sort(covered.begin(), covered.end());
  std::vector<cv::Rect> rest;
  int x = box.x;
  auto emit = [&](int to) {
    if (to - x > letter_height / 2) rest.emplace_back(x, box.y, to - x, box.height);
  };
  for (const auto& [from, to] : covered) {
    if (from > x) emit(std::min(from, box.br().x));
    x = std::max(x, to);
  }
  emit(box.br().x);
  return rest;
}

}  // namespace

double intersection_over_union(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  const double uni = static_cast<double>(a.area()) + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

std::vector<DetectedLine> detect_text_lines(const DetectionView& view, cv::Size image_size, const PixelOptions& options,
                                            TesseractReader* reader, double& ocr_seconds,
                                            const std::vector<LearnedBox>& learned_in_view) {
  const cv::Rect everything(0, 0, view.grey.cols, view.grey.rows);
  const BorderGeometry zone = border_geometry(image_size, options.enhance.border_fraction, options.border_margin_px);
  const BorderGeometry reach = border_geometry(image_size, options.enhance.border_fraction * std::max(1.0, options.overlay_block_reach),
                                               options.border_margin_px);
  std::vector<StrokeLine> candidates = detect_stroke_text(view.grey, everything, options.strokes);
  const size_t stroke_candidates = candidates.size();
  {
    std::vector<cv::Rect> stroke_words;
    for (const StrokeLine& line : candidates) {
      for (const StrokeWord& word : line.words) stroke_words.push_back(word.box);
    }
    // A learned box is explained when stroke words, grown as DB grows its boxes around the
    // letters, cover most of it.
    for (cv::Rect& word : stroke_words) {
      const int grow = std::max(2, cvRound(0.6 * word.height));
      word = cv::Rect(word.x - grow, word.y - grow, word.width + 2 * grow, word.height + 2 * grow);
    }
    for (const LearnedBox& learned : learned_in_view) {
      if (covered_by(learned.box, stroke_words) < 0.6) candidates.push_back(learned_candidate(view, learned, options.strokes));
    }
  }
  std::vector<DetectedLine> lines;
  for (size_t index = 0; index < candidates.size(); ++index) {
    const StrokeLine& candidate = candidates[index];
    // What only the stroke detector (or only the learned one) saw is recorded as found by it.
    const Detector unread_by = index < stroke_candidates ? Detector::stroke : Detector::learned;
    DetectedLine detected;
    detected.in_border = zone.in_border(view.to_image(candidate.box, image_size));
    std::vector<OcrInView> ocr;
    const StrokeLine* chosen = &candidate;
    // Central text is flagged for a person whatever it says, so reading it is optional; lines
    // a border block may still claim (overlay_blocks.hpp) are read like border lines.
    const bool read = detected.in_border || reach.in_border(view.to_image(candidate.box, image_size)) || options.read_central_text;
    if (reader != nullptr && read) {
      const auto start = std::chrono::steady_clock::now();
      ocr = read_candidate(view, candidate, options, *reader);
      // The polarity Tesseract reads with more confidence is the text's; a confident reading
      // of the first guess needs no second opinion (each costs a Tesseract call).
      for (const StrokeLine& rival : candidate.rivals) {
        if (confident_reading(ocr, candidate, options.rival_reading_confidence)) break;
        std::vector<OcrInView> rival_ocr = read_candidate(view, rival, options, *reader);
        if (reading_score(rival_ocr) > reading_score(ocr)) ocr = std::move(rival_ocr), chosen = &rival;
      }
      ocr_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    const StrokeLine& line = *chosen;
    for (const StrokeWord& word : line.words) {
      // The OCR word that is the same word (IoU), else the OCR words that explain most of it.
      auto best = ocr.end();
      double best_iou = 0;
      for (auto it = ocr.begin(); it != ocr.end(); ++it) {
        const double iou = intersection_over_union(word.box, it->box);
        if (iou > best_iou) best_iou = iou, best = it;
      }
      TextDetection detection = make_detection(view, image_size, word.box, line.polarity, unread_by);
      if (best != ocr.end() && best_iou >= options.merge_iou) {
        best->used = true;
        detection = make_detection(view, image_size, word.box | best->box, line.polarity, Detector::both);
        detection.text = best->text;
        detection.confidence = best->confidence;
      } else if (covered_by(word.box, ocr) >= 0.5) {
        // Tesseract split the stroke word (or the stroke detector joined words): its readings
        // replace the stroke word, and any stretch none of them covers stays as an unread
        // stroke word, so nothing the stroke detector saw is lost.
        std::vector<OcrInView*> readings;
        for (auto& w : ocr) {
          if ((w.box & word.box).area() * 2 >= w.box.area()) readings.push_back(&w);
        }
        std::sort(readings.begin(), readings.end(), [](const OcrInView* a, const OcrInView* b) { return a->box.x < b->box.x; });
        std::vector<std::pair<int, int>> covered;
        for (size_t r = 0; r < readings.size(); ++r) {
          OcrInView& w = *readings[r];
          w.used = true;
          // The readings together span the stroke word: a last letter Tesseract dropped or
          // read as punctuation ("4689002." for 46890023) is still ink to redact.
          cv::Rect box = w.box | cv::Rect(w.box.x, word.box.y, w.box.width, word.box.height);
          if (r == 0 && word.box.x < box.x) box = box | cv::Rect(word.box.x, box.y, 1, box.height);
          if (r + 1 == readings.size() && word.box.br().x > box.br().x) box = box | cv::Rect(word.box.br().x - 1, box.y, 1, box.height);
          TextDetection reading = make_detection(view, image_size, box, line.polarity, Detector::both);
          reading.text = w.text;
          reading.confidence = w.confidence;
          reading.in_border = zone.in_border(reading.box);
          detected.words.push_back(std::move(reading));
          covered.emplace_back(box.x, box.br().x);
        }
        for (const cv::Rect& rest : uncovered_stretches(word.box, covered, line.letter_height)) {
          TextDetection unread = make_detection(view, image_size, rest, line.polarity, unread_by);
          unread.in_border = zone.in_border(unread.box);
          detected.words.push_back(std::move(unread));
        }
        continue;
      }
      detection.in_border = zone.in_border(detection.box);
      detected.words.push_back(std::move(detection));
    }
    // When OCR preferred a rival, the words only the stroke detector's first guess found (the
    // digits beside a label whose letter gaps the rival saw) stay as unread stroke words. The
    // rivals' own words are not added back when the first guess wins: they are mostly the gaps
    // between its letters and the edges of its plate.
    if (chosen != &candidate) {
      for (const StrokeWord& word : candidate.words) {
        if (covered_by(word.box, detected.words, view, image_size) >= 0.5) continue;
        TextDetection unread = make_detection(view, image_size, word.box, candidate.polarity, unread_by);
        unread.in_border = zone.in_border(unread.box);
        detected.words.push_back(std::move(unread));
      }
    }
    // Words only Tesseract saw (a letter the stroke detector dropped, a word beside it).
    for (const OcrInView& w : ocr) {
      // Elsewhere in the padded crop Tesseract also "reads" edges and specks: only confident,
      // real words of three characters or more count. Two-letter readings ('rT', 'ih') of a
      // speck or an edge were what most often seeded filled lines on text-free radiographs;
      // names, IDs and dates are longer, and their initials stand beside them.
      if (w.used || w.confidence < options.phi.min_confidence || alphanumerics(w.text) < 3) continue;
      TextDetection detection = make_detection(view, image_size, w.box, line.polarity, Detector::tesseract);
      detection.text = w.text;
      detection.confidence = w.confidence;
      detection.in_border = zone.in_border(detection.box);
      detected.words.push_back(std::move(detection));
    }
    for (TextDetection& word : detected.words) word.text_probability = learned_support(view.to_view(word.box), learned_in_view);
    std::sort(detected.words.begin(), detected.words.end(),
              [](const TextDetection& a, const TextDetection& b) { return a.box.x < b.box.x; });
    lines.push_back(std::move(detected));
  }
  return lines;
}

std::vector<DetectedLine> detect_text_whole_image(const DetectionView& view, cv::Size image_size,
                                                  const PixelOptions& options, TesseractReader& reader,
                                                  double& ocr_seconds) {
  const BorderGeometry zone = border_geometry(image_size, options.enhance.border_fraction, options.border_margin_px);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<OcrWord> words = reader.read_block(view.grey);
  ocr_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<DetectedLine> lines;
  for (const OcrWord& word : words) {
    DetectedLine line;
    TextDetection detection = make_detection(view, image_size, word.box, Polarity::dark, Detector::tesseract);
    detection.text = word.text;
    detection.confidence = word.confidence;
    detection.in_border = line.in_border = zone.in_border(detection.box);
    line.words.push_back(std::move(detection));
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace medanon::pixel
