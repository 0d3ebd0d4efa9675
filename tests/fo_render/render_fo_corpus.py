#!/usr/bin/python3
"""An independent foreign-object corpus: chest radiographs that share no code with `medanon synth`.

Issue #15: every figure medanon had for foreign-object detection was measured on `synth`'s
images, the generator the shipped model was trained and calibrated on. This one is written
separately (Python/numpy, its own anatomy model in fo_anatomy.py, its own objects in
fo_objects.py) with what differs between sites: tone curves (exponential, sigmoid, gamma,
random monotone LUT), edge enhancement, heel effect, correlated quantum noise, anti-scatter grid
lines, collimation, inverted images, 8 to 16 bits. Objects: 18 kinds; hard negatives (bright,
sharp, not foreign): calcified granulomas and nodes, bone islands, aortic calcification, rib
callus, nipple shadows, lead L/R markers, in images with and without objects.

Output (the layout `medanon infer`, `evaluate fo` and `adapt` read):
  OUT/padchest/<dir>/<ImageID>.png             16-bit (or 8-bit) greyscale PNG
  OUT/padchest/padchest_labels.csv             PadChest columns; object-free images without a
                                               labelled finding are `normal`
  OUT/ground_truth/masks/<index>.png           255 = a pixel an object changed by >= 1/255
  OUT/ground_truth/hard_negatives/<index>.png  the same for the hard negatives
  OUT/ground_truth.json                        per image: objects (kind, label, bbox) and
                                               hard_negatives (kind, bbox)

Usage: render_fo_corpus.py --out DIR [--count N] [--seed S] [--size PX] [--object-fraction F]
                           [--hard-negative-fraction F] [--jobs J]
"""
import argparse
import csv
import json
import os
import sys
from multiprocessing import Pool

import numpy as np
from PIL import Image
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fo_anatomy  # noqa: E402
import fo_objects  # noqa: E402


def tone_curve(rng):
    """A site's processing: attenuation -> [0, 1] brightness (bone bright)."""
    kind = rng.choice(["exp", "sigmoid", "gamma", "lut"])
    if kind == "exp":
        a = rng.uniform(1.5, 3.0)
        return kind, lambda t: (1 - np.exp(-a * t)) / (1 - np.exp(-a * 1.2))
    if kind == "sigmoid":
        c, width = rng.uniform(0.22, 0.38), rng.uniform(0.08, 0.16)
        lo, hi = 1 / (1 + np.exp(c / width)), 1 / (1 + np.exp(-(1.2 - c) / width))
        return kind, lambda t: (1 / (1 + np.exp(-(t - c) / width)) - lo) / (hi - lo)
    if kind == "gamma":
        top, g = rng.uniform(0.8, 1.2), rng.uniform(0.6, 1.5)
        return kind, lambda t: np.clip(t / top, 0, None) ** g
    knots_x = np.r_[0, np.sort(rng.uniform(0.05, 1.1, 4)), 1.2]
    knots_y = np.r_[0, np.sort(rng.uniform(0.05, 0.95, 4)), 1.0]
    return kind, lambda t: np.interp(t, knots_x, knots_y)


def collimation(h, w, rng, s):
    """Visibility (1 exposed, 0 behind the collimator), a slightly rotated rectangle."""
    margins = rng.uniform(0.0, 0.12, 4) * np.array([w, w, h, h])
    margins[rng.random(4) < 0.3] = 0
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(-0.03, 0.03)
    u = (xx - w / 2) * np.cos(a) + (yy - h / 2) * np.sin(a) + w / 2
    v = -(xx - w / 2) * np.sin(a) + (yy - h / 2) * np.cos(a) + h / 2
    inside = np.minimum.reduce([u - margins[0], w - margins[1] - u, v - margins[2], h - margins[3] - v])
    return np.clip(0.5 + inside / (1.5 * s), 0, 1)


