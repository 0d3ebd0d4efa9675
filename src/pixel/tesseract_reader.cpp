#include "pixel/tesseract_reader.hpp"

#include <dlfcn.h>
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>

#include "core/errors.hpp"

namespace medanon::pixel {

void TessBaseApiDeleter::operator()(tesseract::TessBaseAPI* api) const noexcept {
  api->End();
  delete api;
}

void PixDeleter::operator()(Pix* pix) const noexcept { pixDestroy(&pix); }

namespace {

struct IteratorDeleter {
  void operator()(tesseract::ResultIterator* iterator) const noexcept { delete iterator; }
};
struct TextDeleter {
  void operator()(char* text) const noexcept { delete[] text; }
};

}  // namespace

OpenMpSerialScope::OpenMpSerialScope() {
  // libgomp parses OMP_THREAD_LIMIT when it is loaded, before main(), so setting the variable
  // now is too late. With max-active-levels 0 every parallel region runs on a team of one
  // (OpenMP 5.0 2.6.1), the same effect. Looked up at run time: the symbols are only there when
  // the Tesseract build uses OpenMP (Debian's does), and we need not link libgomp ourselves.
  get_ = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "omp_get_max_active_levels"));
  set_ = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "omp_set_max_active_levels"));
  if (get_ == nullptr || set_ == nullptr) return;
  levels_ = get_();
  set_(0);
}

OpenMpSerialScope::~OpenMpSerialScope() {
  if (get_ != nullptr && set_ != nullptr) set_(levels_);
}

PixPtr pix_from_grey(const cv::Mat& grey) {
  PixPtr pix(pixCreate(grey.cols, grey.rows, 8));
  if (!pix) throw InternalError("leptonica: cannot allocate a " + std::to_string(grey.cols) + "x" + std::to_string(grey.rows) + " image");
  l_uint32* data = pixGetData(pix.get());
  const int words_per_line = pixGetWpl(pix.get());
  for (int y = 0; y < grey.rows; ++y) {
    const auto* row = grey.ptr<std::uint8_t>(y);
    l_uint32* line = data + static_cast<std::ptrdiff_t>(y) * words_per_line;
    // Leptonica packs pixels big-endian within 32-bit words; its macro hides the byte order.
    for (int x = 0; x < grey.cols; ++x) SET_DATA_BYTE(line, x, row[x]);
  }
  return pix;
}

TesseractReader::TesseractReader(const TesseractOptions& options) : api_(new tesseract::TessBaseAPI) {
  const OpenMpSerialScope serial;
  // Names, IDs and dates are not dictionary words: the word lists would only pull readings
  // towards English, and loading them costs time on every start.
  std::vector<std::string> names = {"load_system_dawg", "load_freq_dawg"};
  std::vector<std::string> values = {"0", "0"};
  if (api_->Init(options.tessdata_dir.c_str(), options.language.c_str(), tesseract::OEM_LSTM_ONLY, nullptr, 0, &names,
                 &values, false) != 0) {
    // Init failed: End() on a half-initialised API is still safe, so the deleter stays.
    throw InternalError("tesseract: cannot load language '" + options.language + "' from " + options.tessdata_dir);
  }
  // Crops are inverted by the caller to dark-on-light, so Tesseract's second, inverted pass
  // for low-confidence lines would only double the time.
  api_->SetVariable("tessedit_do_invert", "0");
  // Crops carry no resolution; state one so Tesseract does not warn and guess.
  api_->SetVariable("user_defined_dpi", "300");
  api_->SetVariable("debug_file", "/dev/null");
}

std::vector<OcrWord> TesseractReader::read_line(const cv::Mat& crop) { return read(crop, tesseract::PSM_SINGLE_LINE); }

std::vector<OcrWord> TesseractReader::read_block(const cv::Mat& crop) { return read(crop, tesseract::PSM_SPARSE_TEXT); }

std::vector<OcrWord> read_line_at_scale(TesseractReader& reader, const cv::Mat& page, int letter_height, int read_height) {
  const double factor = std::clamp(static_cast<double>(read_height) / std::max(1, letter_height), 0.5, 6.0);
  cv::Mat scaled;
  cv::resize(page, scaled, cv::Size(), factor, factor, factor < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
  const int margin = read_height / 2;
  cv::copyMakeBorder(scaled, scaled, margin, margin, margin, margin, cv::BORDER_CONSTANT, cv::Scalar(255));
  std::vector<OcrWord> words = reader.read_line(scaled);
  for (OcrWord& word : words)
    word.box = cv::Rect(cvFloor((word.box.x - margin) / factor), cvFloor((word.box.y - margin) / factor),
                        cvCeil(word.box.width / factor), cvCeil(word.box.height / factor));
  return words;
}

std::vector<OcrWord> TesseractReader::read(const cv::Mat& crop, int page_segmentation_mode) {
  std::vector<OcrWord> words;
  if (crop.empty()) return words;
  ++calls_, pixels_read_ += static_cast<long long>(crop.total());
  const OpenMpSerialScope serial;
  api_->SetPageSegMode(static_cast<tesseract::PageSegMode>(page_segmentation_mode));
  const PixPtr pix = pix_from_grey(crop);
  api_->SetImage(pix.get());  // Tesseract keeps a clone; ours is freed at scope end
  if (api_->Recognize(nullptr) != 0) return words;
  std::unique_ptr<tesseract::ResultIterator, IteratorDeleter> iterator(api_->GetIterator());
  if (!iterator) return words;
  do {
    std::unique_ptr<char, TextDeleter> text(iterator->GetUTF8Text(tesseract::RIL_WORD));
    if (!text) continue;
    int left = 0, top = 0, right = 0, bottom = 0;
    if (!iterator->BoundingBox(tesseract::RIL_WORD, &left, &top, &right, &bottom)) continue;
    words.push_back({text.get(), cv::Rect(left, top, right - left, bottom - top), iterator->Confidence(tesseract::RIL_WORD)});
  } while (iterator->Next(tesseract::RIL_WORD));
  api_->Clear();
  return words;
}

}  // namespace medanon::pixel
