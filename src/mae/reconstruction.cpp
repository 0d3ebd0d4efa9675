// Test-time reconstruction with grid masking (Georgescu et al.; thesis generate_masks.py).

#include "mae/reconstruction.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

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

TrialMasks trial_masks_from(const std::string& name) {
  if (name == "random") return TrialMasks::random;
  if (name == "balanced") return TrialMasks::balanced;
  throw std::invalid_argument("unknown trial masks '" + name + "' (balanced, random)");
}

std::vector<torch::Tensor> trial_noises(std::int64_t batch, std::int64_t tokens, int trials, std::uint64_t seed,
                                        const torch::Device& device, TrialMasks kind) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto real = torch::TensorOptions().dtype(torch::kFloat32);
  std::vector<torch::Tensor> noises;
  if (kind == TrialMasks::random) {
    for (int i = 0; i < trials; ++i) noises.push_back(torch::rand({batch, tokens}, generator, real).to(device));
    return noises;
  }
  constexpr std::int64_t group = 4;  // grid_masking's group
  if (tokens % group != 0) throw std::invalid_argument("balanced trials: token count not divisible by 4");
  torch::Tensor order;  // [L/4, 4]: the cycle's order of visible positions, per group
  for (int i = 0; i < trials; ++i) {
    if (i % group == 0) order = torch::rand({tokens / group, group}, generator, real).argsort(std::int64_t{1});
    const auto visible = order.select(1, i % group).unsqueeze(1);  // [L/4, 1]
    const auto one_hot = torch::zeros({tokens / group, group}, real).scatter_(1, visible, 1.0);
    noises.push_back(one_hot.reshape({1, tokens}).expand({batch, tokens}).contiguous().to(device));
  }
  return noises;
}

}  // namespace medanon::mae
