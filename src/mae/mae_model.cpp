// The masked autoencoder, in the order of the paper: configs, position embeddings, masking,
// the transformer block, then encoder, decoder and loss.

#include "mae/mae_model.hpp"
#include "core/errors.hpp"

#include <cmath>
#include <stdexcept>

namespace medanon::mae {

namespace {
// timm builds the MAE's norm_layer as partial(nn.LayerNorm, eps=1e-6).
torch::nn::LayerNorm layer_norm(std::int64_t dim) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-6));
}
}  // namespace

void MaeConfig::validate() const {
  auto require = [this](bool ok, const char* what) {
    if (!ok) throw UsageError("MAE config '" + name + "': " + what, Scope::all_ranks);
  };
  require(patch_size > 0 && img_size % patch_size == 0, "img_size must be a multiple of patch_size");
  require(in_chans > 0, "in_chans must be positive");
  require(embed_dim % num_heads == 0, "embed_dim must be divisible by num_heads");
  require(decoder_embed_dim % decoder_num_heads == 0, "decoder_embed_dim must be divisible by decoder_num_heads");
  require(embed_dim % 4 == 0 && decoder_embed_dim % 4 == 0, "2-D sin-cos embeddings need dims divisible by 4");
  require(depth > 0 && decoder_depth > 0, "depths must be positive");
}

MaeConfig mae_vit_base_patch16() { return MaeConfig{}; }

MaeConfig mae_vit_small_synth() {
  MaeConfig c;
  c.name = "mae_vit_small_synth";
  c.embed_dim = 192;
  c.depth = 4;
  c.num_heads = 3;
  c.decoder_embed_dim = 128;
  c.decoder_depth = 2;
  c.decoder_num_heads = 4;
  return c;
}

MaeConfig mae_vit_tiny_test() {
  MaeConfig c;
  c.name = "mae_vit_tiny_test";
  c.img_size = 32;
  c.patch_size = 8;
  c.embed_dim = 32;
  c.depth = 2;
  c.num_heads = 4;
  c.decoder_embed_dim = 16;
  c.decoder_depth = 1;
  c.decoder_num_heads = 2;
  return c;
}

MaeConfig mae_config_by_name(const std::string& name) {
  if (name == "mae_vit_base_patch16") return mae_vit_base_patch16();
  if (name == "mae_vit_small_synth") return mae_vit_small_synth();
  if (name == "mae_vit_tiny_test") return mae_vit_tiny_test();
  throw UsageError("unknown MAE model '" + name +
                              "' (mae_vit_base_patch16, mae_vit_small_synth, mae_vit_tiny_test)", Scope::all_ranks);
}

// --------------------------------------------------------------------------
// Position embeddings
// --------------------------------------------------------------------------
torch::Tensor sincos_1d(std::int64_t dim, const torch::Tensor& positions) {
  // Computed in double like upstream's numpy, rounded to float once at the end.
  auto omega = torch::arange(dim / 2, torch::kFloat64) / (dim / 2.0);
  omega = 1.0 / torch::pow(10000.0, omega);                                              // [D/2]
  const auto out = torch::outer(positions.reshape({-1}).to(torch::kFloat64), omega);  // [M, D/2]
  return torch::cat({torch::sin(out), torch::cos(out)}, 1);                              // [M, D]
}

torch::Tensor sincos_2d(std::int64_t dim, std::int64_t grid_size) {
  const auto coords = torch::arange(grid_size, torch::kFloat64);
  const auto column = coords.repeat({grid_size});                         // [G*G] x of each raster token
  const auto row = coords.repeat_interleave(grid_size);                   // [G*G] y of each raster token
  const auto embedding = torch::cat({sincos_1d(dim / 2, column), sincos_1d(dim / 2, row)}, 1);  // [G*G, D]
  return embedding.to(torch::kFloat32);
}

torch::Tensor sincos_2d_with_cls(std::int64_t dim, std::int64_t grid_size) {
  return torch::cat({torch::zeros({1, dim}), sincos_2d(dim, grid_size)}, 0);  // [1+G*G, D]
}

