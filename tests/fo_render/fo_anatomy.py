"""A chest in the attenuation domain, for the independent foreign-object corpus.

Its own anatomy model, unlike `synth`'s: lungs as Fourier-perturbed polar outlines, the heart as
a rotated ellipse with a soft edge, ribs as parabolic arcs with dense cortical edges, vertebrae
as a periodic column, branching vessels as random walks, breasts and arms as soft masses. It
also returns the landmarks the object placers need (trachea, SVC, heart, stomach, spine, ...),
so that a pacemaker lead ends in the heart and a nasogastric tube in the stomach.
"""
import numpy as np
from scipy import ndimage

import fo_shapes as shapes


def _lung(h, w, cx, cy, rx, ry, rng, medial_sign):
    """One lung field as a soft mask: a polar outline with a flattened medial side."""
    yy, xx = np.mgrid[0:h, 0:w]
    theta = np.arctan2((yy - cy) / ry, (xx - cx) / rx)
    rho = np.hypot((yy - cy) / ry, (xx - cx) / rx)
    radius = np.ones_like(theta)
    for k in range(2, 5):
        radius += rng.uniform(-0.04, 0.04) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    # the medial side is pushed in by the mediastinum, the apex narrows
    medial = np.cos(theta) * medial_sign
    radius *= 1 - 0.18 * np.clip(medial, 0, 1) ** 2
    radius *= 1 - 0.15 * np.clip(-np.sin(theta), 0, 1) ** 3 * np.clip(medial, 0, 1)
    inside = 1 / (1 + np.exp((rho - radius) * 40))
    return inside


def _vessels(canvas, rng, start, direction, length, width, depth, lung_mask):
    """A branching vessel tree from `start`: thin, bright, not foreign (a classic false alarm)."""
    points = [np.array(start, float)]
    angle = direction
    for _ in range(int(length / 3)):
        angle += rng.normal(0, 0.12)
        nxt = points[-1] + 3 * np.array([np.cos(angle), np.sin(angle)])
        y, x = int(nxt[1]), int(nxt[0])
        if not (0 <= y < lung_mask.shape[0] and 0 <= x < lung_mask.shape[1]) or lung_mask[y, x] < 0.5:
            break
        points.append(nxt)
    if len(points) > 2:
        shapes.stroke(canvas, np.array(points), width, rng.uniform(0.05, 0.09) * width / 2.5)
        if depth < 3:
            for _ in range(rng.integers(1, 3)):
                k = rng.integers(1, len(points))
                _vessels(canvas, rng, points[k], angle + rng.choice([-1, 1]) * rng.uniform(0.3, 0.8),
                         length * 0.55, max(0.8, width * 0.7), depth + 1, lung_mask)


