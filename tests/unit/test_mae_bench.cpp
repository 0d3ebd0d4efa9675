// The C++ half of tests/bench/bench_mae_inference.sh. Disabled: it runs only when that script
// asks for it (--gtest_also_run_disabled_tests), with the files it names in the environment.
#include <gtest/gtest.h>

#include <torch/csrc/jit/serialization/pickle.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "io/atomic_file.hpp"
#include "mae/checkpoint.hpp"
#include "mae/reconstruction.hpp"

using namespace medanon::mae;

TEST(MaeBenchmark, DISABLED_GridMaskedReconstructionThroughput) {
  const char* checkpoint = std::getenv("MEDANON_BENCH_CHECKPOINT");
  const char* inputs_file = std::getenv("MEDANON_BENCH_INPUTS");
  const char* out = std::getenv("MEDANON_BENCH_OUT");
  ASSERT_TRUE(checkpoint && inputs_file && out) << "run through tests/bench/bench_mae_inference.sh";
  const int threads = std::atoi(std::getenv("MEDANON_BENCH_THREADS") ? std::getenv("MEDANON_BENCH_THREADS") : "1");
  const int repeats = std::atoi(std::getenv("MEDANON_BENCH_REPEATS") ? std::getenv("MEDANON_BENCH_REPEATS") : "3");
  at::set_num_threads(threads);

  const PyRef saved = read_torch_save(checkpoint);
  MaskedAutoencoderViT model(config_from_checkpoint(saved, ""));
  load_state_dict(*model, model_state_in(saved), /*strict=*/true);
  model->eval();
  const PyRef inputs = read_torch_save(inputs_file);
  const auto imgs = inputs->find("imgs")->tensor;
  const auto noises_tensor = inputs->find("trial_noises")->tensor;
  const auto unbound = noises_tensor.unbind(0);
  const std::vector<torch::Tensor> noises(unbound.begin(), unbound.end());

  torch::InferenceMode inference;
  Reconstruction result = reconstruct_with_grid_masking(model, imgs, noises);  // warm-up
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    result = reconstruct_with_grid_masking(model, imgs, noises);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  auto dict = c10::impl::GenericDict(c10::StringType::get(), c10::AnyType::get());
  dict.insert("anomaly_map", result.anomaly);
  dict.insert("reconstruction", result.average);
  dict.insert("seconds", best);
  const auto bytes = torch::pickle_save(dict);
  medanon::io::write_bytes_atomically(out, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
  std::printf("C++ LibTorch: %.2f images/s (best of %d, batch %lld, %d thread(s))\n",
              static_cast<double>(imgs.size(0)) / best, repeats, static_cast<long long>(imgs.size(0)), threads);
}
