#include "pixel/stroke_text_detector.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <limits>
#include <numeric>

namespace medanon::pixel {
namespace {

struct Letter {
  cv::Rect box;
  int area = 0;
  double contrast = 0;
};

int find_root(std::vector<int>& parent, int i) {
  while (parent[static_cast<size_t>(i)] != i) i = parent[static_cast<size_t>(i)] = parent[static_cast<size_t>(parent[static_cast<size_t>(i)])];
  return i;
}

// Robust noise level of a non-negative response: the median of a top-hat over noise is about
// 0.67 sigma, so 1.5 x median estimates sigma without letting the text itself inflate it.
double robust_sigma(const cv::Mat& response) {
  int histogram[256] = {};
  for (int y = 0; y < response.rows; ++y) {
    const auto* row = response.ptr<std::uint8_t>(y);
    for (int x = 0; x < response.cols; ++x) ++histogram[row[x]];
  }
  const long long half = static_cast<long long>(response.total()) / 2;
  long long seen = 0;
  for (int v = 0; v < 256; ++v) {
    if ((seen += histogram[v]) >= half) return 1.5 * std::max(v, 1);
  }
  return 1.5;
}

std::vector<Letter> find_letters(const cv::Mat& response, const StrokeOptions& options) {
  const double threshold = std::max<double>(options.min_contrast, options.noise_sigmas * robust_sigma(response));
  cv::Mat binary = response > threshold;
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(binary, labels, stats, centroids, 8, CV_32S);
  std::vector<Letter> letters;
  for (int i = 1; i < count; ++i) {
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    // Punctuation (commas, colons, dots) is smaller than a letter; it is kept so it can join a
    // line, but never starts one (see chain_lines).
    if (box.height > options.max_letter_height || area < 3) continue;
    if (box.width > 6 * options.max_letter_height) continue;
    const double fill = static_cast<double>(area) / box.area();
    // Letters are strokes: they fill part of their box. Long thin curves (vessels, tube edges)
    // fill almost none of it; blobs fill all of it.
    if (box.height >= options.min_letter_height && (fill < 0.08 || fill > 0.95)) continue;
    letters.push_back({box, area, cv::mean(response(box), binary(box))[0]});
  }
  return letters;
}

bool same_line(const cv::Rect& a, const cv::Rect& b) {
  const int high = std::max(a.height, b.height), low = std::min(a.height, b.height);
  const int overlap = std::min(a.br().y, b.br().y) - std::max(a.y, b.y);
  const int gap = std::max(a.x, b.x) - std::min(a.br().x, b.br().x);
  // Word spaces are under one letter height; a hyphen between two digits (which is too flat to
  // chain by itself) leaves a gap of about one and a half.
  if (gap > 1.5 * high) return false;
  // Same height letters whose rows overlap; or punctuation/lower case inside a letter's rows.
  if (high <= 2.2 * low) return overlap >= 0.5 * low;
  return low >= 0.12 * high && overlap >= 0.8 * low;
}

std::vector<StrokeWord> split_words(std::vector<Letter> letters, int letter_height, double word_gap) {
  std::sort(letters.begin(), letters.end(), [](const Letter& a, const Letter& b) { return a.box.x < b.box.x; });
  std::vector<StrokeWord> words;
  int right = std::numeric_limits<int>::min() / 2;
  for (const Letter& letter : letters) {
    if (words.empty() || letter.box.x - right > word_gap * letter_height) {
      words.push_back({letter.box, 1});
    } else {
      words.back().box |= letter.box;
      ++words.back().letters;
    }
    right = std::max(right, letter.box.br().x);
  }
  return words;
}

std::vector<StrokeLine> chain_lines(const std::vector<Letter>& letters, Polarity polarity, const StrokeOptions& options) {
  std::vector<int> order(letters.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return letters[static_cast<size_t>(a)].box.x < letters[static_cast<size_t>(b)].box.x; });
  std::vector<int> parent(letters.size());
  std::iota(parent.begin(), parent.end(), 0);
  for (size_t i = 0; i < order.size(); ++i) {
    const cv::Rect& a = letters[static_cast<size_t>(order[i])].box;
    for (size_t j = i + 1; j < order.size(); ++j) {
      const cv::Rect& b = letters[static_cast<size_t>(order[j])].box;
      if (b.x > a.br().x + std::max(a.height, options.max_letter_height)) break;
      if (same_line(a, b)) parent[static_cast<size_t>(find_root(parent, order[i]))] = find_root(parent, order[j]);
    }
  }
  std::vector<std::vector<Letter>> groups(letters.size());
  for (size_t i = 0; i < letters.size(); ++i) groups[static_cast<size_t>(find_root(parent, static_cast<int>(i)))].push_back(letters[i]);

