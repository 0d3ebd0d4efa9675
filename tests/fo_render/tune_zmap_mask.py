#!/usr/bin/python3
"""Re-tune the z-map mask (src/anomaly/zmap_mask.cpp) offline on a corpus with ground truth.

Reads the z-maps that `medanon infer --write-zmaps` wrote (zmaps/<i>.tiff, map resolution) and,
for every combination of the grid, makes the mask exactly as zmap_mask() does (Gaussian smoothing,
8-connected hysteresis high/low, smallest region) and scores it as `medanon evaluate fo` and
fo_transfer_summary.py do at the image's own resolution: mean Dice over positives, per kind the
share of objects with >= 50 % of their pixels flagged, the background rate (neither object nor
hard negative) and the hard negatives' flag rates against it.

Why it is fast: the mask reaches full resolution by nearest-neighbour resizing (OpenCV's
INTER_NEAREST: source = floor(destination * source_size / destination_size)), so every full-res
pixel belongs to exactly one map pixel. Counting, per map pixel, how many object / hard-negative /
background pixels of each instance fall on it turns every metric into a sum over the map-res mask.

Only for choosing defaults on a tuning corpus; the reported numbers come from `medanon` itself.

usage: tune_zmap_mask.py --corpus C --run R [--high 3,4,5,6] [--low 1,1.5,2] [--smoothing 0,1,1.5]
       [--min-area 2,6,12] [--scale S (map px per model px, e.g. 2 for --map-size 448)] [--top N]
       [--json OUT]
"""
import argparse
import json
import os

import numpy as np
from PIL import Image
from scipy import ndimage

CALCIFICATIONS = ("calcified_granuloma", "calcified_nodes", "aortic_calcification")
EIGHT = np.ones((3, 3), dtype=bool)


def floats(text):
    return [float(v) for v in text.split(",")]


def nearest_index(full, side):
    """Map pixel of each full-res row/column, as cv::resize INTER_NEAREST picks it."""
    return np.minimum(np.floor(np.arange(full) * (side / full)).astype(np.int64), side - 1)


class Image1:
    """One image's per-map-pixel counts."""

    def __init__(self, corpus, entry, z):
        self.z = z
        side = z.shape[0]
        gt = np.asarray(Image.open(os.path.join(corpus, entry["foreign_object_mask"]))) > 0
        h, w = gt.shape
        hard = (np.asarray(Image.open(os.path.join(corpus, entry["hard_negative_mask"]))) > 0
                if entry.get("hard_negative_mask") else np.zeros_like(gt))
        iy, ix = nearest_index(h, side), nearest_index(w, side)
        cell = (iy[:, None] * side + ix[None, :])
        n = side * side
        self.positive = bool(entry["has_foreign_object"])
        self.all = np.bincount(cell.ravel(), minlength=n)
        self.obj = np.bincount(cell[gt], minlength=n)
        self.not_obj = self.all - self.obj
        self.rest = np.bincount(cell[~gt & ~hard], minlength=n)
        self.gt_total = int(gt.sum())
        # (kind, map-pixel indices, counts, total) per object and per hard negative
        self.objects = cells_under(entry.get("foreign_objects", []), gt, cell)
        self.hard = cells_under(entry.get("hard_negatives", []), hard, cell)


def cells_under(things, mask, cell):
    """Per truth box: (kind, map-pixel indices, counts, total) of its mask pixels; empty boxes skipped."""
    h, w = mask.shape
    found = []
    for o in things:
        x, y, bw, bh = o["bbox"]
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + bw, w), min(y + bh, h)
        pix = mask[y0:y1, x0:x1]
        if pix.sum() == 0:
            continue
        idx, cnt = np.unique(cell[y0:y1, x0:x1][pix], return_counts=True)
        found.append((o["kind"], idx, cnt, int(pix.sum())))
    return found

def smoothed(z, sigma):
    # cv::GaussianBlur: kernel radius ~4 sigma, BORDER_REFLECT_101 (scipy's "mirror")
    return ndimage.gaussian_filter(z, sigma, mode="mirror", truncate=4.0) if sigma > 0 else z


def masks_for(z, lows, highs, areas):
    """{(low, high, area): flat bool mask} for one smoothed z-map."""
    out = {}
    for low in lows:
        labels, count = ndimage.label(z >= low, structure=EIGHT)
        if count == 0:
            for high in highs:
                for area in areas:
                    out[(low, high, area)] = np.zeros(z.size, dtype=bool)
            continue
        flat = labels.ravel()
        size = np.bincount(flat, minlength=count + 1)
        peak = np.full(count + 1, -np.inf)
        np.maximum.at(peak, flat, z.ravel())
        for high in highs:
            for area in areas:
                keep = (peak >= high) & (size >= area)
                keep[0] = False
                out[(low, high, area)] = keep[flat]
    return out


