#!/usr/bin/python3
"""Side-by-side table of `medanon evaluate fo` results, plus the hard-negative flag rates that
evaluate fo does not know about (the independent corpus' hard_negatives).

Usage: fo_transfer_summary.py --corpus CORPUS --out summary.json NAME=RUN_DIR [NAME=RUN_DIR ...]
Each RUN_DIR holds masks/ and the evaluation.json of `medanon evaluate fo --run RUN_DIR`.

Hard negatives: per kind, the share of its pixels (the hard-negative mask inside its box) that a
run's masks flag, read against the background rate: the share of pixels that are neither object
nor hard negative that the masks flag (issue #15's target: at most 2x the background).
"""
import argparse
import json
import math
import os

import numpy as np
from PIL import Image

# the image score: object_peak where a run has it (the MAE with the object prior), else z_peak
# (every other run here writes its image score in that column)
def image_auroc(evaluation):
    aurocs = evaluation["image_auroc"]
    return aurocs.get("object_peak", aurocs.get("z_peak", float("nan")))


def hard_negative_rates(corpus, truth, run):
    sums, background, background_flagged = {}, 0, 0
    for image in truth["images"]:
        mask_path = os.path.join(run, "masks", f"{image['index']:06d}.png")
        flagged = np.asarray(Image.open(mask_path)) > 0
        objects = np.asarray(Image.open(os.path.join(corpus, image["foreign_object_mask"]))) > 0
        hard = np.asarray(Image.open(os.path.join(corpus, image["hard_negative_mask"]))) > 0
        rest = ~objects & ~hard
        background += int(rest.sum())
        background_flagged += int((rest & flagged).sum())
        for entry in image["hard_negatives"]:
            x, y, w, h = entry["bbox"]
            pixels = hard[y:y + h, x:x + w]
            s = sums.setdefault(entry["kind"], [0, 0, 0])
            s[0] += int(pixels.sum())
            s[1] += int((pixels & flagged[y:y + h, x:x + w]).sum())
            s[2] += 1
    rate = background_flagged / max(background, 1)
    kinds = {kind: {"instances": s[2], "flag_rate": s[1] / max(s[0], 1)} for kind, s in sorted(sums.items())}
    return rate, kinds


def fmt(value, digits=3):
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("runs", nargs="+")
    args = parser.parse_args()
    with open(os.path.join(args.corpus, "ground_truth.json")) as f:
        truth = json.load(f)
    results = {}
    for spec in args.runs:
        name, run = spec.split("=", 1)
        with open(os.path.join(run, "evaluation.json")) as f:
            evaluation = json.load(f)
        background, kinds = hard_negative_rates(args.corpus, truth, run)
        results[name] = {"evaluation": evaluation, "background_rate_outside_hard_negatives": background,
                         "hard_negatives": kinds}
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)

    first = next(iter(results.values()))["evaluation"]
    print(f"\n{first['images']} images ({first['positives']} with objects, {first['negatives']} without)\n")
    print("| method | pixel AUROC | image AUROC (object_peak, else z_peak) | mean Dice (positives) | kinds >= 50 % found | "
          "background flagged | markers / calcifications flagged (x background) |")
    print("|---|---|---|---|---|---|---|")
    calcifications = ("calcified_granuloma", "calcified_nodes", "aortic_calcification")
    for name, r in results.items():
        e = r["evaluation"]
        kinds = e["per_kind"]
        met = sum(1 for k in kinds.values() if k["found"] >= 0.5)
        bg = r["background_rate_outside_hard_negatives"]
        hn = r["hard_negatives"]
        marker = hn.get("marker", {}).get("flag_rate", float("nan"))
        calc_pixels = [hn[k]["flag_rate"] for k in calcifications if k in hn]
        calc = float(np.mean(calc_pixels)) if calc_pixels else float("nan")
        ratio = (lambda v: "n/a" if bg == 0 else f"{v / bg:.1f}x")
        print(f"| {name} | {fmt(e['pixel_auroc'])} | {fmt(image_auroc(e))} | "
              f"{fmt(e['mean_dice_positives'])} | {met}/{len(kinds)} | {100 * bg:.2f} % | "
              f"{100 * marker:.1f} % ({ratio(marker)}) / {100 * calc:.1f} % ({ratio(calc)}) |")
    names = list(results)
    all_kinds = sorted({k for r in results.values() for k in r["evaluation"]["per_kind"]})
    print("\nobjects with >= 50 % of their pixels flagged, per kind (n objects):\n")
    print("| kind | n | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for kind in all_kinds:
        n = max(r["evaluation"]["per_kind"].get(kind, {}).get("objects", 0) for r in results.values())
        cells = [f"{100 * results[m]['evaluation']['per_kind'][kind]['found']:.0f} %"
                 if kind in results[m]["evaluation"]["per_kind"] else "-" for m in names]
        print(f"| {kind} | {n} | " + " | ".join(cells) + " |")
    hn_kinds = sorted({k for r in results.values() for k in r["hard_negatives"]})
    print("\nhard negatives: share of their pixels flagged (background = neither object nor hard negative):\n")
    print("| kind | n | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    print("| background | | " + " | ".join(f"{100 * results[m]['background_rate_outside_hard_negatives']:.2f} %"
                                            for m in names) + " |")
    for kind in hn_kinds:
        n = max(r["hard_negatives"].get(kind, {}).get("instances", 0) for r in results.values())
        print(f"| {kind} | {n} | " + " | ".join(f"{100 * results[m]['hard_negatives'][kind]['flag_rate']:.1f} %"
                                                 for m in names) + " |")


if __name__ == "__main__":
    main()