def chest(h, w, rng):
    """(density map float32 [h, w], landmarks dict). Density ~0 is air, ~1 dense bone."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx = w * rng.uniform(0.47, 0.53)
    tilt = rng.uniform(-0.04, 0.04)  # slight rotation of the patient
    xr = xx - cx - (yy - h / 2) * tilt
    d = np.zeros((h, w), np.float32)

    # body: a superellipse, wider at the shoulders, with arms on both sides half the time
    top = h * rng.uniform(0.0, 0.06)
    half_w = w * rng.uniform(0.40, 0.47)
    exponent = rng.uniform(2.5, 4.0)
    body = (np.abs(xr / half_w) ** exponent + np.abs((yy - h * 0.6) / (h * 0.62)) ** exponent) < 1
    body &= yy > top
    body = ndimage.gaussian_filter(body.astype(np.float32), 3 * w / 512)
    d += 0.38 * body
    if rng.random() < 0.5:
        arm_w = w * rng.uniform(0.04, 0.08)
        arms = (np.abs(xr) > half_w * 0.98) & (np.abs(xr) < half_w * 0.98 + arm_w) & (yy < h * 0.85)
        d += 0.33 * ndimage.gaussian_filter(arms.astype(np.float32), 2)

    # lungs
    lung_cy = h * rng.uniform(0.42, 0.48)
    lung_ry = h * rng.uniform(0.25, 0.31)
    lung_rx = w * rng.uniform(0.15, 0.19)
    offset = w * rng.uniform(0.17, 0.21)
    right = _lung(h, w, cx - offset, lung_cy, lung_rx, lung_ry, rng, +1)
    left = _lung(h, w, cx + offset, lung_cy + h * 0.015, lung_rx * 0.95, lung_ry, rng, -1)
    lungs = np.clip(right + left, 0, 1)
    d -= 0.27 * lungs * body

    # heart and mediastinum, aortic knob
    heart_c = (cx + w * rng.uniform(0.03, 0.07), lung_cy + lung_ry * rng.uniform(0.45, 0.6))
    heart_r = (w * rng.uniform(0.13, 0.19), h * rng.uniform(0.10, 0.13))
    heart = np.zeros((h, w), np.float32)
    shapes.ellipse(heart, *heart_c, *heart_r, 1.0, angle=rng.uniform(-0.5, -0.2), soft=2.5 * w / 512)
    mediastinum = (np.abs(xr) < w * rng.uniform(0.05, 0.07)) & (yy < heart_c[1])
    mediastinum = ndimage.gaussian_filter(mediastinum.astype(np.float32), 3 * w / 512)
    knob = np.zeros((h, w), np.float32)
    knob_c = (cx + w * 0.06, lung_cy - lung_ry * 0.45)
    shapes.ellipse(knob, *knob_c, w * 0.035, h * 0.03, 1.0, soft=2 * w / 512)
    soft_organs = np.clip(heart + mediastinum + knob, 0, 1)
    d += 0.25 * soft_organs * lungs + 0.05 * soft_organs

    # abdomen below the domes: everything under the lungs is dense soft tissue already (body);
    # the gastric bubble is a dark spot under the left dome
    stomach = (cx + w * rng.uniform(0.12, 0.18), lung_cy + lung_ry * 1.12)
    bubble = np.zeros((h, w), np.float32)
    shapes.ellipse(bubble, *stomach, w * 0.05, h * 0.03, 1.0, soft=2)
    d -= 0.12 * bubble * (1 - lungs)

    # spine: a column with vertebral bodies and pedicles
    spine_w = w * rng.uniform(0.06, 0.08)
    period = h * rng.uniform(0.04, 0.05)
    column = np.exp(-(xr / spine_w) ** 8)
    vertebra = 0.75 + 0.25 * np.cos(2 * np.pi * (yy - top) / period) ** 2
    d += 0.10 * column * vertebra * body
    for k in range(int(h / period)):
        y = top + (k + 0.3) * period
        for side in (-1, 1):
            shapes.ellipse(d, cx + side * spine_w * 0.7 + (y - h / 2) * tilt, y, spine_w * 0.2, period * 0.22,
                           0.03, ring=1.5, add=True)

    # ribs: posterior arcs from the spine outwards and down, anterior arcs fainter
    rib_w = h * rng.uniform(0.011, 0.016)
    ribs = []
    rib_layer = np.zeros((h, w), np.float32)
    for k in range(10):
        y = lung_cy - lung_ry * 0.95 + k * lung_ry * 0.19
        for side in (-1, 1):
            x_start = cx + side * spine_w * 0.6
            x_end = cx + side * (offset + lung_rx * rng.uniform(1.0, 1.15))
            p = shapes.bezier([(x_start, y), (x_start + side * lung_rx * 0.8, y - lung_ry * 0.12),
                               (x_end, y + lung_ry * 0.05), (x_end - side * lung_rx * 0.2, y + lung_ry * 0.35)], 40)
            ribs.append(p)
            shapes.stroke(rib_layer, p, rib_w, 0.07, wall=0.07)
            q = shapes.bezier([(x_end - side * lung_rx * 0.1, y + lung_ry * 0.12),
                               (cx + side * offset * 0.9, y + lung_ry * 0.2),
                               (cx + side * offset * 0.35, y + lung_ry * 0.38)], 30)
            shapes.stroke(rib_layer, q, rib_w * 0.9, 0.04, wall=0.03)
    d += rib_layer  # a rib adds to the soft tissue and lung in front of and behind it
    # clavicles
    clav_y = lung_cy - lung_ry * rng.uniform(0.9, 1.05)
    for side in (-1, 1):
        p = shapes.bezier([(cx + side * w * 0.04, clav_y + h * 0.02), (cx + side * w * 0.15, clav_y - h * 0.03),
                           (cx + side * w * 0.28, clav_y + h * 0.01), (cx + side * w * 0.36, clav_y - h * 0.04)], 40)
        shapes.stroke(d, p, h * 0.022, 0.12, wall=0.08)
    # humeral heads in the upper corners
    humeri = []
    for side in (-1, 1):
        hc = (cx + side * half_w * rng.uniform(0.85, 0.95), clav_y + h * 0.04)
        humeri.append(hc)
        shapes.ellipse(d, *hc, w * 0.05, h * 0.05, 0.12, soft=1.5, add=True)

    # vessels from both hila
    vessel_layer = np.zeros((h, w), np.float32)
    for side in (-1, 1):
        hilum = (cx + side * offset * 0.55, lung_cy + lung_ry * 0.1)
        for _ in range(rng.integers(5, 9)):
            direction = np.pi / 2 - side * np.pi / 2 + rng.uniform(-1.3, 1.3) * side
            _vessels(vessel_layer, rng, hilum, direction, lung_rx * rng.uniform(0.8, 1.5), 2.6 * w / 512, 0, lungs)
    d += vessel_layer

    # breasts (half the images) and smooth inhomogeneity
    if rng.random() < 0.5:
        for side in (-1, 1):
            shapes.ellipse(d, cx + side * offset * 1.1, lung_cy + lung_ry * 0.75, lung_rx * 1.1, lung_ry * 0.35,
                           0.07, soft=6 * w / 512, add=True)
    low = ndimage.gaussian_filter(rng.normal(0, 1, (h, w)).astype(np.float32), 25 * w / 512)
    d += 0.02 * low / (low.std() + 1e-6)
    d = np.clip(d, 0, None)

    landmarks = {
        "cx": cx, "top": top, "tilt": tilt, "half_w": half_w,
        "trachea": (cx, lung_cy - lung_ry * 0.4), "carina": (cx + w * 0.005, lung_cy - lung_ry * 0.2),
        "svc": (cx - w * 0.04, lung_cy - lung_ry * 0.15), "ra": (cx - w * 0.04, heart_c[1]),
        "rv": (heart_c[0] + heart_r[0] * 0.2, heart_c[1] + heart_r[1] * 0.4), "heart": heart_c,
        "heart_r": heart_r, "pa": (cx - w * 0.02, lung_cy - lung_ry * 0.05),
        "stomach": stomach, "clavicle_y": clav_y, "lung_cy": lung_cy, "lung_rx": lung_rx,
        "lung_ry": lung_ry, "offset": offset, "spine_w": spine_w, "period": period,
        "knob": knob_c, "ribs": ribs, "humeri": humeri, "lungs": lungs, "rib_w": rib_w,
    }
    return d.astype(np.float32), landmarks