def weighted_auroc(score, pos, neg):
    """AUROC of map values weighted by positive / negative full-res pixel counts (ties half)."""
    order = np.argsort(score, kind="stable")
    s, p, n = score[order], pos[order].astype(float), neg[order].astype(float)
    uniq, start = np.unique(s, return_index=True)
    pg = np.add.reduceat(p, start)
    ng = np.add.reduceat(n, start)
    below = np.cumsum(ng) - ng
    return float(((below + 0.5 * ng) * pg).sum() / max(pg.sum() * ng.sum(), 1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--high", default="3,4,5,6,8")
    parser.add_argument("--low", default="1,1.5,2,3")
    parser.add_argument("--smoothing", default="0,1,1.5,2")
    parser.add_argument("--min-area", default="2,6,12")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json")
    args = parser.parse_args()
    highs, lows, sigmas = floats(args.high), floats(args.low), floats(args.smoothing)
    areas = [int(a) for a in floats(args.min_area)]
    with open(os.path.join(args.corpus, "ground_truth.json")) as f:
        truth = json.load(f)
    images = []
    for entry in truth["images"]:
        path = os.path.join(args.run, "zmaps", f"{entry['index']:06d}.tiff")
        z = np.asarray(Image.open(path), dtype=np.float32)
        images.append(Image1(args.corpus, entry, z))

    # the maps themselves: pixel AUROC of the (smoothed) z-map, image AUROC of z-map scores
    report = {"pixel_auroc_zmap": {}, "image_auroc": {}}
    labels = np.array([im.positive for im in images])
    for sigma in sigmas:
        maps = [smoothed(im.z, sigma * args.scale).ravel() for im in images]
        report["pixel_auroc_zmap"][sigma] = weighted_auroc(
            np.concatenate(maps), np.concatenate([im.obj for im in images]),
            np.concatenate([im.not_obj for im in images]))
        for name, fn in (("top0.1%", lambda m: np.sort(m)[-max(1, m.size // 1000):].mean()), ("max", np.max)):
            score = np.array([fn(m) for m in maps])
            pos, neg = score[labels], score[~labels]
            auc = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (pos.size * neg.size)
            report["image_auroc"][f"{name} sigma {sigma}"] = float(auc)
    print("pixel AUROC of the z-map by smoothing:", {k: round(v, 4) for k, v in report["pixel_auroc_zmap"].items()})
    print("image AUROC:", {k: round(v, 4) for k, v in report["image_auroc"].items()})

    rows = []
    keys = [(s, lo, hi, a) for s in sigmas for lo in lows for hi in highs for a in areas if lo <= hi]
    acc = {k: {"dice": 0.0, "rest": 0, "rest_flag": 0, "kinds": {}, "hard": {}} for k in keys}
    for im in images:
        for sigma in sigmas:
            sz = smoothed(im.z, sigma * args.scale)
            scaled_areas = [max(1, int(round(a * args.scale * args.scale))) for a in areas]
            masks = masks_for(sz, lows, highs, scaled_areas)
            for lo in lows:
                for hi in highs:
                    if lo > hi:
                        continue
                    for a, sa in zip(areas, scaled_areas):
                        m = masks[(lo, hi, sa)]
                        r = acc[(sigma, lo, hi, a)]
                        if im.positive:
                            inter = im.obj[m].sum()
                            r["dice"] += 2.0 * inter / max(im.all[m].sum() + im.gt_total, 1)
                        r["rest"] += im.rest.sum()
                        r["rest_flag"] += im.rest[m].sum()
                        for kind, idx, cnt, total in im.objects:
                            k = r["kinds"].setdefault(kind, [0, 0])
                            k[0] += 1
                            k[1] += int(cnt[m[idx]].sum() >= 0.5 * total)
                        for kind, idx, cnt, _ in im.hard:
                            k = r["hard"].setdefault(kind, [0, 0])
                            k[0] += int(cnt.sum())
                            k[1] += int(cnt[m[idx]].sum())
    positives = max(int(labels.sum()), 1)
    for key, r in acc.items():
        bg = r["rest_flag"] / max(r["rest"], 1)
        found = {k: v[1] / v[0] for k, v in r["kinds"].items()}
        hard = {k: v[1] / max(v[0], 1) for k, v in r["hard"].items()}
        calc = [hard[k] for k in CALCIFICATIONS if k in hard]
        rows.append({"smoothing": key[0], "low": key[1], "high": key[2], "min_area": key[3],
                     "dice": r["dice"] / positives, "kinds_found": sum(v >= 0.5 for v in found.values()),
                     "kinds": len(found), "mean_found": float(np.mean(list(found.values()))) if found else 0.0,
                     "background": bg, "marker_x": hard.get("marker", np.nan) / bg if bg else np.nan,
                     "calcification_x": float(np.mean(calc)) / bg if bg and calc else np.nan,
                     "found": found, "hard": hard})
    rows.sort(key=lambda r: -r["dice"])
    print("\n| smoothing | low | high | min area | Dice | kinds >= 50 % | mean found | background | markers x | calcifications x |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows[:args.top]:
        print(f"| {r['smoothing']} | {r['low']} | {r['high']} | {r['min_area']} | {r['dice']:.3f} | "
              f"{r['kinds_found']}/{r['kinds']} | {r['mean_found']:.2f} | {100 * r['background']:.2f} % | "
              f"{r['marker_x']:.1f} | {r['calcification_x']:.1f} |")
    if args.json:
        report["grid"] = rows
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1, default=float)


if __name__ == "__main__":
    main()