// --------------------------------------------------------------------------
// Masking
// --------------------------------------------------------------------------
namespace {
// Both maskings are a permutation of the tokens (visible first) and a number of visible ones.
Masking masking_from_shuffle(const torch::Tensor& ids_shuffle, std::int64_t len_keep) {
  const auto n = ids_shuffle.size(0), length = ids_shuffle.size(1);
  Masking m;
  m.ids_restore = torch::argsort(ids_shuffle, /*dim=*/std::int64_t{1});  // [N, L]
  m.ids_keep = ids_shuffle.slice(1, 0, len_keep);  // [N, K]
  auto mask = torch::ones({n, length}, ids_shuffle.options().dtype(torch::kFloat32));
  mask.slice(1, 0, len_keep).zero_();
  m.mask = torch::gather(mask, 1, m.ids_restore);  // [N, L] unshuffled
  return m;
}
}  // namespace

Masking random_masking(const torch::Tensor& noise, double mask_ratio) {
  const auto length = noise.size(1);
  const auto len_keep = static_cast<std::int64_t>(static_cast<double>(length) * (1.0 - mask_ratio));
  return masking_from_shuffle(torch::argsort(noise, /*dim=*/std::int64_t{1}), len_keep);  // ascending: small noise is kept
}

Masking grid_masking(const torch::Tensor& noise, std::int64_t group) {
  const auto n = noise.size(0), length = noise.size(1);
  if (length % group != 0) throw InternalError("grid masking: token count not divisible by the group size");
  const auto winner = noise.reshape({n, length / group, group}).argmax(2);                     // [N, L/g]
  const auto starts = torch::arange(0, length, group, noise.options().dtype(torch::kLong));  // [L/g]
  const auto visible = winner + starts;                                                       // [N, L/g]
  auto removed = torch::ones({n, length}, noise.options().dtype(torch::kLong));
  removed.scatter_(1, visible, 0);
  // Sort key: visible tokens in raster order, then removed ones in raster order (upstream builds
  // ids_restore from the kept indices followed by the others, sorted).
  const auto key = removed * length + torch::arange(length, removed.options());
  return masking_from_shuffle(torch::argsort(key, /*dim=*/std::int64_t{1}), length / group);
}

// --------------------------------------------------------------------------
// Transformer block
// --------------------------------------------------------------------------
AttentionImpl::AttentionImpl(std::int64_t dim, std::int64_t num_heads)
    : num_heads_(num_heads), scale_(1.0 / std::sqrt(static_cast<double>(dim / num_heads))) {
  qkv = register_module("qkv", torch::nn::Linear(torch::nn::LinearOptions(dim, 3 * dim).bias(true)));
  proj = register_module("proj", torch::nn::Linear(dim, dim));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x) {
  const auto n = x.size(0), tokens = x.size(1), dim = x.size(2);
  const auto qkv_heads =
      qkv(x).reshape({n, tokens, 3, num_heads_, dim / num_heads_}).permute({2, 0, 3, 1, 4});  // [3, N, H, T, d]
  const auto q = qkv_heads[0], k = qkv_heads[1], v = qkv_heads[2];                             // [N, H, T, d]
  const auto attn = (torch::matmul(q, k.transpose(-2, -1)) * scale_).softmax(-1);             // [N, H, T, T]
  const auto out = torch::matmul(attn, v).transpose(1, 2).reshape({n, tokens, dim});          // [N, T, D]
  return proj(out);
}

MlpImpl::MlpImpl(std::int64_t dim, std::int64_t hidden_dim) {
  fc1 = register_module("fc1", torch::nn::Linear(dim, hidden_dim));
  fc2 = register_module("fc2", torch::nn::Linear(hidden_dim, dim));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  return fc2(torch::gelu(fc1(x)));  // exact (erf) GELU, as nn.GELU()
}

