// Checkpoints written by PyTorch itself load in C++, and the port computes what PyTorch computes.
#include <gtest/gtest.h>

#include "mae/checkpoint.hpp"
#include "mae/mae_model.hpp"
#include "mae/reconstruction.hpp"
#include "tests/unit/mae_python_fixtures.hpp"

using namespace medanon::mae;

namespace {

std::string fixtures_or_skip() {
  if (!medanon::test::system_python_has_torch()) return "";
  return medanon::test::mae_python_fixtures();
}

#define REQUIRE_FIXTURES(dir)                                                             \
  const std::string dir = fixtures_or_skip();                                            \
  if (dir.empty()) GTEST_SKIP() << "needs /usr/bin/python3 with python3-torch (Debian)"; \
  do {                                                                                    \
  } while (0)

torch::Tensor tensor_in(const PyRef& saved, const std::string& key) {
  const auto value = saved->find(key);
  EXPECT_TRUE(value && value->kind == PyValue::Kind::tensor) << key;
  return value ? value->tensor : torch::Tensor();
}

}  // namespace

TEST(MaeCheckpoint, BratsStyleFileWithNamespaceArgsLoadsEveryTensor) {
  REQUIRE_FIXTURES(dir);
  MaskedAutoencoderViT model(mae_vit_tiny_test());
  const auto loaded = load_checkpoint_into(*model, dir + "/brats_style.pth", /*strict=*/true);
  EXPECT_TRUE(loaded.report.complete()) << loaded.report.summary();
  EXPECT_EQ(loaded.report.loaded.size(), state_dict_of(*model).size());

  const auto& saved = loaded.saved;
  EXPECT_EQ(saved->find("epoch")->integer, 7);
  const auto args = saved->find("args");
  ASSERT_TRUE(args);
  EXPECT_EQ(args->kind, PyValue::Kind::object);
  EXPECT_EQ(args->text, "argparse.Namespace");
  EXPECT_EQ(args->find("model")->text, "mae_vit_tiny_test");
  EXPECT_EQ(args->find("batch_size")->integer, 64);
  EXPECT_DOUBLE_EQ(args->find("blr")->floating, 1e-3);
  EXPECT_EQ(args->find("norm_pix_loss")->boolean, false);
  EXPECT_DOUBLE_EQ(saved->find("scaler")->find("scale")->floating, 65536.0);
  const auto optimizer = saved->find("optimizer");
  ASSERT_TRUE(optimizer && optimizer->find("state"));
  EXPECT_FALSE(optimizer->find("state")->entries.empty());  // int-keyed AdamW moments
  EXPECT_EQ(optimizer->find("param_groups")->kind, PyValue::Kind::list);
}

TEST(MaeCheckpoint, MissingUnexpectedAndMisshapedKeysAreReportedByName) {
  REQUIRE_FIXTURES(dir);
  MaskedAutoencoderViT model(mae_vit_tiny_test());
  const auto before = model->decoder_pred->weight.clone();
  try {
    load_checkpoint_into(*model, dir + "/mismatched.pth", /*strict=*/true);
    FAIL() << "a strict load of a mismatched state dict must throw";
  } catch (const TorchSaveError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("missing in file: norm.bias"), std::string::npos) << message;
    EXPECT_NE(message.find("unexpected in file: head.weight"), std::string::npos) << message;
    EXPECT_NE(message.find("shape mismatch: decoder_pred.weight: file [5, 16] vs model [64, 16]"), std::string::npos)
        << message;
  }
  EXPECT_TRUE(torch::equal(model->decoder_pred->weight, before));  // strict failure copies nothing
  const auto lenient = load_checkpoint_into(*model, dir + "/mismatched.pth", /*strict=*/false);
  EXPECT_FALSE(lenient.report.complete());
  EXPECT_EQ(lenient.report.loaded.size(), state_dict_of(*model).size() - 2);
}

TEST(MaeCheckpoint, LegacyFormatIsRefusedWithTheConversionCommand) {
  REQUIRE_FIXTURES(dir);
  try {
    read_torch_save(dir + "/legacy.pth");
    FAIL() << "legacy files must be refused";
  } catch (const TorchSaveError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("legacy"), std::string::npos) << message;
    EXPECT_NE(message.find("torch.save(torch.load("), std::string::npos) << message;
  }
}

TEST(MaePortEquivalence, EncoderDecoderLossAndAnomalyMapEqualPyTorchWithin1e5) {
  REQUIRE_FIXTURES(dir);
  MaskedAutoencoderViT model(mae_vit_tiny_test());
  load_checkpoint_into(*model, dir + "/brats_style.pth", /*strict=*/true);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto expected = read_torch_save(dir + "/equivalence.pth");
  const auto imgs = tensor_in(expected, "imgs");

  const Masking masking = random_masking(tensor_in(expected, "noise"), 0.75);
  const auto latent = model->forward_encoder(imgs, masking);
  const auto pred = model->forward_decoder(latent, masking.ids_restore);
  const auto loss = model->forward_loss(imgs, pred, masking.mask);
  EXPECT_TRUE(torch::allclose(latent, tensor_in(expected, "latent"), 0.0, 1e-5));
  EXPECT_TRUE(torch::allclose(pred, tensor_in(expected, "pred"), 0.0, 1e-5));
  EXPECT_TRUE(torch::equal(masking.mask, tensor_in(expected, "mask")));
  EXPECT_NEAR(loss.item<double>(), tensor_in(expected, "loss").item<double>(), 1e-5);

  MaeConfig variant = mae_vit_tiny_test();
  variant.norm_pix_loss = true;
  MaskedAutoencoderViT norm_pix(variant);
  EXPECT_NEAR(norm_pix->forward_loss(imgs, pred, masking.mask).item<double>(),
              tensor_in(expected, "loss_norm_pix").item<double>(), 1e-5);
  variant.norm_pix_loss = false;
  variant.loss_on_all_patches = true;
  MaskedAutoencoderViT all_patches(variant);
  EXPECT_NEAR(all_patches->forward_loss(imgs, pred, masking.mask).item<double>(),
              tensor_in(expected, "loss_all").item<double>(), 1e-5);

  const auto noises = tensor_in(expected, "trial_noises").unbind(0);
  const auto reconstruction = reconstruct_with_grid_masking(model, imgs, {noises.begin(), noises.end()});
  EXPECT_LT((reconstruction.average - tensor_in(expected, "reconstruction")).abs().max().item<double>(), 1e-5);
  EXPECT_LT((reconstruction.anomaly - tensor_in(expected, "anomaly_map")).abs().max().item<double>(), 1e-5);
}
