#!/usr/bin/python3
"""The two baselines of issue #15's comparison, written as `medanon infer` runs so that
`medanon evaluate fo` scores them with exactly the code that scores the MAE.

  brightness   the image itself (per-image min-max, as the MAE's input) is the map; pixels above
               the 99.5th percentile of the calibration normals' pixels are the mask (where that
               percentile is the maximum, 1, because the normals saturate: the pixels at 1); image
               score = mean of the top 0.1 % of the map.
  autoencoder  a small convolutional autoencoder (4 stride-2 convolutions down to 14 x 14 x 16 at
               224 px, and back), trained for --seconds on the site's normal images with --threads torch
               threads; then the MAE's own scoring recipe: positive residual, Gaussian sigma 1.5,
               per-pixel z-map statistics on half the calibration normals, z_peak = mean of the
               top 0.1 %, hysteresis masks on the z-map smoothed by --mask-smoothing (z >= --mask-high
               seeds grow over z >= --mask-low, components >= --mask-min-area px; pass infer's values,
               report_fo_transfer.sh does). So the comparison is between the maps, not the mask rules.

Both take the site's images (--site, a PadChest-style folder) and the calibration images
`medanon adapt` held apart (--calibration-scores, its calibration/scores.csv): the autoencoder
trains on every other site image that is not labelled with a foreign object, as the MAE was
fine-tuned on them, and both calibrate on the same held-apart normals.

  prior        (with --prior FILE) the foreign-object prior alone (scripts/train_fo_prior.py's
               network and image preparation, the weights infer fuses with the MAE): its probability
               is the map, >= 0.5 the mask, the mean of its top 0.1 % the image score. It learned
               objects from synth and never sees the site: what the MAE adds to it is the site.

Usage: fo_baselines.py --site SITE --calibration-scores CSV --eval CORPUS --out DIR [--seconds 180]
                       [--prior models/fo_prior_synth.pth]
Writes DIR/brightness and DIR/autoencoder (and, with --refinement, DIR/autoencoder-detail; with
--prior, DIR/prior): maps/, masks/, scores.csv.
"""
import argparse
import csv
import json
import os
import time

import sys

import numpy as np
import torch
from PIL import Image
from scipy import ndimage

SIZE = 224
FO_WORDS = ("tube", "catheter", "pacemaker", "device", "valve", "osteosynthesis", "sternotomy", "suture",
            "cement", "prosthesis", "foreign body", "endoprosthesis", "metal", "stent", "dai", "drain")


def load(path):
    """The image as float32 in [0, 1], per-image min-max (the MAE's --intensity min-max)."""
    a = np.asarray(Image.open(path)).astype(np.float32)
    lo, hi = float(a.min()), float(a.max())
    return (a - lo) / max(hi - lo, 1e-6)


def to_model(image):
    t = torch.from_numpy(image)[None, None]
    return torch.nn.functional.interpolate(t, size=(SIZE, SIZE), mode="area")[0, 0].numpy()


def site_images(site, calibration_scores):
    """(training paths, calibration paths), absolute."""
    calibration = []
    with open(calibration_scores) as f:
        for row in csv.DictReader(f):
            calibration.append(os.path.normpath(os.path.join(site, "padchest", row["path"])))
    held = set(calibration)
    training = []
    with open(os.path.join(site, "padchest", "padchest_labels.csv")) as f:
        for row in csv.DictReader(f):
            path = os.path.normpath(os.path.join(site, "padchest", row["ImageDir"], row["ImageID"]))
            if path in held or any(word in row["Labels"].lower() for word in FO_WORDS):
                continue
            training.append(path)
    return training, calibration


def eval_images(corpus):
    with open(os.path.join(corpus, "ground_truth.json")) as f:
        truth = json.load(f)
    return [(image["index"], image["path"]) for image in truth["images"]]


