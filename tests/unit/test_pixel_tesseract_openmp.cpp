// Tesseract runs single-threaded only round its own calls (OpenMpSerialScope): LibTorch and
// OpenMP OpenBLAS share the process and need OpenMP's nesting as they set it.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "pixel/tesseract_reader.hpp"

namespace medanon::pixel {
namespace {

TEST(TesseractOpenMp, ReadingLeavesOpenMpNestingAsItFoundIt) {
  auto get = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "omp_get_max_active_levels"));
  auto set = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "omp_set_max_active_levels"));
  if (get == nullptr || set == nullptr) GTEST_SKIP() << "no OpenMP runtime in this process";
  set(3);
  {
    const OpenMpSerialScope serial;
    EXPECT_EQ(get(), 0) << "inside the scope parallel regions run on a team of one";
  }
  EXPECT_EQ(get(), 3);
  TesseractReader reader;
  EXPECT_EQ(get(), 3) << "loading the engine changed the process' setting";
  cv::Mat page(80, 240, CV_8U, cv::Scalar(255));
  cv::putText(page, "PA 42", {20, 55}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(0), 3);
  const std::vector<OcrWord> words = reader.read_line(page);
  EXPECT_FALSE(words.empty());
  EXPECT_EQ(get(), 3) << "reading changed the process' setting";
}

}  // namespace
}  // namespace medanon::pixel
