#pragma once
// Small images the pixel tests make themselves: radiograph-like backgrounds with text drawn
// where the test wants it, and one tiny synth corpus (with its bad files) shared per run.

#include <opencv2/core.hpp>

#include <filesystem>
#include <string>

namespace medanon::pixel::testing {

// A smooth, noisy 16-bit "radiograph": dark edges, brighter middle, values below 2^12.
cv::Mat radiograph_like(cv::Size size, unsigned seed = 1);

// Writes `text` with cv::putText (Hershey simplex) at `origin` (baseline left) in `value`,
// letters `cap_height` pixels tall; returns the tight box of the changed pixels.
cv::Rect draw_text(cv::Mat& pixels, const std::string& text, cv::Point origin, int cap_height, int value);

// A 4-image synth corpus (2 PNG, 2 DICOM) at 192 rows, bad files included; made once per run.
const std::filesystem::path& tiny_corpus();

}  // namespace medanon::pixel::testing
