// The MAE model: PyTorch's names and shapes, the position embeddings, the two maskings,
// patchify, forward and loss.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "mae/checkpoint.hpp"
#include "mae/mae_model.hpp"

using namespace medanon::mae;

TEST(MaeModel, VitBaseStateDictHasUpstreamNamesAndShapes) {
  torch::manual_seed(0);
  MaskedAutoencoderViT model(mae_vit_base_patch16());
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& [name, tensor] : state_dict_of(*model)) shapes[name] = tensor.sizes().vec();
  EXPECT_EQ(shapes.size(), 254u);
  const std::map<std::string, std::vector<int64_t>> expected = {
      {"cls_token", {1, 1, 768}},
      {"pos_embed", {1, 197, 768}},
      {"mask_token", {1, 1, 512}},
      {"decoder_pos_embed", {1, 197, 512}},
      {"patch_embed.proj.weight", {768, 1, 16, 16}},
      {"patch_embed.proj.bias", {768}},
      {"blocks.0.norm1.weight", {768}},
      {"blocks.0.attn.qkv.weight", {2304, 768}},
      {"blocks.0.attn.qkv.bias", {2304}},
      {"blocks.11.attn.proj.weight", {768, 768}},
      {"blocks.11.mlp.fc1.weight", {3072, 768}},
      {"blocks.11.mlp.fc2.weight", {768, 3072}},
      {"blocks.11.norm2.bias", {768}},
      {"norm.weight", {768}},
      {"decoder_embed.weight", {512, 768}},
      {"decoder_blocks.7.attn.qkv.weight", {1536, 512}},
      {"decoder_blocks.7.mlp.fc1.weight", {2048, 512}},
      {"decoder_norm.bias", {512}},
      {"decoder_pred.weight", {256, 512}},
      {"decoder_pred.bias", {256}},
  };
  for (const auto& [name, shape] : expected) {
    ASSERT_TRUE(shapes.count(name)) << name;
    EXPECT_EQ(shapes[name], shape) << name;
  }
  EXPECT_FALSE(shapes.count("blocks.12.norm1.weight"));
  EXPECT_FALSE(model->pos_embed.requires_grad());
  EXPECT_FALSE(model->decoder_pos_embed.requires_grad());
  EXPECT_TRUE(model->cls_token.requires_grad());
}

TEST(MaePositionEmbedding, FirstHalfEncodesColumnSecondHalfRowAfterZeroClsRow) {
  const auto embedding = sincos_2d_with_cls(/*dim=*/8, /*grid_size=*/3);  // [1 + 9, 8]
  ASSERT_EQ(embedding.sizes(), (std::vector<int64_t>{10, 8}));
  EXPECT_EQ(embedding[0].abs().sum().item<float>(), 0.0f);
  // Independent formula: for a quarter-dim of 2, omega = {1, 1/100}; token (row r, column c) is
  // [sin(c w0), sin(c w1), cos(c w0), cos(c w1), sin(r w0), sin(r w1), cos(r w0), cos(r w1)].
  const double omega[2] = {1.0, 0.01};
  for (int row = 0; row < 3; ++row) {
    for (int column = 0; column < 3; ++column) {
      const auto token = embedding[1 + row * 3 + column];
      for (int i = 0; i < 2; ++i) {
        EXPECT_NEAR(token[i].item<float>(), std::sin(column * omega[i]), 1e-6);
        EXPECT_NEAR(token[2 + i].item<float>(), std::cos(column * omega[i]), 1e-6);
        EXPECT_NEAR(token[4 + i].item<float>(), std::sin(row * omega[i]), 1e-6);
        EXPECT_NEAR(token[6 + i].item<float>(), std::cos(row * omega[i]), 1e-6);
      }
    }
  }
  // A literal from upstream's numpy code: dim 4, grid 2, token (row 0, column 1).
  const auto small = sincos_2d(4, 2);
  EXPECT_NEAR(small[1][0].item<float>(), 0.84147098f, 1e-6);
  EXPECT_NEAR(small[1][1].item<float>(), 0.54030231f, 1e-6);
  EXPECT_NEAR(small[1][2].item<float>(), 0.0f, 1e-6);
  EXPECT_NEAR(small[1][3].item<float>(), 1.0f, 1e-6);
}

