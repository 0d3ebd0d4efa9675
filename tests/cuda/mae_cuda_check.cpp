// The MAE on CUDA against the same MAE on the CPU (not part of the CTest suite: the machines
// that run it have no GPU). Same weights, inputs and masks on both devices:
//   1. training step: loss and every parameter gradient agree within fp32 tolerance;
//   2. inference: the 4-trial grid-masked reconstruction and anomaly map agree;
//   3. speed on the GPU: ViT-B (the thesis model) training steps and inference, images/s.
// Built by tests/cuda/run_mae_cuda_check.sh against any CUDA LibTorch (e.g. PyTorch's wheel).

#include <torch/torch.h>

#include <chrono>
#include <cstdio>

#include "mae/device.hpp"
#include "mae/mae_model.hpp"
#include "mae/reconstruction.hpp"

using namespace medanon::mae;

namespace {

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kCPU) - b.to(torch::kCPU)).abs().max().item<double>();
}

// Relative to the reference tensor's largest magnitude (gradients span many scales).
double max_rel_diff(const torch::Tensor& reference, const torch::Tensor& other) {
  const double scale = std::max(1e-12, reference.abs().max().item<double>());
  return max_abs_diff(reference, other) / scale;
}

int check_equivalence(const MaeConfig& config) {
  torch::manual_seed(0);
  MaskedAutoencoderViT cpu(config);
  MaskedAutoencoderViT gpu(config);
  {
    torch::NoGradGuard no_grad;
    auto source = cpu->named_parameters();
    for (auto& p : gpu->named_parameters()) p.value().copy_(source[p.key()]);
  }
  gpu->to(torch::kCUDA);
  const auto imgs = torch::rand({8, 1, config.img_size, config.img_size});
  const auto noise = torch::rand({8, config.num_patches()});
  const auto out_cpu = cpu->forward(imgs, random_masking(noise, 0.75));
  const auto out_gpu = gpu->forward(imgs.to(torch::kCUDA), random_masking(noise.to(torch::kCUDA), 0.75));
  out_cpu.loss.backward();
  out_gpu.loss.backward();
  int failures = 0;
  const double loss_diff = std::abs(out_cpu.loss.item<double>() - out_gpu.loss.item<double>());
  std::printf("%s: loss cpu %.7f cuda %.7f |diff| %.2e\n", config.name.c_str(), out_cpu.loss.item<double>(),
              out_gpu.loss.item<double>(), loss_diff);
  failures += loss_diff > 1e-4;
  double worst = 0;
  std::string worst_name;
  auto gpu_params = gpu->named_parameters();
  for (auto& p : cpu->named_parameters()) {
    if (!p.value().requires_grad() || !p.value().grad().defined()) continue;
    const double d = max_rel_diff(p.value().grad(), gpu_params[p.key()].grad());
    if (d > worst) worst = d, worst_name = p.key();
  }
  std::printf("%s: gradients, worst relative difference %.2e (%s)\n", config.name.c_str(), worst, worst_name.c_str());
  failures += worst > 1e-3;

  torch::InferenceMode inference;
  cpu->eval();
  gpu->eval();
  const auto noises_cpu = trial_noises(8, config.num_patches(), 4, 0, torch::kCPU);
  const auto noises_gpu = trial_noises(8, config.num_patches(), 4, 0, torch::kCUDA);
  const auto rec_cpu = reconstruct_with_grid_masking(cpu, imgs, noises_cpu);
  const auto rec_gpu = reconstruct_with_grid_masking(gpu, imgs.to(torch::kCUDA), noises_gpu);
  const double map_diff = max_abs_diff(rec_cpu.anomaly, rec_gpu.anomaly);
  std::printf("%s: anomaly map max |cpu - cuda| %.2e\n", config.name.c_str(), map_diff);
  failures += map_diff > 1e-4;
  return failures;
}

void time_on_gpu(const MaeConfig& config, int batch) {
  torch::manual_seed(0);
  MaskedAutoencoderViT model(config);
  model->to(torch::kCUDA);
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-4).betas({0.9, 0.95}));
  const auto imgs = torch::rand({batch, 1, config.img_size, config.img_size}, torch::kCUDA);
  auto step = [&] {
    optimizer.zero_grad();
    const auto noise = torch::rand({batch, config.num_patches()}, torch::kCUDA);
    model->forward(imgs, random_masking(noise, 0.75)).loss.backward();
    optimizer.step();
  };
  for (int i = 0; i < 3; ++i) step();
  torch::cuda::synchronize();
  const int steps = 20;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) step();
  torch::cuda::synchronize();
  const double train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / steps;

  model->eval();
  torch::InferenceMode inference;
  const auto noises = trial_noises(batch, config.num_patches(), 4, 0, torch::kCUDA);
  reconstruct_with_grid_masking(model, imgs, noises);
  torch::cuda::synchronize();
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) reconstruct_with_grid_masking(model, imgs, noises);
  torch::cuda::synchronize();
  const double infer_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 10;
  std::printf("%s fp32 on %s, batch %d: training step %.1f ms (%.0f images/s); 4-trial inference %.1f ms (%.0f images/s)\n",
              config.name.c_str(), torch::cuda::device_count() > 0 ? "cuda:0" : "?", batch, 1e3 * train_s,
              batch / train_s, 1e3 * infer_s, batch / infer_s);
}

}  // namespace

int main() {
  if (!torch::cuda::is_available()) {
    std::printf("no CUDA device visible to this LibTorch\n");
    return 2;
  }
  std::printf("device selection: resolve_device(\"auto\") = %s\n", resolve_device("auto").str().c_str());
  int failures = check_equivalence(mae_vit_small_synth()) + check_equivalence(mae_vit_base_patch16());
  time_on_gpu(mae_vit_small_synth(), 64);
  time_on_gpu(mae_vit_base_patch16(), 64);
  std::printf("cuda check: %d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
