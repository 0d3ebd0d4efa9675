// The split optimisation step and the training checkpoint (format in mae/training.hpp).

#include "mae/trainer.hpp"

#include <cmath>

#include "mae/training_checkpoint.hpp"

namespace medanon::mae {

MaeTrainer::MaeTrainer(MaskedAutoencoderViT model, double weight_decay, double mask_ratio)
    : model_(std::move(model)), mask_ratio_(mask_ratio) {
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& item : model_->named_parameters(/*recurse=*/true)) {
    const auto& parameter = item.value();
    if (!parameter.requires_grad()) continue;  // the fixed sin-cos position embeddings
    trained_.emplace_back(item.key(), parameter);
    const bool is_bias = item.key().size() >= 4 && item.key().compare(item.key().size() - 4, 4, "bias") == 0;
    (parameter.dim() == 1 || is_bias ? no_decay : decay).push_back(parameter);
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(
                                    torch::optim::AdamWOptions(0.0).betas({0.9, 0.95}).weight_decay(0.0)));
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                 torch::optim::AdamWOptions(0.0).betas({0.9, 0.95}).weight_decay(weight_decay)));
  optimizer_ = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(0.0).betas({0.9, 0.95}));
}

torch::Tensor MaeTrainer::forward_loss(const torch::Tensor& images, const torch::Tensor& noise) {
  model_->train();
  optimizer_->zero_grad();
  return model_->forward(images, random_masking(noise, mask_ratio_)).loss;
}

double MaeTrainer::compute_gradients(const torch::Tensor& images, const torch::Tensor& noise) {
  const auto loss_tensor = forward_loss(images, noise);
  const double loss = loss_tensor.item<double>();
  if (!std::isfinite(loss)) throw NonFiniteLoss("loss is " + std::to_string(loss) + ", stopping training");
  loss_tensor.backward();
  return loss;
}

std::vector<torch::Tensor> MaeTrainer::gradients() {
  std::vector<torch::Tensor> grads;
  for (auto& [name, parameter] : trained_) grads.push_back(parameter.mutable_grad());
  return grads;
}

void MaeTrainer::apply_update(double lr) {
  for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  optimizer_->step();
}

}  // namespace medanon::mae
