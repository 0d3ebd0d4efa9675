// medanon training checkpoints: torch.load-compatible zips with everything needed to resume.

#include "mae/training_checkpoint.hpp"

#include <torch/csrc/jit/serialization/pickle.h>

#include "io/atomic_file.hpp"
#include "mae/checkpoint.hpp"

namespace medanon::mae {

namespace {

constexpr const char* kFormat = "medanon-mae-checkpoint";
constexpr std::int64_t kVersion = 1;

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

  auto root = string_dict();
  root.insert("format", std::string(kFormat));
  root.insert("version", kVersion);
  root.insert("world_size", static_cast<std::int64_t>(progress.world_size));
  root.insert("model", model);
  root.insert("config", config_dict(trainer.model()->config()));
  root.insert("optimizer", optimizer);
  root.insert("epoch", progress.epoch);
  root.insert("iteration", progress.iteration);
  root.insert("args", args);
  const std::vector<char> bytes = torch::pickle_save(root);
  io::write_bytes_atomically(path, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

MaeConfig checkpoint_config(const std::string& path) { return config_from_checkpoint(read_torch_save(path), ""); }

TrainingProgress load_training_checkpoint(const std::string& path, MaeTrainer& trainer) {
  const PyRef saved = read_torch_save(path);
  const auto format = saved->find("format");
  if (!format || format->text != kFormat) {
    throw TorchSaveError(path + " is not a medanon training checkpoint (use it to initialise, not to resume)");
  }
  if (saved->find("version")->integer != kVersion) throw TorchSaveError(path + ": unsupported checkpoint version");
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
  for (const auto& [key, value] : saved->find("args")->entries) progress.args[key->text] = value->text;
  return progress;
}

}  // namespace medanon::mae