BlockImpl::BlockImpl(std::int64_t dim, std::int64_t num_heads, double mlp_ratio) {
  norm1 = register_module("norm1", layer_norm(dim));
  attn = register_module("attn", Attention(dim, num_heads));
  norm2 = register_module("norm2", layer_norm(dim));
  mlp = register_module("mlp", Mlp(dim, static_cast<std::int64_t>(static_cast<double>(dim) * mlp_ratio)));
}

torch::Tensor BlockImpl::forward(torch::Tensor x) {
  x = x + attn(norm1(x));
  return x + mlp(norm2(x));
}

PatchEmbedImpl::PatchEmbedImpl(std::int64_t patch_size, std::int64_t in_chans, std::int64_t embed_dim) {
  proj = register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_chans, embed_dim, /*kernel_size=*/patch_size)
                                                       .stride(patch_size)));
}

torch::Tensor PatchEmbedImpl::forward(const torch::Tensor& imgs) {
  return proj(imgs).flatten(2).transpose(1, 2);  // [N, D, h, w] -> [N, L, D]
}

// --------------------------------------------------------------------------
// The masked autoencoder
// --------------------------------------------------------------------------
MaskedAutoencoderViTImpl::MaskedAutoencoderViTImpl(const MaeConfig& config) : config_(config) {
  config_.validate();
  const auto length = config_.num_patches();
  const auto dim = config_.embed_dim, decoder_dim = config_.decoder_embed_dim;

  // MAE encoder specifics
  patch_embed = register_module("patch_embed", PatchEmbed(config_.patch_size, config_.in_chans, dim));
  cls_token = register_parameter("cls_token", torch::zeros({1, 1, dim}));
  pos_embed = register_parameter("pos_embed", torch::zeros({1, length + 1, dim}), /*requires_grad=*/false);
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < config_.depth; ++i) blocks->push_back(Block(dim, config_.num_heads, config_.mlp_ratio));
  norm = register_module("norm", layer_norm(dim));

  // MAE decoder specifics
  decoder_embed = register_module("decoder_embed", torch::nn::Linear(dim, decoder_dim));
  mask_token = register_parameter("mask_token", torch::zeros({1, 1, decoder_dim}));
  decoder_pos_embed =
      register_parameter("decoder_pos_embed", torch::zeros({1, length + 1, decoder_dim}), /*requires_grad=*/false);
  decoder_blocks = register_module("decoder_blocks", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < config_.decoder_depth; ++i) {
    decoder_blocks->push_back(Block(decoder_dim, config_.decoder_num_heads, config_.mlp_ratio));
  }
  decoder_norm = register_module("decoder_norm", layer_norm(decoder_dim));
  decoder_pred = register_module("decoder_pred", torch::nn::Linear(decoder_dim, config_.patch_dim()));

  initialize_weights();
}

void MaskedAutoencoderViTImpl::initialize_weights() {
  torch::NoGradGuard no_grad;
  pos_embed.copy_(sincos_2d_with_cls(config_.embed_dim, config_.grid_size()).unsqueeze(0));
  decoder_pos_embed.copy_(sincos_2d_with_cls(config_.decoder_embed_dim, config_.grid_size()).unsqueeze(0));

  // The patch projection is initialised like a linear layer (instead of a convolution).
  auto& w = patch_embed->proj->weight;
  torch::nn::init::xavier_uniform_(w.view({w.size(0), -1}));
  torch::nn::init::normal_(cls_token, 0.0, 0.02);
  torch::nn::init::normal_(mask_token, 0.0, 0.02);

  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<torch::nn::Linear>()) {
      torch::nn::init::xavier_uniform_(linear->weight);
      torch::nn::init::zeros_(linear->bias);
    } else if (auto* layer_norm_module = module->as<torch::nn::LayerNorm>()) {
      torch::nn::init::ones_(layer_norm_module->weight);
      torch::nn::init::zeros_(layer_norm_module->bias);
    }
  }
}

