#pragma once
// Georgescu's test-time reconstruction, as the thesis uses it: several trials of grid masking,
// in each the visible patches pasted back from the input, the trials averaged; the anomaly map is
// d = |x - clip(average, 0, 1)| (the thesis clips only after averaging).
//
// Torch-facing: include only from src/mae/*.cpp and tests.

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mae/mae_model.hpp"

namespace medanon::mae {

struct Reconstruction {
  torch::Tensor average;  // [N, C, H, W] pasted reconstructions averaged over the trials
  torch::Tensor anomaly;  // [N, C, H, W] |x - clip(average, 0, 1)|
};

// `trial_noises`: one [N, L] uniform noise per trial; each becomes a grid masking.
Reconstruction reconstruct_with_grid_masking(MaskedAutoencoderViT& model, const torch::Tensor& imgs,
                                             const std::vector<torch::Tensor>& trial_noises);

// How the trials' grid maskings are drawn. `random` (Georgescu, the thesis): each trial keeps a
// random token of every group of 4, so some patches stay visible in several trials and others in
// none, and the pasted average shrinks the error patch by patch at random (a checkerboard in the
// map). `balanced`: every 4 trials form one cycle in which each token is visible exactly once (a
// random order per group and cycle), so every patch is reconstructed in the same share of trials.
enum class TrialMasks { random, balanced };
TrialMasks trial_masks_from(const std::string& name);  // "random" | "balanced"; std::invalid_argument

// `trials` noises [N, L] (grid_masking keeps each group's argmax) drawn from a CPU generator seeded
// with `seed` (the same on any device), then moved to `device`.
std::vector<torch::Tensor> trial_noises(std::int64_t batch, std::int64_t tokens, int trials, std::uint64_t seed,
                                        const torch::Device& device, TrialMasks kind = TrialMasks::random);

}  // namespace medanon::mae
