#!/usr/bin/python3
"""Train the foreign-object prior: a small U-Net that segments foreign objects, learned from the
truth masks of `medanon synth` corpora (the one place this project has labelled objects).

Why a supervised network beside the MAE: the MAE, adapted to a site's normal images, knows that
site's anatomy but not what an object looks like, so a calcification or a lead marker is as
"anomalous" as a wire; this network knows objects (from synth) but not the site's anatomy. Their
product is what `medanon infer` publishes and scores (src/mae/object_prior.hpp).

Network: U-Net (Ronneberger, Fischer, Brox, MICCAI 2015) with four levels of 12-24-48-96 channels
(two 3x3 convolution + batch norm + ReLU blocks each, 2x2 max pooling down, 2x2 transposed
convolutions up, skip connections), a 1x1 convolution to one logit per pixel. The input is the
whole image at 256 x 256 (area resampling) after a percentile window (0.5 % -> 0, 99.9 % -> 1,
clipped): the C++ side (object_prior.cpp) prepares images the same way. Trained on random
128 x 128 crops of that view (60 % centred near an object), flipped, gamma-, gain- and
offset-jittered, 10 % inverted, with Gaussian noise; loss = BCE (positive weight 5) + soft Dice;
AdamW, cosine learning rate, a fixed number of steps, seeded.

Usage (scripts/train-fo-prior.sh makes the corpora and runs this):
  train_fo_prior.py --corpus C1 [C2 ...] --out models/fo_prior_synth.pth [--steps 2400] [--threads 2]
Writes a torch.save file: {"model": state_dict, "config": {...}} that src/mae/object_prior.cpp reads.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

VIEW = 256
WINDOW = (0.5, 99.9)
CHANNELS = (12, 24, 48, 96)


def windowed(path):
    a = np.asarray(Image.open(path)).astype(np.float32)
    lo, hi = np.percentile(a, WINDOW[0]), np.percentile(a, WINDOW[1])
    return np.clip((a - lo) / max(hi - lo, 1e-6), 0, 1)


def view(a):
    return F.interpolate(torch.from_numpy(a)[None, None], size=(VIEW, VIEW), mode="area")[0, 0].numpy()


def load_corpus(root):
    """(images, masks) at the view size; PNG images only (synth writes its DICOM share elsewhere)."""
    with open(os.path.join(root, "ground_truth.json")) as f:
        truth = json.load(f)
    images, masks = [], []
    for entry in truth["images"]:
        path = os.path.join(root, entry["path"])
        if not path.endswith(".png"):
            continue
        mask = np.asarray(Image.open(os.path.join(root, entry["foreign_object_mask"]))) > 0
        images.append(view(windowed(path)))
        masks.append(view(mask.astype(np.float32)))
    return images, masks


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self, channels=CHANNELS):
        super().__init__()
        self.down = nn.ModuleList()
        cin = 1
        for c in channels:
            self.down.append(block(cin, c))
            cin = c
        self.bottom = block(channels[-1], 2 * channels[-1])
        self.upsample = nn.ModuleList()
        self.up = nn.ModuleList()
        cin = 2 * channels[-1]
        for c in reversed(channels):
            self.upsample.append(nn.ConvTranspose2d(cin, c, 2, stride=2))
            self.up.append(block(2 * c, c))
            cin = c
        self.head = nn.Conv2d(channels[0], 1, 1)

    def forward(self, x):
        skips = []
        for level in self.down:
            x = level(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottom(x)
        for upsample, level, skip in zip(self.upsample, self.up, reversed(skips)):
            x = level(torch.cat([upsample(x), skip], 1))
        return self.head(x)


def crops(images, masks, rng, side):
    xs, ys = [], []
    for image, mask in zip(images, masks):
        if mask.max() > 0 and rng.random() < 0.6:
            on = np.argwhere(mask > 0)
            r, c = on[rng.integers(len(on))]
            r0 = int(np.clip(r - rng.integers(side), 0, VIEW - side))
            c0 = int(np.clip(c - rng.integers(side), 0, VIEW - side))
        else:
            r0, c0 = int(rng.integers(VIEW - side + 1)), int(rng.integers(VIEW - side + 1))
        xs.append(image[r0:r0 + side, c0:c0 + side])
        ys.append(mask[r0:r0 + side, c0:c0 + side])
    return np.stack(xs), np.stack(ys)


def augment(x, y, rng):
    x, y = x.copy(), y.copy()
    for k in range(len(x)):
        if rng.random() < 0.5:
            x[k], y[k] = x[k][:, ::-1], y[k][:, ::-1]
        x[k] = np.clip(x[k], 0, 1) ** np.exp(rng.normal(0, 0.35))
        if rng.random() < 0.1:
            x[k] = 1 - x[k]
        x[k] = x[k] * rng.uniform(0.7, 1.0) + rng.uniform(0, 0.2)
        x[k] += rng.normal(0, rng.uniform(0, 0.03), x[k].shape)
    return np.ascontiguousarray(x, np.float32), np.ascontiguousarray(y, np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", nargs="+", required=True, help="synth corpora (ground_truth.json)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, default=2400)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--crop", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    images, masks = [], []
    for corpus in args.corpus:
        x, y = load_corpus(corpus)
        images += x
        masks += y
    images, masks = np.stack(images), np.stack(masks)
    print(f"{len(images)} images, {100 * masks.mean():.2f} % object pixels", flush=True)
    net = UNet()
    optimiser = torch.optim.AdamW(net.parameters(), args.learning_rate, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: 0.5 * (1 + math.cos(math.pi * s / args.steps)))
    start, step = time.time(), 0
    while step < args.steps:
        order = rng.permutation(len(images))
        for b in range(0, len(order) - args.batch + 1, args.batch):
            x, y = augment(*crops(images[order[b:b + args.batch]], masks[order[b:b + args.batch]], rng, args.crop), rng)
            x, y = torch.from_numpy(x)[:, None], torch.from_numpy(y)[:, None]
            logit = net(x)
            p = torch.sigmoid(logit)
            bce = F.binary_cross_entropy_with_logits(logit, y, pos_weight=torch.tensor(5.0))
            dice = 1 - (2 * (p * y).sum() + 1) / (p.sum() + y.sum() + 1)
            optimiser.zero_grad()
            (bce + dice).backward()
            optimiser.step()
            schedule.step()
            step += 1
            if step % 100 == 0:
                print(f"step {step}/{args.steps} {time.time() - start:.0f} s bce {bce.item():.4f} dice loss {dice.item():.3f}",
                      flush=True)
            if step == args.steps:
                break
    config = {"architecture": "unet", "channels": list(CHANNELS), "view": VIEW, "window_low": WINDOW[0],
              "window_high": WINDOW[1], "steps": args.steps, "corpora": [os.path.basename(c.rstrip("/")) for c in args.corpus]}
    torch.save({"model": net.state_dict(), "config": config}, args.out)
    print(f"wrote {args.out} after {time.time() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