TEST(MaeMasking, RandomMaskingKeepsTheSmallestNoiseAndRestoresOrder) {
  torch::manual_seed(3);
  const auto noise = torch::rand({2, 16});
  const Masking m = random_masking(noise, 0.75);
  ASSERT_EQ(m.ids_keep.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(m.mask.sum().item<float>(), 24.0f);
  for (int b = 0; b < 2; ++b) {
    const float fourth_smallest = std::get<0>(noise[b].sort()).index({3}).item<float>();
    for (int i = 0; i < 16; ++i) {
      EXPECT_EQ(m.mask[b][i].item<float>(), noise[b][i].item<float>() <= fourth_smallest ? 0.0f : 1.0f);
    }
  }
  const auto shuffle = torch::argsort(noise, /*dim=*/std::int64_t{1});
  EXPECT_TRUE(torch::equal(torch::gather(shuffle, 1, m.ids_restore), torch::arange(16).expand({2, 16})));
}

TEST(MaeMasking, GridMaskingKeepsTheMaximumOfEachRunOfFourRasterTokens) {
  torch::manual_seed(4);
  const auto noise = torch::rand({3, 196});
  const Masking m = grid_masking(noise);
  ASSERT_EQ(m.ids_keep.sizes(), (std::vector<int64_t>{3, 49}));
  for (int b = 0; b < 3; ++b) {
    for (int group = 0; group < 49; ++group) {
      const auto kept = m.ids_keep[b][group].item<int64_t>();  // visible ones stay in raster order
      EXPECT_EQ(kept, group * 4 + noise[b].slice(0, group * 4, group * 4 + 4).argmax().item<int64_t>());
      for (int i = group * 4; i < group * 4 + 4; ++i) EXPECT_EQ(m.mask[b][i].item<float>(), i == kept ? 0.0f : 1.0f);
    }
  }
}

TEST(MaeModel, PatchifyIsChannelLastPerPatchAndUnpatchifyInvertsItForAnyChannelCount) {
  MaeConfig config = mae_vit_tiny_test();
  config.in_chans = 2;
  MaskedAutoencoderViT model(config);
  const auto imgs = torch::rand({2, 2, 32, 32});
  const auto patches = model->patchify(imgs);
  ASSERT_EQ(patches.sizes(), (std::vector<int64_t>{2, 16, 128}));
  // Patch 1 is rows 0-7, columns 8-15; its entry (y, x, c) sits at (y*8 + x)*2 + c.
  EXPECT_EQ(patches[1][1][(3 * 8 + 5) * 2 + 1].item<float>(), imgs[1][1][3][8 + 5].item<float>());
  EXPECT_TRUE(torch::equal(model->unpatchify(patches), imgs));
}

TEST(MaeModel, ForwardGivesPredictionsPerPatchAndAMaskedLossThatTrains) {
  torch::manual_seed(5);
  MaskedAutoencoderViT model(mae_vit_tiny_test());
  const auto imgs = torch::rand({2, 1, 32, 32});
  const Masking masking = random_masking(torch::rand({2, 16}), 0.75);
  const auto out = model->forward(imgs, masking);
  EXPECT_EQ(out.pred.sizes(), (std::vector<int64_t>{2, 16, 64}));
  EXPECT_EQ(model->forward_encoder(imgs, masking).sizes(), (std::vector<int64_t>{2, 1 + 4, 32}));
  const auto per_patch = (out.pred - model->patchify(imgs)).pow(2).mean(-1);
  EXPECT_NEAR(out.loss.item<float>(), ((per_patch * out.mask).sum() / out.mask.sum()).item<float>(), 1e-6);
  out.loss.backward();
  EXPECT_TRUE(model->cls_token.grad().defined());
  EXPECT_GT(model->blocks[0]->as<Block>()->attn->qkv->weight.grad().abs().sum().item<float>(), 0.0f);
}

TEST(MaeModel, AllPatchesLossIsThePlainMeanAndNormPixLossNormalisesTargets) {
  torch::manual_seed(6);
  MaeConfig config = mae_vit_tiny_test();
  config.loss_on_all_patches = true;
  MaskedAutoencoderViT model(config);
  const auto imgs = torch::rand({2, 1, 32, 32});
  const auto pred = torch::rand({2, 16, 64});
  const auto mask = random_masking(torch::rand({2, 16}), 0.75).mask;
  EXPECT_NEAR(model->forward_loss(imgs, pred, mask).item<float>(),
              (pred - model->patchify(imgs)).pow(2).mean().item<float>(), 1e-6);
  MaeConfig norm_pix = mae_vit_tiny_test();
  norm_pix.norm_pix_loss = true;
  MaskedAutoencoderViT normalised(norm_pix);
  // A prediction equal to the normalised target has zero loss.
  auto target = normalised->patchify(imgs);
  target = (target - target.mean(-1, true)) / torch::sqrt(target.var(-1, true, true) + 1e-6);
  EXPECT_NEAR(normalised->forward_loss(imgs, target, mask).item<float>(), 0.0f, 1e-10);
}
