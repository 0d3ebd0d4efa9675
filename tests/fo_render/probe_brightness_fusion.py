#!/usr/bin/python3
"""Probe (not a medanon option): would a calibrated brightness z-map fused with the MAE's z-map
help? Measured on the tuning seeds only (docs/foreign-objects.md, "Fused brightness").

Brightness z per pixel: the image as the MAE sees it (per-image min-max to 8 bits, area-resampled
to 224) against the per-pixel mean and standard deviation of the same over adapt's held-apart
calibration normals, (x - mean) / (sd + 0.01). Compared: the MAE z-map alone, brightness alone,
max(z, w * z_bright), z + w * z_bright; pixel AUROC (z-maps smoothed sigma 1, counted at full
resolution as tune_zmap_mask.py does), image AUROC (top 0.1 %), best Dice over a small
hysteresis grid (sigma 1, min area 6).

usage: probe_brightness_fusion.py EVAL_CORPUS RUN_WITH_ZMAPS SITE_CORPUS ADAPT_CALIBRATION_SCORES_CSV
"""
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
from PIL import Image
from tune_zmap_mask import Image1, smoothed, masks_for, weighted_auroc
corpus, run, site, calscores = sys.argv[1:5]
def x224(path):
    a = np.asarray(Image.open(path)).astype(np.float32)
    lo, hi = a.min(), a.max()
    e = np.clip(np.floor((a - lo) * 255.0 / (hi - lo + 1e-10)), 0, 255)
    return np.asarray(Image.fromarray(e.astype(np.float32)).resize((224, 224), Image.BOX)) / 255.0
cal = [r["path"] for r in csv.DictReader(open(calscores))]
X = np.stack([x224(os.path.join(site, "padchest", p)) for p in cal])
mu, sd = X.mean(0), X.std(0)
gl = np.percentile(X, 99.5)
truth = json.load(open(os.path.join(corpus, "ground_truth.json")))
ims, zb = [], []
for e in truth["images"]:
    z = np.asarray(Image.open(os.path.join(run, "zmaps", f"{e['index']:06d}.tiff")), dtype=np.float32)
    im = Image1(corpus, e, z); ims.append(im)
    x = x224(os.path.join(corpus, e["path"]))
    zb.append(((x - mu) / (sd + 0.01)).astype(np.float32))
labels = np.array([i.positive for i in ims])
def img_auc(score):
    p, n = score[labels], score[~labels]
    return ((p[:, None] > n[None, :]).sum() + 0.5 * (p[:, None] == n[None, :]).sum()) / (p.size * n.size)
pos = np.concatenate([i.obj for i in ims]); neg = np.concatenate([i.not_obj for i in ims])
for name, f in [("mae", lambda z, b: z), ("bright", lambda z, b: b)] + \
        [(f"max w{w}", (lambda w: lambda z, b: np.maximum(z, w * b))(w)) for w in (1, 2, 4)] + \
        [(f"sum w{w}", (lambda w: lambda z, b: z + w * b)(w)) for w in (0.5, 1, 2)]:
    maps = [f(smoothed(i.z, 1.0), smoothed(b, 1.0)) for i, b in zip(ims, zb)]
    pa = weighted_auroc(np.concatenate([m.ravel() for m in maps]), pos, neg)
    ia = img_auc(np.array([np.sort(f(i.z, b).ravel())[-50:].mean() for i, b in zip(ims, zb)]))
    # Dice over a small grid
    best = None
    for hi in (3, 4, 6, 8, 12):
        for lo in (1, 2, 3, 4):
            if lo > hi: continue
            d = 0
            for i, m in zip(ims, maps):
                if not i.positive: continue
                mk = masks_for(m, [lo], [hi], [6])[(lo, hi, 6)]
                d += 2.0 * i.obj[mk].sum() / max(i.all[mk].sum() + i.gt_total, 1)
            d /= labels.sum()
            if best is None or d > best[0]: best = (d, hi, lo)
    print(f"{name}: pixel AUROC {pa:.3f} image AUROC {ia:.3f} best Dice {best[0]:.3f} (high {best[1]} low {best[2]})", flush=True)
