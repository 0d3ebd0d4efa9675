// burn_text: lays out and paints an overlay's lines, and reports the tight box of every word.

#include "synth/burned_text.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <set>
#include <stdexcept>

#include "synth/text_glyphs.hpp"
#include "synth/text_layout.hpp"

namespace medanon::synth {
namespace {

const std::set<std::string> kPhiFields = {"PatientName", "PatientID",       "BirthDate",
                                          "StudyDate",   "AccessionNumber", "InstitutionName"};

// One image's overlay look: scanners and PACS exports each use one font and size throughout.
struct OverlayStyle {
  GlyphStyle glyphs;
  double cap_height = 0;
  bool bright = true;
  int line_gap = 0;
};

// How one line is painted, in stored pixel values.
struct LineInk {
  bool bright = true;
  double text = 0;
  std::optional<double> plate;  // a uniform box behind the line
};

// A line's word stamps placed relative to the line block's top-left corner.
struct LineBlock {
  std::vector<WordStamp> stamps;
  std::vector<cv::Point> at;
  std::vector<size_t> word;  // index into TextLine::words of each stamp
  cv::Size size;
};

OverlayStyle choose_style(cv::Size image, Rng& rng) {
  static const std::vector<int> kFaces = {cv::FONT_HERSHEY_SIMPLEX, cv::FONT_HERSHEY_DUPLEX,
                                          cv::FONT_HERSHEY_COMPLEX, cv::FONT_HERSHEY_TRIPLEX,
                                          cv::FONT_HERSHEY_PLAIN,   cv::FONT_HERSHEY_COMPLEX_SMALL};
  OverlayStyle style;
  style.glyphs.face = rng.pick(kFaces) | (rng.bernoulli(0.05) ? cv::FONT_ITALIC : 0);
  // Capitals 12-30 px tall on a 1024-row image, whatever the image's size; below 7 px no
  // overlay is legible, so none is drawn smaller.
  style.cap_height = std::max(7.0, image.height * rng.uniform(12, 30) / 1024.0);
  style.glyphs.scale = scale_for_cap_height(style.glyphs.face, style.cap_height);
  const int thickest = std::max(3, static_cast<int>(style.cap_height / 12));
  style.glyphs.thickness =
      std::clamp(static_cast<int>(std::lround(style.cap_height * rng.uniform(0.05, 0.13))), 1, thickest);
  style.glyphs.antialiased = rng.bernoulli(0.7);
  style.glyphs.blur_sigma = rng.bernoulli(0.25) ? rng.uniform(0.3, 0.8) * style.cap_height / 20 : 0.0;
  style.bright = rng.bernoulli(0.7);
  style.line_gap = static_cast<int>(style.cap_height * rng.uniform(0.35, 0.8)) + 2;
  return style;
}

LineBlock lay_out(const TextLine& line, const GlyphStyle& glyphs, int plate_pad) {
  LineBlock block;
  const int space = space_width(glyphs);
  int pen = 0, right = 0, top = 0, bottom = 0;
  for (size_t i = 0; i < line.words.size(); ++i) {
    if (line.words[i].empty()) continue;
    WordStamp stamp = stamp_word(line.words[i], glyphs);
    if (stamp.coverage.empty()) continue;
    // Never let a word's ink touch the previous word's, whatever the font's side bearings.
    if (!block.stamps.empty()) pen = std::max(pen, right + 2 - stamp.offset.x);
    block.at.push_back({pen + stamp.offset.x, stamp.offset.y});
    right = pen + stamp.offset.x + stamp.coverage.cols;
    top = std::min(top, stamp.offset.y);
    bottom = std::max(bottom, stamp.offset.y + stamp.coverage.rows);
    pen += stamp.advance + space;
    block.word.push_back(i);
    block.stamps.push_back(std::move(stamp));
  }
  if (block.stamps.empty()) return block;
  const int left = block.at.front().x;
  for (auto& p : block.at) p -= cv::Point(left - plate_pad, top - plate_pad);
  block.size = {right - left + 2 * plate_pad, bottom - top + 2 * plate_pad};
  return block;
}

// Bright text needs a darker surround and dark text a brighter one; where the film does not
// offer it, the overlay brings its own plate, as PACS annotation boxes do.
LineInk choose_ink(bool bright, double background, double max_value, Rng& rng) {
  // Every draw is made whatever the film looks like, so the text stream stays in step when
  // objects or anatomy change the pixels under a line; only the outcome depends on them.
  const bool faint = rng.bernoulli(0.2);
  const bool volunteered_plate = rng.bernoulli(bright ? 0.12 : 0.6);
  const double plate_draw = rng.uniform(), text_draw = rng.uniform();
  const auto between = [](double lo, double hi, double u) { return lo + (hi - lo) * u; };

  LineInk ink;
  ink.bright = bright;
  double surround = background;
  if (bright) {
    if (background > 0.65 * max_value || volunteered_plate)
      surround = *(ink.plate = max_value * between(0, 0.12, plate_draw));
    ink.text = faint ? surround + (max_value - surround) * between(0.25, 0.5, text_draw)
                     : max_value * between(0.8, 1.0, text_draw);
  } else {
    if (background < 0.55 * max_value || volunteered_plate) {
      surround = *(ink.plate = max_value * (faint ? between(0.55, 0.75, plate_draw) : between(0.7, 1.0, plate_draw)));
    }
    ink.text = faint ? surround - max_value * between(0.2, 0.35, text_draw) : max_value * between(0.0, 0.2, text_draw);
  }
  ink.text = std::clamp(ink.text, 0.0, max_value);
  return ink;
}

// Paints one stamp over `pixels` and returns the box of the pixels whose stored value changed.
template <class T>
cv::Rect composite(cv::Mat& pixels, const cv::Mat& coverage, cv::Point at, double level, int max_value) {
  int x0 = pixels.cols, y0 = pixels.rows, x1 = -1, y1 = -1;
  for (int y = 0; y < coverage.rows; ++y) {
    const std::uint8_t* cover = coverage.ptr<std::uint8_t>(y);
    T* row = pixels.ptr<T>(at.y + y) + at.x;
    for (int x = 0; x < coverage.cols; ++x) {
      if (cover[x] == 0) continue;
      const double old = row[x];
      const int painted = std::clamp(cvRound(old + (level - old) * (cover[x] / 255.0)), 0, max_value);
      if (painted == row[x]) continue;
      row[x] = static_cast<T>(painted);
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  }
  if (x1 < 0) return {};
  return {at.x + x0, at.y + y0, x1 - x0 + 1, y1 - y0 + 1};
}

std::vector<TextBox> paint_line(cv::Mat& pixels, int max_value, const TextLine& line, const LineBlock& block,
                                const cv::Rect& where, const LineInk& ink, bool central) {
  if (ink.plate) pixels(where).setTo(cv::Scalar(*ink.plate));
  std::vector<TextBox> boxes;
  for (size_t s = 0; s < block.stamps.size(); ++s) {
    const cv::Point at = where.tl() + block.at[s];
    const cv::Rect changed = pixels.depth() == CV_8U
                                 ? composite<std::uint8_t>(pixels, block.stamps[s].coverage, at, ink.text, max_value)
                                 : composite<std::uint16_t>(pixels, block.stamps[s].coverage, at, ink.text, max_value);
    if (changed.empty()) continue;  // invisible on this background: nothing to find
    const size_t w = block.word[s];
    TextBox box;
    box.text = line.words[w];
    box.phi = w < line.phi.size() && line.phi[w];
    // Labels such as "DOB:" sit in PHI lines but identify no one.
    box.field = !box.phi && kPhiFields.count(line.field) ? "Label" : line.field;
    box.box = changed;
    box.central = central;
    box.bright = ink.bright;
    boxes.push_back(box);
  }
  return boxes;
}

Anchor pick_anchor(const std::vector<std::pair<Anchor, double>>& weights, Rng& rng) {
  double total = 0;
  for (const auto& w : weights) total += w.second;
  double draw = rng.uniform(0, total);
  for (const auto& w : weights) {
    if ((draw -= w.second) < 0) return w.first;
  }
  return weights.back().first;
}

// Where each kind of line usually sits on real films.
std::vector<Anchor> home_anchors(const std::vector<TextLine>& lines, Rng& rng) {
  using A = Anchor;
  const A patient = pick_anchor({{A::top_left, .35},
                                 {A::top_right, .25},
                                 {A::bottom_left, .15},
                                 {A::bottom_right, .1},
                                 {A::top_centre, .1},
                                 {A::bottom_centre, .05}},
                                rng);
  const A study =
      rng.bernoulli(0.6)
          ? patient
          : pick_anchor({{A::top_right, .35}, {A::top_left, .2}, {A::bottom_right, .25}, {A::bottom_left, .2}}, rng);
  const A technique = pick_anchor(
      {{A::bottom_left, .35}, {A::bottom_right, .35}, {A::top_left, .1}, {A::top_right, .1}, {A::bottom_centre, .1}},
      rng);
  // The patient's left is on the image's right.
  const A left_marker = pick_anchor(
      {{A::right_middle, .35}, {A::top_right, .3}, {A::bottom_right, .15}, {A::top_centre, .1}, {A::top_left, .1}},
      rng);
  const A right_marker = pick_anchor(
      {{A::left_middle, .35}, {A::top_left, .3}, {A::bottom_left, .15}, {A::top_centre, .1}, {A::top_right, .1}}, rng);
  const A view = pick_anchor(
      {{A::top_centre, .3}, {A::top_right, .2}, {A::top_left, .2}, {A::bottom_right, .15}, {A::bottom_left, .15}}, rng);
  std::vector<Anchor> homes;
  for (const auto& line : lines) {
    const std::string first = line.words.empty() ? "" : line.words.front();
    if (line.field == "PatientName" || line.field == "PatientID" || line.field == "BirthDate")
      homes.push_back(patient);
    else if (kPhiFields.count(line.field))
      homes.push_back(study);
    else if (line.field == "Technique")
      homes.push_back(technique);
    else if (first == "L")
      homes.push_back(left_marker);
    else if (first == "R")
      homes.push_back(right_marker);
    else
      homes.push_back(view);
  }
  return homes;
}

// Bottom stacks grow upwards from the edge, so their lines are placed last first and still
// read top to bottom.
std::vector<size_t> placing_order(const std::vector<Anchor>& homes) {
  std::vector<size_t> order(homes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (Anchor bottom : {Anchor::bottom_left, Anchor::bottom_right, Anchor::bottom_centre}) {
    std::vector<size_t> stacked;
    for (size_t i = 0; i < homes.size(); ++i) {
      if (homes[i] == bottom) stacked.push_back(i);
    }
    for (size_t k = 0; k < stacked.size(); ++k) order[stacked[k]] = stacked[stacked.size() - 1 - k];
  }
  return order;
}

// The line's home anchor first; when that is full, the others in random order.
std::vector<Anchor> anchors_to_try(Anchor home, Rng& rng) {
  std::vector<Anchor> order{home};
  for (int a = 0; a < kAnchorCount; ++a) {
    if (static_cast<Anchor>(a) != home) order.push_back(static_cast<Anchor>(a));
  }
  for (size_t a = order.size() - 1; a > 1; --a) {
    std::swap(order[a], order[static_cast<size_t>(rng.uniform_int(1, static_cast<int>(a)))]);
  }
  return order;
}

}  // namespace

std::vector<TextBox> burn_text(cv::Mat& pixels, int max_value, const std::vector<TextLine>& lines, Rng& rng) {
  if (pixels.type() != CV_8UC1 && pixels.type() != CV_16UC1) {
    throw std::invalid_argument("burn_text: pixels must be CV_8UC1 or CV_16UC1");
  }
  const int type_max = pixels.depth() == CV_8U ? 255 : 65535;
  if (max_value <= 0 || max_value > type_max) throw std::invalid_argument("burn_text: max_value out of range");
  std::vector<TextBox> boxes;
  if (lines.empty() || pixels.empty()) return boxes;

  const OverlayStyle style = choose_style(pixels.size(), rng);
  const double band = rng.bernoulli(0.9) ? 0.15 : 0.2;
  const cv::Point margin(static_cast<int>(pixels.cols * rng.uniform(0.01, 0.04)) + 2,
                         static_cast<int>(pixels.rows * rng.uniform(0.01, 0.04)) + 2);
  TextPlacer placer(pixels.size(), band, margin, /*min_gap=*/2);
  const std::vector<Anchor> homes = home_anchors(lines, rng);

  // On one film in five with PHI, one PHI line sits near the centre: a technologist's
  // annotation, a label pasted on the cassette.
  std::optional<size_t> central_line;
  std::vector<size_t> phi_lines;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (std::find(lines[i].phi.begin(), lines[i].phi.end(), true) != lines[i].phi.end()) phi_lines.push_back(i);
  }
  if (!phi_lines.empty() && rng.bernoulli(0.2)) central_line = rng.pick(phi_lines);

  for (size_t i : placing_order(homes)) {
    const TextLine& line = lines[i];
    GlyphStyle glyphs = style.glyphs;
    // Lead side markers are physical letters on the cassette: often larger than the overlay.
    if (line.field == "Marker" && rng.bernoulli(0.6)) glyphs.scale *= rng.uniform(1.2, 2.2);
    const bool bright =
        line.field == "Marker" ? rng.bernoulli(0.85) : (rng.bernoulli(0.85) ? style.bright : !style.bright);
    const std::vector<Anchor> order = anchors_to_try(homes[i], rng);

    // A line that does not fit is set smaller, but not below 5 px capitals: text that small
    // is gone on any display, so the film simply carries one line fewer.
    const double smallest_scale = style.glyphs.scale * 5.0 / style.cap_height;
    for (int shrink = 0; shrink < 4 && glyphs.scale >= smallest_scale; ++shrink, glyphs.scale *= 0.8) {
      const int plate_pad = std::max(2, static_cast<int>(style.cap_height * 0.3 * std::pow(0.8, shrink)));
      const LineBlock block = lay_out(line, glyphs, plate_pad);
      if (block.stamps.empty()) break;
      std::optional<cv::Rect> where;
      std::optional<Anchor> anchor;
      const bool central = central_line == i;
      if (central) where = placer.try_central(block.size, rng);
      for (size_t a = 0; !where && a < order.size(); ++a) {
        where = placer.try_anchor(order[a], block.size);
        if (where) anchor = order[a];
      }
      if (!where) continue;
      const double background = cv::mean(pixels(*where))[0];
      const LineInk ink = choose_ink(bright, background, max_value, rng);
      const auto painted = paint_line(pixels, max_value, line, block, *where, ink, central && !anchor);
      boxes.insert(boxes.end(), painted.begin(), painted.end());
      placer.reserve(*where, anchor, style.line_gap);
      break;
    }
  }
  return boxes;
}

}  // namespace medanon::synth
