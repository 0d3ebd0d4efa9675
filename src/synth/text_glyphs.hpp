#pragma once
// One word of burned-in text as an 8-bit coverage stamp: what cv::putText would paint, cropped
// to the pixels it really touches, positioned relative to the pen's baseline origin. Stamps are
// made before anything is drawn, so lines can be laid out from the glyphs' true extents.

#include <opencv2/core.hpp>
#include <string>

namespace medanon::synth {

struct GlyphStyle {
  int face = 0;        // cv::HersheyFonts value, possibly | cv::FONT_ITALIC
  double scale = 1.0;  // cv::putText fontScale
  int thickness = 1;
  bool antialiased = true;  // LINE_AA, or LINE_8 as many scanners' overlays are
  double blur_sigma = 0;    // resampling softness after the overlay was burned in
};

struct WordStamp {
  cv::Mat coverage;  // CV_8UC1, 255 = fully text, tight around non-zero pixels (may be empty)
  cv::Point offset;  // top-left of `coverage` relative to the baseline origin
  int advance = 0;   // how far the pen moves for this word
};

WordStamp stamp_word(const std::string& word, const GlyphStyle& style);

// The font scale that gives capital letters `cap_height_px` in `face`.
double scale_for_cap_height(int face, double cap_height_px);

// Width of a space in this style, in pixels.
int space_width(const GlyphStyle& style);

}  // namespace medanon::synth
