// Data order, per-sample masking noise and image loading for (data-parallel) training.

#include "mae/training_data.hpp"
#include "mae/display_polarity.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <cstring>

namespace medanon::mae {

namespace {
constexpr std::uint64_t kOrderStream = 1, kMaskStream = 2, kValidationStream = 3;

torch::Tensor noise_rows(std::uint64_t seed, std::uint64_t stream, std::uint64_t first, std::int64_t n,
                         std::int64_t num_patches) {
  auto noise = torch::empty({n, num_patches});
  for (std::int64_t i = 0; i < n; ++i) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(stream_seed(seed, stream, first + static_cast<std::uint64_t>(i)));
    noise[i].copy_(torch::rand({num_patches}, generator));
  }
  return noise;
}
}  // namespace

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index) {
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL ^ (purpose << 56) ^ index;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

torch::Tensor epoch_order(std::uint64_t seed, std::int64_t epoch, std::int64_t count) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(stream_seed(seed, kOrderStream, static_cast<std::uint64_t>(epoch)));
  return torch::randperm(count, generator, torch::kLong);
}

torch::Tensor sample_noise(std::uint64_t seed, std::int64_t epoch, std::int64_t first, std::int64_t n,
                           std::int64_t num_patches) {
  // Positions stay far below 2^40, so (epoch, position) packs into one stream index.
  return noise_rows(seed, kMaskStream, (static_cast<std::uint64_t>(epoch) << 40) + static_cast<std::uint64_t>(first), n,
                    num_patches);
}

torch::Tensor validation_noise(std::uint64_t seed, std::int64_t first, std::int64_t n, std::int64_t num_patches) {
  return noise_rows(seed, kValidationStream, static_cast<std::uint64_t>(first), n, num_patches);
}

torch::Tensor load_images(const std::vector<io::PadChestImage>& images, const std::string& root, int size,
                          IntensityMapping intensity) {
  auto out = torch::empty({static_cast<std::int64_t>(images.size()), 1, size, size});
  for (std::size_t i = 0; i < images.size(); ++i) {
    const cv::Mat input =
        model_input(display_polarity(read_radiograph(root + "/" + images[i].relative_path())), size, intensity);
    std::memcpy(out[static_cast<std::int64_t>(i)].data_ptr<float>(), input.ptr<float>(),
                sizeof(float) * static_cast<std::size_t>(size * size));
  }
  return out;
}

}  // namespace medanon::mae
