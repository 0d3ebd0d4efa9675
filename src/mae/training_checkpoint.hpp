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
  std::int64_t epoch = 0;      // completed epochs
  std::int64_t iteration = 0;  // completed optimisation steps
  int world_size = 1;
  std::map<std::string, std::string> args;  // the training options, for the record
};

void save_training_checkpoint(const std::string& path, MaeTrainer& trainer, const TrainingProgress& progress);

// The architecture stored in a checkpoint (its 'config' entry, or the args of an upstream one).
MaeConfig checkpoint_config(const std::string& path);

// Restores weights, optimizer moments and steps; returns the progress. Throws TorchSaveError
// when the file is not a medanon training checkpoint or does not fit the trainer's model.
TrainingProgress load_training_checkpoint(const std::string& path, MaeTrainer& trainer);

}  // namespace medanon::mae
