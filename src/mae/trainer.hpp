#pragma once
// One MAE optimisation step in three parts, so that data-parallel training (issue #7) can
// allreduce gradients between them:
//
//   double loss = trainer.compute_gradients(images, noise);   // forward + backward
//   for (auto& g : trainer.gradients()) allreduce_mean(g);     // (issue #7)
//   trainer.apply_update(lr);                                  // AdamW step
//
// AdamW with betas (0.9, 0.95); weight decay on weights only: 1-D parameters (norms) and biases
// get none (timm's add_weight_decay, as the MAE and the thesis). Fixed position embeddings are
// not trained. Torch-facing: include only from src/mae/*.cpp and tests.

#include <torch/torch.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "mae/mae_model.hpp"

namespace medanon::mae {

class NonFiniteLoss : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class MaeTrainer {
 public:
  MaeTrainer(MaskedAutoencoderViT model, double weight_decay, double mask_ratio);

  // Zeroes the gradients, runs the model on `images` [N, C, H, W] with random masking from
  // `noise` [N, L], back-propagates. Throws NonFiniteLoss before touching gradients when the
  // loss is NaN or infinite (upstream stops the run there too).
  double compute_gradients(const torch::Tensor& images, const torch::Tensor& noise);
  // The first half of compute_gradients, for data-parallel training: zeroes the gradients and
  // returns the loss tensor without checking it or running backward (the ranks first agree on
  // whether every loss is finite, then all run backward or none does).
  torch::Tensor forward_loss(const torch::Tensor& images, const torch::Tensor& noise);
  // The gradients of every trained parameter, in a fixed order (the same on every rank).
  std::vector<torch::Tensor> gradients();
  void apply_update(double lr);

  MaskedAutoencoderViT& model() { return model_; }
  torch::optim::AdamW& optimizer() { return *optimizer_; }
  // Trained parameters by name, in the optimizer's order (for checkpoints).
  const std::vector<std::pair<std::string, torch::Tensor>>& trained_parameters() const { return trained_; }

 private:
  MaskedAutoencoderViT model_;
  double mask_ratio_;
  std::vector<std::pair<std::string, torch::Tensor>> trained_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
};

}  // namespace medanon::mae
