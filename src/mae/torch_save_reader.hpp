#pragma once
// Reads files written by Python's torch.save (zip format, PyTorch >= 1.6) without Python.
//
// LibTorch 1.13's own unpickler (torch::pickle_load) cannot read training checkpoints: it turns
// collections.OrderedDict (every state dict) into None and has no class for argparse.Namespace
// (the 'args' entry of MAE checkpoints). This is a small pickle machine for the opcodes
// torch.save emits (protocol 2, plus the protocol-4 ones for files re-saved with a higher
// protocol): any class it does not know becomes a generic object (class name, constructor
// arguments, state), tensors are rebuilt from the archive's storage records.
//
// Torch-facing: include only from src/mae/*.cpp and tests.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"

namespace medanon::mae {

struct PyValue;
using PyRef = std::shared_ptr<PyValue>;

// One Python value from the pickle. Dicts keep their order; values are shared, as in Python.
struct PyValue {
  enum class Kind { none, boolean, integer, floating, string, bytes, list, tuple, dict, tensor, global, object };
  Kind kind = Kind::none;
  bool boolean = false;
  std::int64_t integer = 0;
  double floating = 0.0;
  std::string text;                              // string, bytes; "module.Name" of a global or object
  std::vector<PyRef> items;                      // list, tuple; an object's constructor arguments
  std::vector<std::pair<PyRef, PyRef>> entries;  // dict; an object's attributes (its __dict__ state)
  torch::Tensor tensor;

  // The entry or attribute under a string key, or nullptr.
  PyRef find(const std::string& key) const;
  std::string kind_name() const;
  // A short Python-like rendering for messages and for recording a checkpoint's args.
  std::string repr(int depth = 0) const;
};

// A checkpoint that cannot be read or does not fit: the input's fault, found by this rank.
class TorchSaveError : public InputError {
 public:
  explicit TorchSaveError(const std::string& what) : InputError(what) {}
};

// True when the file starts like a zip archive (torch.save's default since 1.6).
bool is_zip_file(const std::string& path);

// The object saved in `path`; tensors on the CPU. Throws TorchSaveError with a clear message,
// including for the legacy (non-zip) format, which names the one-line conversion to run.
PyRef read_torch_save(const std::string& path);

}  // namespace medanon::mae