def write_run(out, rows, maps, masks):
    os.makedirs(os.path.join(out, "maps"), exist_ok=True)
    os.makedirs(os.path.join(out, "masks"), exist_ok=True)
    with open(os.path.join(out, "scores.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["index", "path", "width", "height", "mask_score", "anomaly_score", "ssim_score", "peak_score",
                         "z_peak", "foreign_object"])
        for row in rows:
            writer.writerow(row)
    for index, m in maps.items():
        Image.fromarray(np.round(np.clip(m, 0, 1) * 65535).astype(np.uint16)).save(
            os.path.join(out, "maps", f"{index:06d}.png"))
    for index, m in masks.items():
        Image.fromarray(m.astype(np.uint8) * 255).save(os.path.join(out, "masks", f"{index:06d}.png"))


def top_mean(values, share):
    flat = np.sort(values.ravel())
    return float(flat[-max(1, int(len(flat) * share)):].mean())


def hysteresis(z, high=6.0, low=2.0, min_area=6):
    """Regions of z >= low that hold a pixel >= high, 8-connected, at least min_area pixels."""
    grown, count = ndimage.label(z >= low, structure=np.ones((3, 3)))
    if count == 0:
        return np.zeros(z.shape, bool)
    seeded = np.zeros(count + 1, bool)
    seeded[np.unique(grown[z >= high])] = True
    sizes = np.bincount(grown.ravel(), minlength=count + 1)
    keep = seeded & (sizes >= min_area)
    keep[0] = False
    return keep[grown]


def full_size(mask224, shape):
    t = torch.from_numpy(mask224.astype(np.float32))[None, None]
    return torch.nn.functional.interpolate(t, size=shape, mode="bilinear", align_corners=False)[0, 0].numpy() >= 0.5


def bright_detail(path, radius_model_px, map_side=SIZE):
    """The image's white top-hat (square of half-side radius_model_px model px, scaled to the
    image in x and y) less its median, in robust standard deviations: src/anomaly/mask_refinement."""
    raw = np.asarray(Image.open(path)).astype(np.float32)
    rx = max(1, int(round(radius_model_px * raw.shape[1] / map_side)))
    ry = max(1, int(round(radius_model_px * raw.shape[0] / map_side)))
    top = raw - ndimage.grey_opening(raw, size=(2 * ry + 1, 2 * rx + 1), mode="nearest")
    median = float(np.median(top))
    spread = max(1.4826 * float(np.median(np.abs(top - median))), 1.0)  # at least one stored value
    return (top - median) / spread


def refined(mask224, detail, grow_model_px, threshold, map_side=SIZE):
    """mask_refinement's refine_mask: nearest upsampling, grown, kept where detail > threshold."""
    h, w = detail.shape
    iy = np.minimum(np.floor(np.arange(h) * map_side / h).astype(int), map_side - 1)
    ix = np.minimum(np.floor(np.arange(w) * map_side / w).astype(int), map_side - 1)
    full = mask224[iy[:, None], ix[None, :]]
    gx, gy = int(round(grow_model_px * w / map_side)), int(round(grow_model_px * h / map_side))
    if gx or gy:
        full = ndimage.binary_dilation(full, np.ones((2 * gy + 1, 2 * gx + 1), bool))
    return full & (detail > threshold)


def detail_view(z, detail, weight=0.5):
    """z_map_view's z_detail_view: z brought to the image (bilinear) plus weight x clipped detail."""
    t = torch.from_numpy(z.astype(np.float32))[None, None]
    full = torch.nn.functional.interpolate(t, size=detail.shape, mode="bilinear", align_corners=False)[0, 0].numpy()
    v = full + weight * np.clip(detail, 0, 20)
    return 0.5 + 0.5 * v / (np.abs(v) + 10)


