#pragma once
// What one rank feeds the model at one step, as pure functions of (seed, epoch, global sample
// index), so that the global computation of a step does not depend on the world size (only the
// floating-point order of the gradient sum does) and a resumed run sees exactly the batches and
// masks of an uninterrupted one. Torch-facing: include only from src/mae/*.cpp and tests.
//
// Epoch e's order is a seeded permutation of the training images; global step s takes positions
// [s·G, (s+1)·G) of it (G = global batch, drop_last as the thesis' DataLoader), and rank r of W
// takes the r-th of the W equal slices of that window. Sample p of epoch e is masked with noise
// drawn from its own stream (seed, e, p).

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "io/padchest_dataset.hpp"
#include "mae/radiograph_input.hpp"

namespace medanon::mae {

// SplitMix64 over (seed, purpose, index): independent, reproducible streams.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index);

// Epoch `epoch`'s order of `count` training images [count] (int64), the same on every rank.
torch::Tensor epoch_order(std::uint64_t seed, std::int64_t epoch, std::int64_t count);

// Positions [first, first + n) of the epoch: their masking noise [n, num_patches].
torch::Tensor sample_noise(std::uint64_t seed, std::int64_t epoch, std::int64_t first, std::int64_t n,
                           std::int64_t num_patches);
// The fixed noise of validation image `index` (independent of the epoch, so epochs compare).
torch::Tensor validation_noise(std::uint64_t seed, std::int64_t first, std::int64_t n, std::int64_t num_patches);

// The model inputs [N, 1, size, size] of `images` under `root`.
torch::Tensor load_images(const std::vector<io::PadChestImage>& images, const std::string& root, int size,
                          IntensityMapping intensity);

}  // namespace medanon::mae
