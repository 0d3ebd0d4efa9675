#pragma once
// Writing and reading medanon's training checkpoints (format: mae/training.hpp). Written with
// torch::pickle_save, so Python's torch.load reads them too; read back with our own reader.
// Torch-facing: include only from src/mae/*.cpp and tests.

#include <cstdint>
#include <map>
#include <string>

#include "mae/trainer.hpp"

namespace medanon::mae {

struct TrainingProgress {
  std::int64_t epoch = 0;          // completed epochs
  std::int64_t step_in_epoch = 0;  // completed steps of epoch `epoch` (0 at an epoch boundary)
  std::int64_t iteration = 0;      // completed optimisation steps
  std::int64_t global_batch = 0;   // images per step over all ranks (0: not recorded, version 1)
  int world_size = 1;
  std::map<std::string, std::string> args;  // the training options, for the record
};

// Also stores torch's default CPU generator state (restored by load_training_checkpoint).
void save_training_checkpoint(const std::string& path, MaeTrainer& trainer, const TrainingProgress& progress);

// The trained weights alone: a torch.save'd {name: tensor} dict under PyTorch's names, which
// Python's `model.load_state_dict(torch.load(path))` and `medanon infer --checkpoint` read.
void export_state_dict(const std::string& path, MaeTrainer& trainer);

// A 64-bit digest of every weight and AdamW moment, bit-exact: equal on all ranks iff their
// training states are identical (the consistency check before a checkpoint is written).
std::uint64_t training_state_digest(MaeTrainer& trainer);

// The architecture stored in a checkpoint (its 'config' entry, or the args of an upstream one).
MaeConfig checkpoint_config(const std::string& path);

// Restores weights, optimizer moments and steps, and the generator state; returns the progress.
// Reads version 1 (no step_in_epoch, global_batch, rng) and 2. Throws TorchSaveError
// when the file is not a medanon training checkpoint or does not fit the trainer's model.
TrainingProgress load_training_checkpoint(const std::string& path, MaeTrainer& trainer);

}  // namespace medanon::mae