torch::Tensor MaskedAutoencoderViTImpl::patchify(const torch::Tensor& imgs) const {
  const auto p = config_.patch_size, c = config_.in_chans, n = imgs.size(0);
  const auto h = imgs.size(2) / p, w = imgs.size(3) / p;
  return imgs.reshape({n, c, h, p, w, p})
      .permute({0, 2, 4, 3, 5, 1})  // nchpwq -> nhwpqc
      .reshape({n, h * w, p * p * c});
}

torch::Tensor MaskedAutoencoderViTImpl::unpatchify(const torch::Tensor& x) const {
  const auto p = config_.patch_size, c = config_.in_chans, n = x.size(0);
  const auto h = static_cast<std::int64_t>(std::lround(std::sqrt(static_cast<double>(x.size(1)))));
  return x.reshape({n, h, h, p, p, c})
      .permute({0, 5, 1, 3, 2, 4})  // nhwpqc -> nchpwq
      .reshape({n, c, h * p, h * p});
}

torch::Tensor MaskedAutoencoderViTImpl::forward_encoder(const torch::Tensor& imgs, const Masking& masking) {
  auto x = patch_embed(imgs);                          // [N, L, D]
  x = x + pos_embed.slice(1, 1);                       // add pos embed w/o cls token
  const auto dim = x.size(2);
  x = torch::gather(x, 1, masking.ids_keep.unsqueeze(-1).expand({-1, -1, dim}));  // [N, K, D] visible only

  const auto cls = (cls_token + pos_embed.slice(1, 0, 1)).expand({x.size(0), -1, -1});  // [N, 1, D]
  x = torch::cat({cls, x}, 1);                                                           // [N, 1+K, D]
  for (const auto& block : *blocks) x = block->as<Block>()->forward(x);
  return norm(x);
}

torch::Tensor MaskedAutoencoderViTImpl::forward_decoder(const torch::Tensor& latent, const torch::Tensor& ids_restore) {
  auto x = decoder_embed(latent);  // [N, 1+K, Dd]
  const auto n = x.size(0), dim = x.size(2);
  const auto masked = ids_restore.size(1) + 1 - x.size(1);

  const auto mask_tokens = mask_token.expand({n, masked, dim});                            // [N, L-K, Dd]
  auto tokens = torch::cat({x.slice(1, 1), mask_tokens}, 1);                               // [N, L, Dd] no cls
  tokens = torch::gather(tokens, 1, ids_restore.unsqueeze(-1).expand({-1, -1, dim}));  // unshuffle
  x = torch::cat({x.slice(1, 0, 1), tokens}, 1);                                           // [N, 1+L, Dd]
  x = x + decoder_pos_embed;

  for (const auto& block : *decoder_blocks) x = block->as<Block>()->forward(x);
  x = decoder_pred(decoder_norm(x));  // [N, 1+L, p*p*C]
  return x.slice(1, 1);               // remove cls token
}

torch::Tensor MaskedAutoencoderViTImpl::forward_loss(const torch::Tensor& imgs, const torch::Tensor& pred,
                                                     const torch::Tensor& mask) const {
  auto target = patchify(imgs);  // [N, L, p*p*C]
  if (config_.norm_pix_loss) {
    const auto mean = target.mean(-1, /*keepdim=*/true);
    const auto var = target.var(-1, /*unbiased=*/true, /*keepdim=*/true);
    target = (target - mean) / torch::sqrt(var + 1e-6);
  }
  const auto per_patch = (pred - target).pow(2).mean(-1);  // [N, L]
  if (config_.loss_on_all_patches) return per_patch.mean();
  return (per_patch * mask).sum() / mask.sum();  // mean over removed patches
}

MaeOutput MaskedAutoencoderViTImpl::forward(const torch::Tensor& imgs, const Masking& masking) {
  const auto latent = forward_encoder(imgs, masking);
  auto pred = forward_decoder(latent, masking.ids_restore);
  auto loss = forward_loss(imgs, pred, masking.mask);
  return {loss, pred, masking.mask};
}

}  // namespace medanon::mae
