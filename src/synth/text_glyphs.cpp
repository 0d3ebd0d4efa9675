#include "synth/text_glyphs.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace medanon::synth {

WordStamp stamp_word(const std::string& word, const GlyphStyle& style) {
  int baseline = 0;
  const cv::Size text = cv::getTextSize(word, style.face, style.scale, style.thickness, &baseline);
  // Hershey strokes and the blur reach beyond getTextSize's box; the margin keeps them whole.
  const int pad = style.thickness + 2 + static_cast<int>(std::ceil(3 * style.blur_sigma));
  cv::Mat canvas = cv::Mat::zeros(text.height + baseline + 2 * pad + style.thickness, text.width + 2 * pad, CV_8UC1);
  const cv::Point origin(pad, pad + text.height);
  cv::putText(canvas, word, origin, style.face, style.scale, cv::Scalar(255), style.thickness,
              style.antialiased ? cv::LINE_AA : cv::LINE_8);
  if (style.blur_sigma > 0) cv::GaussianBlur(canvas, canvas, cv::Size(0, 0), style.blur_sigma);

  WordStamp stamp;
  stamp.advance = text.width;
  const cv::Rect ink = cv::boundingRect(canvas);
  if (ink.empty()) return stamp;
  stamp.coverage = canvas(ink).clone();
  stamp.offset = ink.tl() - origin;
  return stamp;
}

double scale_for_cap_height(int face, double cap_height_px) {
  int baseline = 0;
  const int unit_height = cv::getTextSize("H", face, 1.0, 1, &baseline).height;
  return cap_height_px / std::max(1, unit_height);
}

int space_width(const GlyphStyle& style) {
  int baseline = 0;
  // getTextSize(" ") reports the advance of a space in Hershey fonts.
  return std::max(2, cv::getTextSize(" ", style.face, style.scale, style.thickness, &baseline).width);
}

}  // namespace medanon::synth