def brightness(corpus, calibration, out):
    pooled = np.concatenate([load(p).ravel()[::7] for p in calibration])
    cut = float(np.percentile(pooled, 99.5))
    rows, maps, masks = [], {}, {}
    for index, rel in eval_images(corpus):
        image = load(os.path.join(corpus, rel))
        # above the cut; where the normals saturate (the cut is the maximum, 1), the saturated pixels
        mask = image >= cut if cut >= 1.0 else image > cut
        peak = top_mean(image, 0.001)
        rows.append([index, rel, image.shape[1], image.shape[0], float(mask.mean()), float(image.mean()), "nan",
                     peak, peak, int(peak > cut)])
        maps[index], masks[index] = image, mask
    write_run(out, rows, maps, masks)
    return {"pixel_threshold": cut}


class Autoencoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        c = torch.nn.Conv2d
        t = torch.nn.ConvTranspose2d
        r = torch.nn.ReLU
        self.encoder = torch.nn.Sequential(c(1, 16, 4, 2, 1), r(), c(16, 32, 4, 2, 1), r(), c(32, 64, 4, 2, 1), r(),
                                           c(64, 64, 4, 2, 1), r(), c(64, 16, 1))  # [N, 16, 14, 14]
        self.decoder = torch.nn.Sequential(t(16, 64, 4, 2, 1), r(), t(64, 32, 4, 2, 1), r(), t(32, 16, 4, 2, 1), r(),
                                           t(16, 1, 4, 2, 1), torch.nn.Sigmoid())  # [N, 1, 224, 224]

    def forward(self, x):
        return self.decoder(self.encoder(x))


def residual(model, batch):
    with torch.no_grad():
        x = torch.from_numpy(np.stack(batch))[:, None]
        d = torch.clamp(x - model(x), min=0)[:, 0].numpy()
    return [ndimage.gaussian_filter(m, 1.5) for m in d]


def autoencoder(corpus, training, calibration, out, seconds, seed, threads, mask_options, refinement=None):
    torch.manual_seed(seed)
    torch.set_num_threads(threads)  # as many as the MAE's fine-tuning had
    data = torch.from_numpy(np.stack([to_model(load(p)) for p in training]))[:, None]
    model = Autoencoder()
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    generator = torch.Generator().manual_seed(seed)
    start, steps, loss = time.time(), 0, float("nan")
    while time.time() - start < seconds:
        order = torch.randperm(len(data), generator=generator)
        for k in range(0, len(order) - 15, 16):
            x = data[order[k:k + 16]]
            value = torch.nn.functional.mse_loss(model(x), x)
            optimiser.zero_grad()
            value.backward()
            optimiser.step()
            steps, loss = steps + 1, float(value)
            if time.time() - start >= seconds:
                break
    model.eval()
    calib = residual(model, [to_model(load(p)) for p in calibration])
    statistics, threshold_half = calib[0::2], calib[1::2]
    mean = np.mean(statistics, axis=0)
    sd = np.std(statistics, axis=0)

    def zmap(d):
        return (d - mean) / (sd + 0.01)

    threshold = float(np.percentile([top_mean(zmap(d), 0.001) for d in threshold_half], 85))
    rows, maps, masks = [], {}, {}
    detail_maps, detail_masks = {}, {}  # the same maps and masks with infer's full-resolution refinement
    images = eval_images(corpus)
    for start_k in range(0, len(images), 16):
        chunk = images[start_k:start_k + 16]
        full = [load(os.path.join(corpus, rel)) for _, rel in chunk]
        for (index, rel), image, d in zip(chunk, full, residual(model, [to_model(i) for i in full])):
            z = zmap(d)
            peak = top_mean(z, 0.001)
            o = mask_options
            smooth = ndimage.gaussian_filter(z, o["smoothing"]) if o["smoothing"] > 0 else z
            mask = full_size(hysteresis(smooth, o["high"], o["low"], o["min_area"]), image.shape)
            rows.append([index, rel, image.shape[1], image.shape[0], float(mask.mean()), float(d.mean()), "nan",
                         top_mean(d, 0.005), peak, int(peak > threshold)])
            maps[index] = 0.5 + 0.5 * z / (np.abs(z) + 10)  # monotone in z, inside [0, 1]
            masks[index] = mask
            if refinement:
                path = os.path.join(corpus, rel)
                detail = bright_detail(path, refinement["radius"])
                wide = bright_detail(path, refinement["wide"]) if refinement["wide"] > 0 else detail
                detail_masks[index] = refined(hysteresis(smooth, o["high"], o["low"], o["min_area"]),
                                              np.maximum(detail, wide), refinement["grow"], refinement["threshold"])
                detail_maps[index] = detail_view(z, detail)
    write_run(out, rows, maps, masks)
    if refinement:  # same scores; only the published map and the masks differ
        write_run(out + "-detail", rows, detail_maps, detail_masks)
    return {"training_images": len(training), "steps": steps, "last_loss": loss, "seconds": seconds,
            "calibration_images": len(calibration), "z_peak_threshold": threshold}


