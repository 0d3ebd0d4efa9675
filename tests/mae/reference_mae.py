"""The MAE in plain PyTorch, the reference the C++ port is compared with.

Written from the paper (He et al. 2022) and the facts of facebookresearch/mae models_mae.py,
timm's VisionTransformer Block and Georgescu's grid masking; no timm needed, so Debian's
python3-torch runs it. State-dict names equal upstream's. Masks are functions of a given noise
tensor so both sides can use the same mask.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def sincos_1d(dim, pos):
    omega = torch.arange(dim // 2, dtype=torch.float64) / (dim / 2.0)
    omega = 1.0 / 10000 ** omega
    out = pos.reshape(-1).to(torch.float64)[:, None] * omega[None, :]
    return torch.cat([torch.sin(out), torch.cos(out)], dim=1)


def sincos_2d_with_cls(dim, grid):
    ys, xs = torch.meshgrid(torch.arange(grid), torch.arange(grid), indexing="ij")
    emb = torch.cat([sincos_1d(dim // 2, xs), sincos_1d(dim // 2, ys)], dim=1)  # column half first
    return torch.cat([torch.zeros(1, dim, dtype=torch.float64), emb], dim=0).float()


def masking_from_shuffle(ids_shuffle, len_keep):
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    mask = torch.ones(ids_shuffle.shape)
    mask[:, :len_keep] = 0
    return ids_shuffle[:, :len_keep], torch.gather(mask, 1, ids_restore), ids_restore


def random_masking(noise, ratio):
    return masking_from_shuffle(torch.argsort(noise, dim=1), int(noise.shape[1] * (1 - ratio)))


def grid_masking(noise, group=4):
    # Georgescu: of each run of `group` consecutive raster tokens keep the one with the largest noise.
    n, length = noise.shape
    keep = [[i for i in range(length) if noise[b, i] == noise[b, i - i % group:i - i % group + group].max()]
            for b in range(n)]
    order = [k + sorted(set(range(length)) - set(k)) for k in keep]
    return masking_from_shuffle(torch.tensor(order), length // group)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, c = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, t, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch, chans, dim):
        super().__init__()
        self.proj = nn.Conv2d(chans, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class MaskedAutoencoderViT(nn.Module):
    def __init__(self, img_size=224, patch_size=16, in_chans=1, embed_dim=768, depth=12, num_heads=12,
                 decoder_embed_dim=512, decoder_depth=8, decoder_num_heads=16, mlp_ratio=4.0,
                 norm_pix_loss=False, loss_on_all_patches=False):
        super().__init__()
        self.p, self.c = patch_size, in_chans
        grid = img_size // patch_size
        length = grid * grid
        self.patch_embed = PatchEmbed(patch_size, in_chans, embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(sincos_2d_with_cls(embed_dim, grid)[None], requires_grad=False)
        self.blocks = nn.ModuleList([Block(embed_dim, num_heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(embed_dim, eps=1e-6)
        self.decoder_embed = nn.Linear(embed_dim, decoder_embed_dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, decoder_embed_dim))
        self.decoder_pos_embed = nn.Parameter(sincos_2d_with_cls(decoder_embed_dim, grid)[None], requires_grad=False)
        self.decoder_blocks = nn.ModuleList([Block(decoder_embed_dim, decoder_num_heads, mlp_ratio)
                                             for _ in range(decoder_depth)])
        self.decoder_norm = nn.LayerNorm(decoder_embed_dim, eps=1e-6)
        self.decoder_pred = nn.Linear(decoder_embed_dim, patch_size ** 2 * in_chans)
        self.norm_pix_loss, self.loss_on_all_patches = norm_pix_loss, loss_on_all_patches
        assert length > 0

    def patchify(self, imgs):
        n, p, c = imgs.shape[0], self.p, self.c
        h = imgs.shape[2] // p
        x = imgs.reshape(n, c, h, p, h, p)
        return torch.einsum("nchpwq->nhwpqc", x).reshape(n, h * h, p * p * c)

    def unpatchify(self, x):
        n, p, c = x.shape[0], self.p, self.c
        h = int(math.isqrt(x.shape[1]))
        x = torch.einsum("nhwpqc->nchpwq", x.reshape(n, h, h, p, p, c))
        return x.reshape(n, c, h * p, h * p)

    def forward_encoder(self, imgs, ids_keep):
        x = self.patch_embed(imgs) + self.pos_embed[:, 1:, :]
        x = torch.gather(x, 1, ids_keep.unsqueeze(-1).repeat(1, 1, x.shape[2]))
        cls = (self.cls_token + self.pos_embed[:, :1, :]).expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)

    def forward_decoder(self, x, ids_restore):
        x = self.decoder_embed(x)
        tokens = self.mask_token.repeat(x.shape[0], ids_restore.shape[1] + 1 - x.shape[1], 1)
        x_ = torch.cat([x[:, 1:, :], tokens], dim=1)
        x_ = torch.gather(x_, 1, ids_restore.unsqueeze(-1).repeat(1, 1, x.shape[2]))
        x = torch.cat([x[:, :1, :], x_], dim=1) + self.decoder_pos_embed
        for blk in self.decoder_blocks:
            x = blk(x)
        return self.decoder_pred(self.decoder_norm(x))[:, 1:, :]

    def forward_loss(self, imgs, pred, mask):
        target = self.patchify(imgs)
        if self.norm_pix_loss:
            mean, var = target.mean(dim=-1, keepdim=True), target.var(dim=-1, keepdim=True)
            target = (target - mean) / (var + 1.e-6) ** .5
        loss = ((pred - target) ** 2).mean(dim=-1)
        return loss.mean() if self.loss_on_all_patches else (loss * mask).sum() / mask.sum()

    def forward(self, imgs, masking):
        ids_keep, mask, ids_restore = masking
        latent = self.forward_encoder(imgs, ids_keep)
        pred = self.forward_decoder(latent, ids_restore)
        return self.forward_loss(imgs, pred, mask), pred, mask, latent


def anomaly_map(model, imgs, trial_noises):
    """The thesis' reconstruction: grid masking per trial, visible patches pasted from the input,
    trials averaged, then d = |x - clip(r, 0, 1)|."""
    total = None
    for noise in trial_noises:
        _, pred, mask, _ = model(imgs, grid_masking(noise))
        recon = model.unpatchify(pred)
        pixel_mask = model.unpatchify(mask.unsqueeze(-1).repeat(1, 1, model.p ** 2 * model.c))
        pasted = imgs * (1 - pixel_mask) + recon * pixel_mask
        total = pasted if total is None else total + pasted
    average = total / len(trial_noises)
    return (imgs - average.clamp(0.0, 1.0)).abs(), average