  std::vector<StrokeLine> lines;
  for (auto& group : groups) {
    if (group.empty()) continue;
    std::vector<int> heights;
    std::vector<double> contrasts;
    cv::Rect box = group.front().box;
    int tallest = 0;
    for (const Letter& l : group) box |= l.box, tallest = std::max(tallest, l.box.height);
    for (const Letter& l : group) {
      if (l.box.height * 2 >= tallest) heights.push_back(l.box.height), contrasts.push_back(l.contrast);
    }
    std::nth_element(heights.begin(), heights.begin() + static_cast<long>(heights.size() / 2), heights.end());
    std::nth_element(contrasts.begin(), contrasts.begin() + static_cast<long>(contrasts.size() / 2), contrasts.end());
    const int letter_height = heights[heights.size() / 2];
    if (letter_height < options.min_letter_height) continue;
    // Letters may run together into wider components: count letter widths, not components.
    // Short lines ("L", "PA") are technical markers, never the names, IDs and dates sought.
    double characters = 0;
    for (const Letter& l : group) {
      if (l.box.height * 2 >= tallest) characters += std::max(1.0, l.box.width / (0.7 * letter_height));
    }
    if (characters < options.min_characters || box.width < letter_height) continue;
    StrokeLine line;
    line.box = box;
    line.polarity = polarity;
    line.letter_height = letter_height;
    line.contrast = contrasts[contrasts.size() / 2];
    line.words = split_words(group, letter_height, options.word_gap);
    lines.push_back(std::move(line));
  }
  return lines;
}

double overlap_of_smaller(const cv::Rect& a, const cv::Rect& b) {
  return static_cast<double>((a & b).area()) / std::max(1, std::min(a.area(), b.area()));
}

}  // namespace

const char* to_string(Polarity polarity) { return polarity == Polarity::bright ? "bright" : "dark"; }

cv::Mat stroke_response(const cv::Mat& grey, Polarity polarity, int structuring_element) {
  const cv::Mat element = cv::getStructuringElement(cv::MORPH_RECT, {structuring_element, structuring_element});
  cv::Mat response;
  cv::morphologyEx(grey, response, polarity == Polarity::bright ? cv::MORPH_TOPHAT : cv::MORPH_BLACKHAT, element);
  return response;
}

std::vector<StrokeLine> detect_stroke_text(const cv::Mat& grey, const cv::Rect& region, const StrokeOptions& options) {
  std::vector<StrokeLine> found;
  const cv::Rect inside = region & cv::Rect(0, 0, grey.cols, grey.rows);
  if (inside.empty()) return found;
  for (const Polarity polarity : {Polarity::bright, Polarity::dark}) {
    const cv::Mat response = stroke_response(grey(inside), polarity, options.structuring_element);
    for (StrokeLine& line : chain_lines(find_letters(response, options), polarity, options)) {
      line.box += inside.tl();
      for (StrokeWord& word : line.words) word.box += inside.tl();
      found.push_back(std::move(line));
    }
  }
  // Of two overlapping lines of opposite polarity the one with more, stronger letters is the
  // first guess; the other is kept as its rival.
  std::sort(found.begin(), found.end(), [](const StrokeLine& a, const StrokeLine& b) {
    return a.words.size() * a.contrast > b.words.size() * b.contrast;
  });
  std::vector<StrokeLine> kept;
  for (StrokeLine& line : found) {
    auto overlapping = std::find_if(kept.begin(), kept.end(), [&](const StrokeLine& k) {
      return k.polarity != line.polarity && overlap_of_smaller(k.box, line.box) > 0.5;
    });
    if (overlapping == kept.end()) {
      kept.push_back(std::move(line));
    } else {
      overlapping->box |= line.box;  // the redaction must still cover whatever either one saw
      overlapping->rivals.push_back(std::move(line));
    }
  }
  return kept;
}

}  // namespace medanon::pixel
