#pragma once
// Model weights in and out: brats_pretrained.pth-style files (a torch.save'd dict whose 'model'
// entry is the state dict, next to 'optimizer', 'epoch', 'scaler' and an argparse 'args'), and
// the state dict of a C++ module under PyTorch's names.
//
// Torch-facing: include only from src/mae/*.cpp and tests.

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "mae/mae_model.hpp"
#include "mae/torch_save_reader.hpp"

namespace medanon::mae {

using StateDict = std::vector<std::pair<std::string, torch::Tensor>>;  // in the module's order

// Parameters then buffers, under their dotted PyTorch names (e.g. blocks.0.attn.qkv.weight).
StateDict state_dict_of(const torch::nn::Module& module);

// The state dict inside a loaded torch.save object: its 'model' entry (MAE/DeiT checkpoints),
// 'state_dict' entry, or the object itself when it is a dict of tensors. A 'module.' prefix
// (DistributedDataParallel) is stripped. Throws TorchSaveError when there is none.
StateDict model_state_in(const PyRef& saved);

struct LoadReport {
  std::vector<std::string> loaded;
  std::vector<std::string> missing;     // in the module, not in the file
  std::vector<std::string> unexpected;  // in the file, not in the module
  std::vector<std::string> mismatched;  // same name, other shape: "name: file [..] vs model [..]"
  bool complete() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
  std::string summary() const;  // one line per problem, or "all N tensors loaded"
};

// Copies the matching tensors into `module` (on the module's device and dtype). Mis-shaped
// tensors are never copied. With strict, any problem throws TorchSaveError carrying summary().
LoadReport load_state_dict(torch::nn::Module& module, const StateDict& state, bool strict);

// The architecture a checkpoint was trained with: its 'config' entry (medanon's own checkpoints),
// else args.model of an MAE-style 'args' Namespace (with its norm_pix_loss), else (a bare state
// dict such as medanon train's model.pth) the built-in configuration whose shapes it has, else
// ViT-B/16.
// A non-empty `model_name` overrides the name.
MaeConfig config_from_checkpoint(const PyRef& saved, const std::string& model_name);

// read_torch_save + model_state_in + load_state_dict. Returns the report and the saved object.
struct LoadedCheckpoint {
  PyRef saved;
  LoadReport report;
};
LoadedCheckpoint load_checkpoint_into(torch::nn::Module& module, const std::string& path, bool strict);

}  // namespace medanon::mae
