// The training step, its optimizer groups and the checkpoint that resumes it exactly.
#include <gtest/gtest.h>

#include <filesystem>

#include "mae/trainer.hpp"
#include "mae/training_checkpoint.hpp"
#include "tests/unit/mae_python_fixtures.hpp"

using namespace medanon::mae;

namespace {

MaeTrainer tiny_trainer(std::uint64_t seed) {
  torch::manual_seed(seed);
  return MaeTrainer(MaskedAutoencoderViT(mae_vit_tiny_test()), /*weight_decay=*/0.05, /*mask_ratio=*/0.75);
}

void train_steps(MaeTrainer& trainer, int first, int count) {
  for (int step = first; step < first + count; ++step) {
    torch::manual_seed(1000 + step);  // batches and masks are functions of the step, as in train_mae
    const auto images = torch::rand({4, 1, 32, 32});
    const auto noise = torch::rand({4, 16});
    trainer.compute_gradients(images, noise);
    trainer.apply_update(1e-3);
  }
}

std::string temp_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + std::to_string(::getpid()) + ".pth")).string();
}

}  // namespace

TEST(MaeTraining, WeightDecayOnlyOnMatricesAndFixedPositionEmbeddingsAreNotTrained) {
  MaeTrainer trainer = tiny_trainer(1);
  const auto& groups = trainer.optimizer().param_groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(static_cast<const torch::optim::AdamWOptions&>(groups[0].options()).weight_decay(), 0.0);
  EXPECT_EQ(static_cast<const torch::optim::AdamWOptions&>(groups[1].options()).weight_decay(), 0.05);
  EXPECT_EQ(static_cast<const torch::optim::AdamWOptions&>(groups[1].options()).betas(), std::make_tuple(0.9, 0.95));
  for (const auto& p : groups[0].params()) EXPECT_EQ(p.dim(), 1);  // biases and norms
  for (const auto& p : groups[1].params()) EXPECT_GT(p.dim(), 1);
  for (const auto& [name, p] : trainer.trained_parameters()) EXPECT_EQ(name.find("pos_embed"), std::string::npos);
  // cls_token and mask_token are [1, 1, D]: not 1-D, so they decay, as in timm's add_weight_decay.
  EXPECT_EQ(groups[0].params().size() + groups[1].params().size(), trainer.trained_parameters().size());
}

TEST(MaeTraining, StepsReduceTheLossOnAFixedBatch) {
  MaeTrainer trainer = tiny_trainer(2);
  torch::manual_seed(9);
  const auto images = torch::rand({4, 1, 32, 32}), noise = torch::rand({4, 16});
  const double first = trainer.compute_gradients(images, noise);
  EXPECT_EQ(trainer.gradients().size(), trainer.trained_parameters().size());
  trainer.apply_update(1e-3);
  double last = first;
  for (int i = 0; i < 20; ++i) {
    last = trainer.compute_gradients(images, noise);
    trainer.apply_update(1e-3);
  }
  EXPECT_LT(last, first * 0.7);
}

TEST(MaeTraining, NonFiniteLossStopsBeforeAnyUpdate) {
  MaeTrainer trainer = tiny_trainer(3);
  auto images = torch::rand({2, 1, 32, 32});
  images[0][0][0][0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(trainer.compute_gradients(images, torch::rand({2, 16})), NonFiniteLoss);
}

TEST(MaeTraining, ResumingFromACheckpointContinuesBitForBit) {
  MaeTrainer uninterrupted = tiny_trainer(4);
  train_steps(uninterrupted, 0, 3);
  const std::string path = temp_file("medanon_resume_");
  TrainingProgress progress;
  progress.epoch = 1;
  progress.iteration = 3;
  progress.args = {{"seed", "4"}};
  save_training_checkpoint(path, uninterrupted, progress);
  train_steps(uninterrupted, 3, 3);

  MaeTrainer resumed = tiny_trainer(99);  // different initial weights: all must come from the file
  const auto restored = load_training_checkpoint(path, resumed);
  EXPECT_EQ(restored.iteration, 3);
  EXPECT_EQ(restored.epoch, 1);
  EXPECT_EQ(restored.args.at("seed"), "4");
  EXPECT_EQ(checkpoint_config(path).name, "mae_vit_tiny_test");
  train_steps(resumed, 3, 3);
  const auto a = uninterrupted.trained_parameters(), b = resumed.trained_parameters();
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;

  if (medanon::test::system_python_has_torch()) {  // and Python reads it like an upstream checkpoint
    const std::string check = "/usr/bin/python3 -c \"import torch; c = torch.load('" + path +
                              "'); assert c['format'] == 'medanon-mae-checkpoint'; assert c['model']['cls_token'].shape "
                              "== (1, 1, 32); assert c['epoch'] == 1\"";
    EXPECT_EQ(std::system(check.c_str()), 0);
  }
  std::filesystem::remove(path);
}