def prior_alone(corpus, weights, out, threads):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
    import train_fo_prior as trained  # the network and preparation the weights were trained with
    torch.set_num_threads(threads)
    saved = torch.load(weights)
    net = trained.UNet(tuple(saved["config"]["channels"]))
    net.load_state_dict(saved["model"])
    net.eval()
    rows, maps, masks = [], {}, {}
    with torch.no_grad():
        for index, rel in eval_images(corpus):
            image = trained.windowed(os.path.join(corpus, rel))
            p = torch.sigmoid(net(torch.from_numpy(trained.view(image))[None, None]))
            p = torch.nn.functional.interpolate(p, size=image.shape, mode="bilinear", align_corners=False)[0, 0].numpy()
            peak = top_mean(p, 0.001)
            rows.append([index, rel, image.shape[1], image.shape[0], float((p >= 0.5).mean()), float(p.mean()), "nan",
                         peak, peak, int(peak >= 0.5)])
            maps[index], masks[index] = p, p >= 0.5
    write_run(out, rows, maps, masks)
    return {"weights": weights}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", required=True)
    parser.add_argument("--calibration-scores", required=True)
    parser.add_argument("--eval", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    # the autoencoder's z-map masks: infer's --mask-z-high, --mask-z-low, --mask-min-area, --mask-smoothing
    parser.add_argument("--mask-high", type=float, default=6.0)
    parser.add_argument("--mask-low", type=float, default=2.0)
    parser.add_argument("--mask-min-area", type=int, default=6)
    parser.add_argument("--mask-smoothing", type=float, default=1.0)
    # infer's --mask-detail-radius, --mask-wide-detail-radius, --mask-grow, --mask-detail-threshold: also write DIR/autoencoder-detail,
    # the autoencoder's z-map with the image's bright detail and its masks refined at full resolution
    parser.add_argument("--refinement", help="RADIUS,WIDE_RADIUS,GROW,THRESHOLD (model px x 3, robust SDs)")
    parser.add_argument("--prior", help="the foreign-object prior's weights: also write DIR/prior, the prior alone")
    args = parser.parse_args()
    refinement = None
    if args.refinement:
        radius, wide, grow, threshold = (float(v) for v in args.refinement.split(","))
        refinement = {"radius": radius, "wide": wide, "grow": grow, "threshold": threshold}
    training, calibration = site_images(args.site, args.calibration_scores)
    report = {"brightness": brightness(args.eval, calibration, os.path.join(args.out, "brightness")),
              "autoencoder": autoencoder(args.eval, training, calibration, os.path.join(args.out, "autoencoder"),
                                         args.seconds, args.seed, args.threads,
                                         {"high": args.mask_high, "low": args.mask_low,
                                          "min_area": args.mask_min_area, "smoothing": args.mask_smoothing},
                                         refinement)}
    if args.prior:
        report["prior"] = prior_alone(args.eval, args.prior, os.path.join(args.out, "prior"), args.threads)
    with open(os.path.join(args.out, "baselines.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
