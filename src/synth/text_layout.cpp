#include "synth/text_layout.hpp"

#include <algorithm>

namespace medanon::synth {

bool in_border_band(const cv::Rect& block, cv::Size image, double band) {
  const double bx = band * image.width, by = band * image.height;
  return block.br().x <= bx || block.x >= image.width - bx || block.br().y <= by || block.y >= image.height - by;
}

TextPlacer::TextPlacer(cv::Size image, double band, cv::Point margin, int min_gap)
    : image_(image), band_(band), margin_(margin), min_gap_(min_gap) {}

std::optional<cv::Rect> TextPlacer::try_anchor(Anchor anchor, cv::Size size) const {
  const int stack = stack_[static_cast<size_t>(anchor)];
  int x = 0, y = 0;
  switch (anchor) {
    case Anchor::top_left:
    case Anchor::bottom_left:
    case Anchor::left_middle:
      x = margin_.x;
      break;
    case Anchor::top_right:
    case Anchor::bottom_right:
    case Anchor::right_middle:
      x = image_.width - margin_.x - size.width;
      break;
    case Anchor::top_centre:
    case Anchor::bottom_centre:
      x = (image_.width - size.width) / 2;
      break;
  }
  switch (anchor) {
    case Anchor::top_left:
    case Anchor::top_right:
    case Anchor::top_centre:
      y = margin_.y + stack;
      break;
    case Anchor::bottom_left:
    case Anchor::bottom_right:
    case Anchor::bottom_centre:
      y = image_.height - margin_.y - stack - size.height;
      break;
    // Side markers hang at the level of the upper lung fields.
    case Anchor::left_middle:
    case Anchor::right_middle:
      y = image_.height * 3 / 10 + stack;
      break;
  }
  const cv::Rect block(x, y, size.width, size.height);
  if ((block & cv::Rect(0, 0, image_.width, image_.height)) != block) return std::nullopt;
  if (!in_border_band(block, image_, band_) || !is_free(block)) return std::nullopt;
  return block;
}

std::optional<cv::Rect> TextPlacer::try_central(cv::Size size, Rng& rng) const {
  // First the middle half of the image, then anywhere clear of the border bands.
  for (const double inset : {0.25, band_}) {
    const int x0 = static_cast<int>(inset * image_.width) + 1, y0 = static_cast<int>(inset * image_.height) + 1;
    const int x1 = image_.width - x0 - size.width, y1 = image_.height - y0 - size.height;
    if (x1 < x0 || y1 < y0) continue;
    for (int attempt = 0; attempt < 10; ++attempt) {
      const cv::Rect block(rng.uniform_int(x0, x1), rng.uniform_int(y0, y1), size.width, size.height);
      if (is_free(block)) return block;
    }
  }
  return std::nullopt;
}

void TextPlacer::reserve(const cv::Rect& block, std::optional<Anchor> anchor, int line_gap) {
  taken_.push_back(block);
  if (anchor) {
    int& stack = stack_[static_cast<size_t>(*anchor)];
    stack += block.height + line_gap;
  }
}

bool TextPlacer::is_free(const cv::Rect& block) const {
  const cv::Rect padded(block.x - min_gap_, block.y - min_gap_, block.width + 2 * min_gap_,
                        block.height + 2 * min_gap_);
  return std::none_of(taken_.begin(), taken_.end(), [&](const cv::Rect& t) { return (t & padded).area() > 0; });
}

}  // namespace medanon::synth
