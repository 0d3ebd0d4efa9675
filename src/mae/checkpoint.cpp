// State dicts between C++ modules and torch.save files.

#include "mae/checkpoint.hpp"

#include <map>
#include <sstream>

namespace medanon::mae {

namespace {
std::string shape_of(const torch::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}
}  // namespace

StateDict state_dict_of(const torch::nn::Module& module) {
  StateDict state;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) state.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers(/*recurse=*/true)) state.emplace_back(item.key(), item.value());
  return state;
}

StateDict model_state_in(const PyRef& saved) {
  PyRef dict = saved;
  if (saved->kind == PyValue::Kind::dict) {
    if (auto model = saved->find("model")) {
      dict = model;
    } else if (auto state = saved->find("state_dict")) {
      dict = state;
    }
  }
  if (dict->kind != PyValue::Kind::dict) {
    throw TorchSaveError("no state dict found: expected a dict with a 'model' entry, got a " + dict->kind_name());
  }
  StateDict state;
  for (const auto& [key, value] : dict->entries) {
    if (key->kind != PyValue::Kind::string || value->kind != PyValue::Kind::tensor) continue;
    std::string name = key->text;
    if (name.rfind("module.", 0) == 0) name = name.substr(7);
    state.emplace_back(name, value->tensor);
  }
  if (state.empty()) throw TorchSaveError("the state dict holds no tensors");
  return state;
}

std::string LoadReport::summary() const {
  if (complete()) return "all " + std::to_string(loaded.size()) + " tensors loaded";
  std::ostringstream s;
  s << loaded.size() << " tensors loaded";
  for (const auto& name : missing) s << "\n  missing in file: " << name;
  for (const auto& name : unexpected) s << "\n  unexpected in file: " << name;
  for (const auto& text : mismatched) s << "\n  shape mismatch: " << text;
  return s.str();
}

LoadReport load_state_dict(torch::nn::Module& module, const StateDict& state, bool strict) {
  std::map<std::string, torch::Tensor> from_file(state.begin(), state.end());
  LoadReport report;
  torch::NoGradGuard no_grad;
  for (auto& [name, target] : state_dict_of(module)) {
    const auto found = from_file.find(name);
    if (found == from_file.end()) {
      report.missing.push_back(name);
      continue;
    }
    const auto& source = found->second;
    if (source.sizes() != target.sizes()) {
      report.mismatched.push_back(name + ": file " + shape_of(source) + " vs model " + shape_of(target));
    } else {
      report.loaded.push_back(name);
    }
    from_file.erase(found);
  }
  for (const auto& [name, tensor] : from_file) report.unexpected.push_back(name);
  if (strict && !report.complete()) throw TorchSaveError("state dict does not match the model: " + report.summary());

  // Copy only after the check, so a strict failure leaves the module untouched.
  std::map<std::string, torch::Tensor> sources(state.begin(), state.end());
  for (auto& [name, target] : state_dict_of(module)) {
    const auto found = sources.find(name);
    if (found != sources.end() && found->second.sizes() == target.sizes()) {
      target.copy_(found->second.to(target.device(), target.scalar_type()));
    }
  }
  return report;
}

namespace {

// A bare state dict (medanon train's model.pth, `torch.save(model.state_dict())`) carries no
// architecture: take the built-in one whose tensors it has. Attention heads leave no trace in
// the weights, so only the named configurations can be recognised.
bool state_fits(const StateDict& state, const MaeConfig& c) {
  auto shape_of = [&state](const std::string& name) -> std::vector<std::int64_t> {
    for (const auto& [key, tensor] : state) {
      if (key == name) return tensor.sizes().vec();
    }
    return {};
  };
  auto count_blocks = [&state](const std::string& prefix) {
    std::int64_t n = 0;
    for (const auto& [key, tensor] : state) n += key.rfind(prefix, 0) == 0 && key.find(".norm1.weight") != std::string::npos;
    return n;
  };
  const std::int64_t hidden = static_cast<std::int64_t>(static_cast<double>(c.embed_dim) * c.mlp_ratio);
  return shape_of("patch_embed.proj.weight") == std::vector<std::int64_t>{c.embed_dim, c.in_chans, c.patch_size, c.patch_size} &&
         shape_of("pos_embed") == std::vector<std::int64_t>{1, 1 + c.num_patches(), c.embed_dim} &&
         shape_of("decoder_embed.weight") == std::vector<std::int64_t>{c.decoder_embed_dim, c.embed_dim} &&
         shape_of("blocks.0.mlp.fc1.weight") == std::vector<std::int64_t>{hidden, c.embed_dim} &&
         count_blocks("blocks.") == c.depth && count_blocks("decoder_blocks.") == c.decoder_depth;
}

}  // namespace

MaeConfig config_from_checkpoint(const PyRef& saved, const std::string& model_name) {
  using K = PyValue::Kind;
  MaeConfig config = mae_vit_base_patch16();
  const PyRef own = saved->kind == K::dict ? saved->find("config") : nullptr;
  const PyRef args = saved->kind == K::dict ? saved->find("args") : nullptr;
  auto text_of = [](const PyRef& holder, const char* key) -> std::string {
    const auto v = holder ? holder->find(key) : nullptr;
    return v && v->kind == K::string ? v->text : "";
  };
  if (own) {
    config = mae_config_by_name(text_of(own, "name").empty() ? "mae_vit_base_patch16" : text_of(own, "name"));
    auto integer = [&](const char* key, std::int64_t& field) {
      if (const auto v = own->find(key); v && v->kind == K::integer) field = v->integer;
    };
    integer("img_size", config.img_size);
    integer("patch_size", config.patch_size);
    integer("in_chans", config.in_chans);
    integer("embed_dim", config.embed_dim);
    integer("depth", config.depth);
    integer("num_heads", config.num_heads);
    integer("decoder_embed_dim", config.decoder_embed_dim);
    integer("decoder_depth", config.decoder_depth);
    integer("decoder_num_heads", config.decoder_num_heads);
    if (const auto v = own->find("mlp_ratio"); v && v->kind == K::floating) config.mlp_ratio = v->floating;
    if (const auto v = own->find("norm_pix_loss"); v && v->kind == K::boolean) config.norm_pix_loss = v->boolean;
    if (const auto v = own->find("loss_on_all_patches"); v && v->kind == K::boolean) config.loss_on_all_patches = v->boolean;
  } else if (!text_of(args, "model").empty()) {
    std::string name = text_of(args, "model");
    if (const auto suffix = name.find("_dec512d8b"); suffix != std::string::npos) name.erase(suffix);
    config = mae_config_by_name(name);
    if (const auto v = args->find("norm_pix_loss"); v && v->kind == K::boolean) config.norm_pix_loss = v->boolean;
  } else if (model_name.empty()) {
    try {
      const StateDict state = model_state_in(saved);
      for (const auto& candidate : {mae_vit_base_patch16(), mae_vit_small_synth(), mae_vit_tiny_test()}) {
        if (state_fits(state, candidate)) return candidate;
      }
    } catch (const TorchSaveError&) {
      // no state dict at all: the loader reports it
    }
  }
  if (!model_name.empty()) config = mae_config_by_name(model_name);
  return config;
}

LoadedCheckpoint load_checkpoint_into(torch::nn::Module& module, const std::string& path, bool strict) {
  LoadedCheckpoint loaded;
  loaded.saved = read_torch_save(path);
  try {
    loaded.report = load_state_dict(module, model_state_in(loaded.saved), strict);
  } catch (const TorchSaveError& e) {
    throw TorchSaveError(path + ": " + e.what());
  }
  return loaded;
}

}  // namespace medanon::mae
