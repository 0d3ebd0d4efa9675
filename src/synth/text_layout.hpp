#pragma once
// Where overlay lines go. Real overlays stack lines in the image's corners and along its
// edges (patient block top left, technique bottom left, side marker at the lateral edge),
// inside the border bands; a few films carry one line near the centre. The placer keeps
// every line inside the image and apart from every other line.

#include <array>
#include <opencv2/core.hpp>
#include <optional>
#include <vector>

#include "synth/random.hpp"

namespace medanon::synth {

enum class Anchor {
  top_left,
  top_right,
  bottom_left,
  bottom_right,
  top_centre,
  bottom_centre,
  left_middle,
  right_middle
};
constexpr int kAnchorCount = 8;

// True when `block` lies wholly within the outer `band` fraction of one side of `image`.
bool in_border_band(const cv::Rect& block, cv::Size image, double band);

class TextPlacer {
 public:
  TextPlacer(cv::Size image, double band, cv::Point margin, int min_gap);

  // Where a block of `size` goes on top of `anchor`'s stack, if it stays inside the image and
  // the border band and clear of every block placed so far.
  std::optional<cv::Rect> try_anchor(Anchor anchor, cv::Size size) const;
  // A free spot near the centre, outside the border bands.
  std::optional<cv::Rect> try_central(cv::Size size, Rng& rng) const;

  // Takes `block`; on an anchor, that anchor's stack grows by the block and `line_gap`.
  void reserve(const cv::Rect& block, std::optional<Anchor> anchor, int line_gap);

 private:
  bool is_free(const cv::Rect& block) const;

  cv::Size image_;
  double band_;
  cv::Point margin_;
  int min_gap_;
  std::array<int, kAnchorCount> stack_{};  // how far each anchor's stack reaches from its edge
  std::vector<cv::Rect> taken_;
};

}  // namespace medanon::synth
