#pragma once
// Stage 4a, Tesseract 5's LSTM recogniser through its C++ API, one text-line crop at a time.
// Each C handle has exactly one owner: the engine (TessBaseAPI, End() then delete), Leptonica
// images (pixDestroy), result iterators and the strings Tesseract allocates (delete[]).

#include <opencv2/core.hpp>

#include <memory>
#include <string>
#include <vector>

struct Pix;
namespace tesseract {
class TessBaseAPI;
}

namespace medanon::pixel {

struct TessBaseApiDeleter {
  void operator()(tesseract::TessBaseAPI* api) const noexcept;
};
struct PixDeleter {
  void operator()(Pix* pix) const noexcept;
};
using TessBaseApiPtr = std::unique_ptr<tesseract::TessBaseAPI, TessBaseApiDeleter>;
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

// An 8-bit grey Leptonica image holding a copy of `grey` (CV_8UC1).
PixPtr pix_from_grey(const cv::Mat& grey);

struct OcrWord {
  std::string text;  // UTF-8 as recognised
  cv::Rect box;      // in the coordinates of the crop passed to read_line
  float confidence = 0;  // 0..100
};

struct TesseractOptions {
  // Debian's tesseract-ocr-eng installs here; override for other systems.
  std::string tessdata_dir = "/usr/share/tesseract-ocr/5/tessdata";
  std::string language = "eng";
};

class TesseractReader {
 public:
  // Throws InternalError when the language data cannot be loaded (a job-level setup fault).
  explicit TesseractReader(const TesseractOptions& options = {});

  // The words of one line of dark text on a light background (CV_8UC1).
  std::vector<OcrWord> read_line(const cv::Mat& crop);
  // The words of a block that may hold several lines (page segmentation on).
  std::vector<OcrWord> read_block(const cv::Mat& crop);
  // Recognitions run so far and the pixels they were given: the cost model of stage 4a.
  long long calls() const { return calls_; }
  long long pixels_read() const { return pixels_read_; }

 private:
  std::vector<OcrWord> read(const cv::Mat& crop, int page_segmentation_mode);
  TessBaseApiPtr api_;
  long long calls_ = 0, pixels_read_ = 0;
};

// The words of one line on `page` (CV_8UC1, dark text on white) whose letters are
// `letter_height` pixels tall: Tesseract reads it with the letters scaled to `read_height`
// (within 0.5-6x) and a white margin of half a letter round it, as on a printed page, which its
// line finder wants. Boxes are `page`'s pixels.
std::vector<OcrWord> read_line_at_scale(TesseractReader& reader, const cv::Mat& page, int letter_height, int read_height);

// Tesseract parallelises its LSTM with OpenMP; one rank per core wants one thread per rank.
// While one of these lives, every OpenMP parallel region runs on a team of one (the effect of
// OMP_THREAD_LIMIT=1, which libgomp only reads at start-up); the setting is put back after. Only
// round Tesseract's own calls: LibTorch's intra-op threads and OpenMP OpenBLAS run in the same
// process (anonymize's MAE stage, infer's lead-marker reader), and OpenBLAS waits for a team that
// a region of one never gives it: with the setting left on for the whole process (as it was
// before), `anonymize --mae-threads 2` hung in its first matrix product. The setting is the
// process's: scopes on several threads at once would race (each rank reads on one thread).
class OpenMpSerialScope {
 public:
  OpenMpSerialScope();
  ~OpenMpSerialScope();
  OpenMpSerialScope(const OpenMpSerialScope&) = delete;
  OpenMpSerialScope& operator=(const OpenMpSerialScope&) = delete;

 private:
  int (*get_)() = nullptr;
  void (*set_)(int) = nullptr;
  int levels_ = 0;
};

}  // namespace medanon::pixel
