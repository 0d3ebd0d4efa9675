// Data-parallel training pieces: the gradient average across ranks, the data order and masks as
// functions of the global sample index, checkpoint rotation and the version-2 checkpoint fields.
// Runs in the unit suite with a world of one, and under `mpirun -np 2` (tests/mpi/
// test_train_gradients.sh), where the gradient test really averages across ranks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "mae/checkpoint_files.hpp"
#include "mae/gradient_averager.hpp"
#include "mae/trainer.hpp"
#include "mae/training_checkpoint.hpp"
#include "mae/training_data.hpp"
#include "tests/unit/test_world.hpp"

using namespace medanon::mae;

namespace {

MaeTrainer tiny_trainer(std::uint64_t seed) {
  torch::manual_seed(seed);
  return MaeTrainer(MaskedAutoencoderViT(mae_vit_tiny_test()), /*weight_decay=*/0.05, /*mask_ratio=*/0.75);
}

std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / (name + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST(MaeDistributed, AveragedGradientsEqualOneProcessOnTheConcatenatedBatch) {
  const auto world = test_world();
  const std::int64_t per_rank = 2, global = per_rank * world.size();
  torch::manual_seed(11);  // the same global batch on every rank
  const auto images = torch::rand({global, 1, 32, 32}), noise = torch::rand({global, 16});

  MaeTrainer reference = tiny_trainer(7);
  reference.compute_gradients(images, noise);

  MaeTrainer mine = tiny_trainer(7);
  // Small buckets: several allreduces started from the hooks while backward still runs.
  GradientAverager averager(mine.trained_parameters(), world, /*bucket_bytes=*/16 * 1024);
  EXPECT_GT(averager.bucket_count(), 2u);
  for (int step = 0; step < 2; ++step) {  // twice: buckets must reset between steps
    const auto first = world.rank() * per_rank;
    const auto loss = mine.forward_loss(images.slice(0, first, first + per_rank), noise.slice(0, first, first + per_rank));
    averager.begin_step();
    loss.backward();
    averager.finish_step();
  }
  const auto expected = reference.gradients(), averaged = mine.gradients();
  ASSERT_EQ(expected.size(), averaged.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(torch::allclose(averaged[i], expected[i], /*rtol=*/1e-4, /*atol=*/1e-6))
        << mine.trained_parameters()[i].first << " max diff "
        << (averaged[i] - expected[i]).abs().max().item<double>();
  }
}

TEST(MaeDistributed, MasksDependOnlyOnSeedEpochAndGlobalSampleIndex) {
  const auto whole = sample_noise(3, 2, 0, 6, 16);
  EXPECT_TRUE(torch::equal(sample_noise(3, 2, 2, 3, 16), whole.slice(0, 2, 5)));  // any slicing over ranks
  EXPECT_FALSE(torch::equal(sample_noise(3, 1, 0, 6, 16), whole));              // another epoch
  EXPECT_FALSE(torch::equal(sample_noise(4, 2, 0, 6, 16), whole));              // another seed
  EXPECT_TRUE(torch::equal(epoch_order(3, 5, 40), epoch_order(3, 5, 40)));
  EXPECT_FALSE(torch::equal(epoch_order(3, 5, 40), epoch_order(3, 6, 40)));
  EXPECT_TRUE(torch::equal(std::get<0>(torch::sort(epoch_order(3, 5, 40))), torch::arange(40)));
}

TEST(MaeDistributed, LatestCheckpointIsTheOneWithMostStepsAndOnlyTheLastNStay) {
  const auto dir = temp_dir("medanon_rotation_");
  EXPECT_EQ(latest_checkpoint(dir.string()), "");
  for (std::int64_t step : {5, 120, 40, 7}) std::ofstream(checkpoint_path(dir.string(), step)) << "x";
  std::ofstream(dir / "checkpoint-00000999.pth.tmp.1") << "partial";  // a temp file is never a checkpoint
  EXPECT_EQ(latest_checkpoint(dir.string()), checkpoint_path(dir.string(), 120));
  remove_old_checkpoints(dir.string(), 2);
  EXPECT_FALSE(std::filesystem::exists(checkpoint_path(dir.string(), 5)));
  EXPECT_FALSE(std::filesystem::exists(checkpoint_path(dir.string(), 7)));
  EXPECT_TRUE(std::filesystem::exists(checkpoint_path(dir.string(), 40)));
  EXPECT_TRUE(std::filesystem::exists(checkpoint_path(dir.string(), 120)));
  std::filesystem::remove_all(dir);
}

TEST(MaeDistributed, CheckpointKeepsStepInEpochGlobalBatchAndGeneratorState) {
  MaeTrainer trainer = tiny_trainer(5);
  trainer.compute_gradients(torch::rand({2, 1, 32, 32}), torch::rand({2, 16}));
  trainer.apply_update(1e-3);
  const auto dir = temp_dir("medanon_ckpt_v2_");
  TrainingProgress progress;
  progress.epoch = 2;
  progress.step_in_epoch = 3;
  progress.iteration = 11;
  progress.global_batch = 8;
  progress.world_size = 4;
  progress.args = {{"seed", "5"}};
  torch::manual_seed(77);
  const std::string path = checkpoint_path(dir.string(), 11);
  save_training_checkpoint(path, trainer, progress);
  const auto next_draw = torch::rand({4});

  MaeTrainer restored_trainer = tiny_trainer(6);
  EXPECT_NE(training_state_digest(restored_trainer), training_state_digest(trainer));
  const auto restored = load_training_checkpoint(path, restored_trainer);
  EXPECT_EQ(restored.step_in_epoch, 3);
  EXPECT_EQ(restored.global_batch, 8);
  EXPECT_EQ(restored.world_size, 4);
  EXPECT_EQ(restored.iteration, 11);
  EXPECT_TRUE(torch::equal(torch::rand({4}), next_draw));  // the generator continues where it was saved
  EXPECT_EQ(training_state_digest(restored_trainer), training_state_digest(trainer));
  std::filesystem::remove_all(dir);
}