def render_one(job):
    index, seed, size, object_fraction, hard_fraction, out = job
    rng = np.random.default_rng([seed, index])
    h = int(size * rng.uniform(0.9, 1.1))
    w = int(h * rng.uniform(0.85, 1.05))
    s = w / 512
    anatomy, lm = fo_anatomy.chest(h, w, rng)

    hard_layers, hard_list, labels = [], [], []
    if rng.random() < hard_fraction:
        kinds = [k for k in fo_objects.HARD_NEGATIVES if k != "marker"]
        for kind in rng.choice(kinds, size=rng.integers(1, 4), replace=False):
            layer = np.zeros((h, w), np.float32)
            labels += fo_objects.HARD_NEGATIVES[kind](layer, lm, rng, s)
            hard_layers.append((kind, layer))
    if rng.random() < 0.6:  # most departments put a lead marker on every image
        layer = np.zeros((h, w), np.float32)
        fo_objects.marker(layer, lm, rng, s)
        hard_layers.append(("marker", layer))

    object_layers = []
    if rng.random() < object_fraction:
        kinds = list(fo_objects.OBJECTS)
        for kind in rng.choice(kinds, size=rng.choice([1, 1, 2, 2, 3, 4]), replace=False):
            layer = np.zeros((h, w), np.float32)
            labels += fo_objects.OBJECTS[kind](layer, lm, rng, s)
            object_layers.append((kind, layer))

    def combine(layers):
        total = np.zeros((h, w), np.float32)
        for _, layer in layers:
            np.maximum(total, layer, out=total)  # overlapping metal does not add up past opaque
        return total

    objects = combine(object_layers)
    hard = combine(hard_layers)
    tone_kind, tone = tone_curve(rng)
    blur = 0.6 * s
    exposed = collimation(h, w, rng, s) if rng.random() < 0.25 else np.ones((h, w), np.float32)

    def toned(t):
        return tone(ndimage.gaussian_filter(t, blur))

    with_all = toned(anatomy + hard + objects)
    without_objects = toned(anatomy + hard)
    without_hard = toned(anatomy + objects)
    # truth: pixels the object itself brightens by at least one 8-bit grey level where exposed
    object_mask = (np.abs(with_all - without_objects) * exposed >= 1 / 255)
    hard_mask = (np.abs(with_all - without_hard) * exposed >= 1 / 255) & ~object_mask

    v = with_all * (1 + rng.uniform(-0.08, 0.08) * (np.arange(w)[None, :] / w - 0.5))  # heel effect
    if rng.random() < 0.4:  # unsharp-mask post-processing, as many CR/DX consoles apply
        v = v + rng.uniform(0.3, 1.0) * (v - ndimage.gaussian_filter(v, 6 * s))
    quantum = ndimage.gaussian_filter(rng.normal(0, 1, (h, w)).astype(np.float32), 0.7)
    quantum /= quantum.std() + 1e-6
    v = v + rng.uniform(0.004, 0.018) * np.sqrt(np.clip(v, 0.02, 1.5)) * quantum + rng.normal(0, 0.002, (h, w))
    if rng.random() < 0.3:  # anti-scatter grid lines (and their moiré when the pitch is near 2 px)
        axis = np.arange(w)[None, :] if rng.random() < 0.8 else np.arange(h)[:, None]
        v = v + rng.uniform(0.004, 0.015) * np.sin(2 * np.pi * axis / rng.uniform(2.2, 5.0) + rng.uniform(0, 6.3))
    v = exposed * v + (1 - exposed) * (rng.uniform(0.85, 0.98) + 0.01 * quantum)
    inverted = rng.random() < 0.08
    if inverted:
        v = 1 - v
    v = np.clip(v, 0, 1)
    bits = 8 if rng.random() < 0.1 else int(rng.integers(12, 17))
    if bits == 8:
        pixels = Image.fromarray(np.round(v * 255).astype(np.uint8))
    else:
        pixels = Image.fromarray(np.round(v * (2 ** bits - 1)).astype(np.uint16))  # PIL writes I;16 PNG

    image_dir = str(index % 10)
    image_id = f"fo{seed}_{index:06d}.png"
    rel = f"padchest/{image_dir}/{image_id}"
    os.makedirs(os.path.join(out, "padchest", image_dir), exist_ok=True)
    pixels.save(os.path.join(out, rel))
    Image.fromarray(object_mask.astype(np.uint8) * 255).save(os.path.join(out, "ground_truth/masks", f"{index:06d}.png"))
    Image.fromarray(hard_mask.astype(np.uint8) * 255).save(
        os.path.join(out, "ground_truth/hard_negatives", f"{index:06d}.png"))

    def entries(layers, mask, with_label):
        listed = []
        for kind, layer in layers:
            footprint = ndimage.binary_dilation(layer > 0.005, iterations=max(1, int(round(2 * s)))) & mask
            if not footprint.any():
                continue  # hidden by the collimator
            ys, xs = np.nonzero(footprint)
            entry = {"kind": kind, "bbox": [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
                                            int(ys.max() - ys.min() + 1)], "pixels": int(footprint.sum())}
            listed.append(entry)
        return listed

    foreign = entries(object_layers, object_mask, True)
    hard_listed = entries(hard_layers, hard_mask, False)
    labels = sorted(set(labels))
    fo_labels = {label for label in labels if label not in
                 ("calcified granuloma", "calcified adenopathy", "aortic atheromatosis", "callus rib fracture")}
    if not object_layers and not labels:
        labels = ["normal"]
    projection = "PA" if rng.random() < 0.75 else "AP"
    record = {
        "index": index, "path": rel, "layout": "padchest", "patient": f"IP{seed}_{index:05d}",
        "width": w, "height": h, "bits_stored": bits, "projection": projection, "labels": labels,
        "has_foreign_object": bool(foreign), "foreign_objects": foreign,
        "foreign_object_mask": f"ground_truth/masks/{index:06d}.png",
        "foreign_object_pixels": int(object_mask.sum()),
        "hard_negatives": hard_listed, "hard_negative_mask": f"ground_truth/hard_negatives/{index:06d}.png",
        "text": [],
        "rendering": {"tone": str(tone_kind), "inverted": bool(inverted), "collimated": bool((exposed < 1).any())},
    }
    if object_layers and not foreign:  # every object behind the collimator: an object-free image
        record["labels"] = [label for label in labels if label not in fo_labels] or ["normal"]
    return record, image_id, image_dir


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--object-fraction", type=float, default=0.5)
    parser.add_argument("--hard-negative-fraction", type=float, default=0.5)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    for sub in ("padchest", "ground_truth/masks", "ground_truth/hard_negatives"):
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
    jobs = [(i, args.seed, args.size, args.object_fraction, args.hard_negative_fraction, args.out)
            for i in range(args.count)]
    if args.jobs > 1:
        with Pool(args.jobs) as pool:
            results = pool.map(render_one, jobs, chunksize=4)
    else:
        results = [render_one(job) for job in jobs]

    with open(os.path.join(args.out, "padchest/padchest_labels.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["ImageID", "ImageDir", "StudyDate_DICOM", "StudyID", "PatientID", "PatientBirth",
                         "PatientSex_DICOM", "ViewPosition_DICOM", "Projection", "MethodProjection", "Labels",
                         "Localizations", "Modality_DICOM", "PhotometricInterpretation_DICOM", "BitsStored_DICOM",
                         "Rows_DICOM", "Columns_DICOM"])
        for record, image_id, image_dir in results:
            labels = "[" + ", ".join(f"'{label}'" for label in record["labels"]) + "]"
            writer.writerow([image_id, image_dir, "20190101", f"S{record['index']:06d}", record["patient"], "1950.0",
                             "F" if record["index"] % 2 else "M",
                             "['POSTEROANTERIOR']" if record["projection"] == "PA" else "['ANTEROPOSTERIOR']",
                             record["projection"], "Manual review of DICOM fields", labels, "[]",
                             "DX", "MONOCHROME2", record["bits_stored"], record["height"], record["width"]])
    truth = {
        "format": "medanon-independent-fo-ground-truth", "version": 1,
        "generator": "tests/fo_render/render_fo_corpus.py",
        "options": {"count": args.count, "seed": args.seed, "size": args.size,
                    "object_fraction": args.object_fraction, "hard_negative_fraction": args.hard_negative_fraction},
        "padchest_csv": "padchest/padchest_labels.csv",
        "images": [record for record, _, _ in results],
        "bad_files": [],
    }
    with open(os.path.join(args.out, "ground_truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
    positives = sum(r["has_foreign_object"] for r, _, _ in results)
    print(f"{args.count} images ({positives} with foreign objects) in {args.out}")


if __name__ == "__main__":
    main()
