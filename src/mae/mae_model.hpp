#pragma once
// The masked autoencoder of He et al. (2022), "Masked Autoencoders Are Scalable Vision Learners",
// as in facebookresearch/mae models_mae.py, with the one-channel input and the grid masking of
// Georgescu et al. (2023), "Masked Autoencoders for Unsupervised Anomaly Detection in Medical
// Images" (lilygeorgescu/MAE-medical-anomaly-detection).
//
// Torch-facing: include only from src/mae/*.cpp and tests. The rest of medanon uses the opaque
// mae/anomaly_detector.hpp.
//
// State-dict names and shapes equal the PyTorch model's, so a torch.save'd state dict loads as is
// (254 tensors for ViT-B: see named_parameters()).

#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace medanon::mae {

struct MaeConfig {
  std::string name = "mae_vit_base_patch16";
  std::int64_t img_size = 224;
  std::int64_t patch_size = 16;
  std::int64_t in_chans = 1;  // radiographs: one channel, as Georgescu's BraTS model
  std::int64_t embed_dim = 768;
  std::int64_t depth = 12;
  std::int64_t num_heads = 12;
  std::int64_t decoder_embed_dim = 512;
  std::int64_t decoder_depth = 8;
  std::int64_t decoder_num_heads = 16;
  double mlp_ratio = 4.0;
  bool norm_pix_loss = false;        // targets normalised per patch (MAE paper, Table 1d)
  bool loss_on_all_patches = false;  // Georgescu's apply_loss_on_unmasked

  std::int64_t grid_size() const { return img_size / patch_size; }
  std::int64_t num_patches() const { return grid_size() * grid_size(); }
  std::int64_t patch_dim() const { return patch_size * patch_size * in_chans; }
  void validate() const;  // throws std::invalid_argument
};

// The thesis model: ViT-B/16 encoder, 512-d 8-block decoder, one channel, 224 px.
MaeConfig mae_vit_base_patch16();
// The same architecture, narrow and shallow enough to train on a CPU in minutes.
MaeConfig mae_vit_small_synth();
// A few thousand parameters for unit tests (img 32, patch 8).
MaeConfig mae_vit_tiny_test();
// By name: "mae_vit_base_patch16" | "mae_vit_small_synth" | "mae_vit_tiny_test".
MaeConfig mae_config_by_name(const std::string& name);

// --------------------------------------------------------------------------
// Fixed 2-D sine-cosine position embeddings (MoCo v3 / MAE util/pos_embed.py)
// --------------------------------------------------------------------------
// [M, dim]: sin(pos * omega_i) for the first half of the channels, cos for the second, with
// omega_i = 1 / 10000^(i / (dim/2)).
torch::Tensor sincos_1d(std::int64_t dim, const torch::Tensor& positions);
// [G*G, dim] for a G x G grid in raster order: the first half of the channels encodes the
// column (upstream's meshgrid puts w first), the second half the row.
torch::Tensor sincos_2d(std::int64_t dim, std::int64_t grid_size);
// [1 + G*G, dim]: a zero row for the cls token, then sincos_2d.
torch::Tensor sincos_2d_with_cls(std::int64_t dim, std::int64_t grid_size);

// --------------------------------------------------------------------------
// Masking: which patches the encoder sees
// --------------------------------------------------------------------------
struct Masking {
  torch::Tensor ids_keep;     // [N, K] indices of the visible patches, in encoder order
  torch::Tensor mask;         // [N, L] 0 = visible, 1 = removed (float)
  torch::Tensor ids_restore;  // [N, L] position of each patch in the (visible, removed) order
};

// Per-sample random masking by argsort of uniform noise [N, L] (MAE): the len_keep patches with
// the smallest noise stay visible, len_keep = int(L * (1 - mask_ratio)).
Masking random_masking(const torch::Tensor& noise, double mask_ratio);
// Georgescu's test-time grid masking: the tokens are split into groups of `group` consecutive
// raster-order indices (not 2x2 squares: with a 14-wide grid a group can wrap to the next row)
// and the one with the largest noise in each group stays visible. Visible patches keep raster
// order, then the removed ones, as upstream. L must be divisible by `group`.
Masking grid_masking(const torch::Tensor& noise, std::int64_t group = 4);

// --------------------------------------------------------------------------
// Transformer block (timm VisionTransformer Block, pre-norm)
// --------------------------------------------------------------------------
class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(std::int64_t dim, std::int64_t num_heads);
  torch::Tensor forward(const torch::Tensor& x);  // [N, T, D] -> [N, T, D]

  torch::nn::Linear qkv{nullptr}, proj{nullptr};

 private:
  std::int64_t num_heads_;
  double scale_;
};
TORCH_MODULE(Attention);

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(std::int64_t dim, std::int64_t hidden_dim);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Mlp);

class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(std::int64_t dim, std::int64_t num_heads, double mlp_ratio);
  torch::Tensor forward(torch::Tensor x);

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  Attention attn{nullptr};
  Mlp mlp{nullptr};
};
TORCH_MODULE(Block);

// timm PatchEmbed: a stride-p convolution, flattened to tokens.
class PatchEmbedImpl : public torch::nn::Module {
 public:
  PatchEmbedImpl(std::int64_t patch_size, std::int64_t in_chans, std::int64_t embed_dim);
  torch::Tensor forward(const torch::Tensor& imgs);  // [N, C, H, W] -> [N, L, D]

  torch::nn::Conv2d proj{nullptr};
};
TORCH_MODULE(PatchEmbed);

// --------------------------------------------------------------------------
// The masked autoencoder
// --------------------------------------------------------------------------
struct MaeOutput {
  torch::Tensor loss;  // scalar
  torch::Tensor pred;  // [N, L, p*p*C]
  torch::Tensor mask;  // [N, L]
};

class MaskedAutoencoderViTImpl : public torch::nn::Module {
 public:
  explicit MaskedAutoencoderViTImpl(const MaeConfig& config);

  // Upstream's initialisation: xavier-uniform linears (and the patch projection viewed as one),
  // N(0, 0.02) cls and mask tokens, unit LayerNorms, fixed sin-cos position embeddings.
  void initialize_weights();

  torch::Tensor patchify(const torch::Tensor& imgs) const;  // [N, C, H, W] -> [N, L, p*p*C]
  torch::Tensor unpatchify(const torch::Tensor& x) const;   // [N, L, p*p*C] -> [N, C, H, W]

  torch::Tensor forward_encoder(const torch::Tensor& imgs, const Masking& masking);          // [N, 1+K, D]
  torch::Tensor forward_decoder(const torch::Tensor& latent, const torch::Tensor& ids_restore);  // [N, L, p*p*C]
  torch::Tensor forward_loss(const torch::Tensor& imgs, const torch::Tensor& pred, const torch::Tensor& mask) const;
  MaeOutput forward(const torch::Tensor& imgs, const Masking& masking);

  const MaeConfig& config() const { return config_; }

  // encoder
  PatchEmbed patch_embed{nullptr};
  torch::Tensor cls_token, pos_embed;  // [1, 1, D], [1, 1+L, D] (fixed)
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  // decoder
  torch::nn::Linear decoder_embed{nullptr};
  torch::Tensor mask_token, decoder_pos_embed;  // [1, 1, Dd], [1, 1+L, Dd] (fixed)
  torch::nn::ModuleList decoder_blocks{nullptr};
  torch::nn::LayerNorm decoder_norm{nullptr};
  torch::nn::Linear decoder_pred{nullptr};

 private:
  MaeConfig config_;
};
TORCH_MODULE(MaskedAutoencoderViT);

}  // namespace medanon::mae
