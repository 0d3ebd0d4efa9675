// Test-time reconstruction with grid masking (Georgescu et al.; thesis generate_masks.py).

#include "mae/reconstruction.hpp"

#include <ATen/CPUGeneratorImpl.h>

namespace medanon::mae {

Reconstruction reconstruct_with_grid_masking(MaskedAutoencoderViT& model, const torch::Tensor& imgs,
                                             const std::vector<torch::Tensor>& trial_noises) {
  const auto& config = model->config();
  const auto trials = static_cast<std::int64_t>(trial_noises.size()), n = imgs.size(0);
  // All trials in one pass, trial-major along the batch: the same arithmetic per sample as one
  // pass per trial, with larger matrix products.
  const Masking masking = grid_masking(torch::cat(trial_noises, 0));  // [T*N, L]
  const auto x = imgs.repeat({trials, 1, 1, 1});                      // [T*N, C, H, W]
  const auto pred = model->forward_decoder(model->forward_encoder(x, masking), masking.ids_restore);  // [T*N, L, p*p*C]
  const auto recon = model->unpatchify(pred);
  // 1 where the patch was removed (reconstructed), 0 where it was visible (pasted from the input).
  const auto pixel_mask = model->unpatchify(masking.mask.unsqueeze(-1).expand({-1, -1, config.patch_dim()}));
  const auto pasted = x * (1 - pixel_mask) + recon * pixel_mask;
  Reconstruction out;
  out.average = pasted.view({trials, n, imgs.size(1), imgs.size(2), imgs.size(3)}).sum(0) / static_cast<double>(trials);
  out.anomaly = (imgs - out.average.clamp(0.0, 1.0)).abs();
  return out;
}

std::vector<torch::Tensor> trial_noises(std::int64_t batch, std::int64_t tokens, int trials, std::uint64_t seed,
                                        const torch::Device& device) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<torch::Tensor> noises;
  for (int i = 0; i < trials; ++i) {
    noises.push_back(torch::rand({batch, tokens}, generator, torch::TensorOptions().dtype(torch::kFloat32)).to(device));
  }
  return noises;
}

}  // namespace medanon::mae
