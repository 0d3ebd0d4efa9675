// medanon training checkpoints: torch.load-compatible zips with everything needed to resume.

#include "mae/training_checkpoint.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <cstring>

#include "io/atomic_file.hpp"
#include "mae/checkpoint.hpp"

namespace medanon::mae {

namespace {

constexpr const char* kFormat = "medanon-mae-checkpoint";
constexpr std::int64_t kVersion = 2;  // 2: step_in_epoch, global_batch, rng (issue #7)

using GenericDict = c10::impl::GenericDict;

GenericDict string_dict() { return GenericDict(c10::StringType::get(), c10::AnyType::get()); }

std::string state_key(const torch::Tensor& parameter) {  // how LibTorch's optimizers key their state
  return c10::guts::to_string(parameter.unsafeGetTensorImpl());
}

GenericDict config_dict(const MaeConfig& c) {
  auto d = string_dict();
  d.insert("name", c.name);
  d.insert("img_size", c.img_size);
  d.insert("patch_size", c.patch_size);
  d.insert("in_chans", c.in_chans);
  d.insert("embed_dim", c.embed_dim);
  d.insert("depth", c.depth);
  d.insert("num_heads", c.num_heads);
  d.insert("decoder_embed_dim", c.decoder_embed_dim);
  d.insert("decoder_depth", c.decoder_depth);
  d.insert("decoder_num_heads", c.decoder_num_heads);
  d.insert("mlp_ratio", c.mlp_ratio);
  d.insert("norm_pix_loss", c.norm_pix_loss);
  d.insert("loss_on_all_patches", c.loss_on_all_patches);
  return d;
}

}  // namespace

void save_training_checkpoint(const std::string& path, MaeTrainer& trainer, const TrainingProgress& progress) {
  auto model = string_dict();
  for (const auto& [name, tensor] : state_dict_of(*trainer.model())) model.insert(name, tensor.detach().to(torch::kCPU));

  auto exp_avg = string_dict(), exp_avg_sq = string_dict(), steps = string_dict();
  auto& state = trainer.optimizer().state();
  for (const auto& [name, parameter] : trainer.trained_parameters()) {
    const auto found = state.find(state_key(parameter));
    if (found == state.end()) continue;  // no step taken yet
    const auto& s = static_cast<const torch::optim::AdamWParamState&>(*found->second);
    exp_avg.insert(name, s.exp_avg().to(torch::kCPU));
    exp_avg_sq.insert(name, s.exp_avg_sq().to(torch::kCPU));
    steps.insert(name, s.step());
  }
  auto optimizer = string_dict();
  optimizer.insert("exp_avg", exp_avg);
  optimizer.insert("exp_avg_sq", exp_avg_sq);
  optimizer.insert("step", steps);

  auto args = string_dict();
  for (const auto& [key, value] : progress.args) args.insert(key, value);

  auto rng = string_dict();
  rng.insert("torch_cpu", at::detail::getDefaultCPUGenerator().get_state());

  auto root = string_dict();
  root.insert("format", std::string(kFormat));
  root.insert("version", kVersion);
  root.insert("world_size", static_cast<std::int64_t>(progress.world_size));
  root.insert("model", model);
  root.insert("config", config_dict(trainer.model()->config()));
  root.insert("optimizer", optimizer);
  root.insert("epoch", progress.epoch);
  root.insert("iteration", progress.iteration);
  root.insert("step_in_epoch", progress.step_in_epoch);
  root.insert("global_batch", progress.global_batch);
  root.insert("rng", rng);
  root.insert("args", args);
  const std::vector<char> bytes = torch::pickle_save(root);
  io::write_bytes_atomically(path, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

void export_state_dict(const std::string& path, MaeTrainer& trainer) {
  auto model = string_dict();
  for (const auto& [name, tensor] : state_dict_of(*trainer.model())) model.insert(name, tensor.detach().to(torch::kCPU));
  const std::vector<char> bytes = torch::pickle_save(model);
  io::write_bytes_atomically(path, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

std::uint64_t training_state_digest(MaeTrainer& trainer) {
  std::uint64_t digest = 0xcbf29ce484222325ULL;
  auto mix = [&digest](const torch::Tensor& tensor) {
    const auto bytes = tensor.detach().to(torch::kCPU).contiguous();
    const auto* data = static_cast<const unsigned char*>(bytes.data_ptr());
    const std::size_t size = bytes.nbytes();
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {  // word-wise FNV-style mixing: fast enough for ViT-B each checkpoint
      std::uint64_t word;
      std::memcpy(&word, data + i, 8);
      digest = (digest ^ word) * 0x100000001b3ULL;
      digest ^= digest >> 29;
    }
    for (; i < size; ++i) digest = (digest ^ data[i]) * 0x100000001b3ULL;
  };
  for (const auto& [name, tensor] : state_dict_of(*trainer.model())) mix(tensor);
  auto& state = trainer.optimizer().state();
  for (const auto& [name, parameter] : trainer.trained_parameters()) {
    const auto found = state.find(state_key(parameter));
    if (found == state.end()) continue;
    const auto& s = static_cast<const torch::optim::AdamWParamState&>(*found->second);
    mix(s.exp_avg());
    mix(s.exp_avg_sq());
    digest ^= static_cast<std::uint64_t>(s.step());
  }
  return digest;
}

MaeConfig checkpoint_config(const std::string& path) { return config_from_checkpoint(read_torch_save(path), ""); }

TrainingProgress load_training_checkpoint(const std::string& path, MaeTrainer& trainer) {
  const PyRef saved = read_torch_save(path);
  const auto format = saved->find("format");
  if (!format || format->text != kFormat) {
    throw TorchSaveError(path + " is not a medanon training checkpoint (use it to initialise, not to resume)");
  }
  const std::int64_t version = saved->find("version")->integer;
  if (version < 1 || version > kVersion) {
    throw TorchSaveError(path + ": checkpoint version " + std::to_string(version) + " is newer than this medanon");
  }
  load_state_dict(*trainer.model(), model_state_in(saved), /*strict=*/true);

  const auto optimizer = saved->find("optimizer");
  const auto exp_avg = optimizer->find("exp_avg"), exp_avg_sq = optimizer->find("exp_avg_sq");
  const auto steps = optimizer->find("step");
  auto& state = trainer.optimizer().state();
  for (const auto& [name, parameter] : trainer.trained_parameters()) {
    const auto first = exp_avg->find(name), second = exp_avg_sq->find(name), step = steps->find(name);
    if (!first || !second || !step) continue;
    auto restored = std::make_unique<torch::optim::AdamWParamState>();
    restored->step(step->integer);
    restored->exp_avg(first->tensor.to(parameter.device()).clone());
    restored->exp_avg_sq(second->tensor.to(parameter.device()).clone());
    state[state_key(parameter)] = std::move(restored);
  }
  TrainingProgress progress;
  progress.epoch = saved->find("epoch")->integer;
  progress.iteration = saved->find("iteration")->integer;
  progress.world_size = static_cast<int>(saved->find("world_size")->integer);
  if (version >= 2) {
    progress.step_in_epoch = saved->find("step_in_epoch")->integer;
    progress.global_batch = saved->find("global_batch")->integer;
    at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle to the global one
    generator.set_state(saved->find("rng")->find("torch_cpu")->tensor);
  }
  for (const auto& [key, value] : saved->find("args")->entries) progress.args[key->text] = value->text;
  return progress;
}

}  // namespace medanon::mae
