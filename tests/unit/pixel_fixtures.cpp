#include "tests/unit/pixel_fixtures.hpp"

#include <opencv2/imgproc.hpp>
#include "tests/unit/test_corpus.hpp"

namespace medanon::pixel::testing {

cv::Mat radiograph_like(cv::Size size, unsigned seed) {
  cv::Mat image(size, CV_32F);
  const cv::Point2f centre(size.width / 2.0F, size.height / 2.0F);
  for (int y = 0; y < size.height; ++y) {
    for (int x = 0; x < size.width; ++x) {
      const float dx = (x - centre.x) / centre.x, dy = (y - centre.y) / centre.y;
      image.at<float>(y, x) = 600 + 2200 * std::exp(-1.5F * (dx * dx + dy * dy));
    }
  }
  cv::Mat noise(size, CV_32F);
  cv::RNG rng(seed);  // the test's own generator, seeded: same image every run
  rng.fill(noise, cv::RNG::NORMAL, 0, 25);
  image += noise;
  cv::Mat out;
  image.convertTo(out, CV_16U);
  return out;
}

cv::Rect draw_text(cv::Mat& pixels, const std::string& text, cv::Point origin, int cap_height, int value) {
  const double scale = cap_height / 22.0;  // Hershey simplex capitals are ~22 units tall at scale 1
  cv::Mat before = pixels.clone();
  cv::putText(pixels, text, origin, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(value), std::max(1, cap_height / 10),
              cv::LINE_AA);
  cv::Mat changed;
  cv::compare(before, pixels, changed, cv::CMP_NE);
  return cv::boundingRect(changed);
}

const std::filesystem::path& tiny_corpus() {
  static const medanon::testing::TemporaryCorpus corpus("pixel_corpus", 4, 11, 192, 0.5);
  return corpus.dir;
}

}  // namespace medanon::pixel::testing
