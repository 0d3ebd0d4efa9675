"""Anti-aliased drawing into float density maps for the independent foreign-object corpus.

Everything here works in the attenuation domain (a float32 array that the tone curve later turns
into grey values): a shape adds or raises density where it covers a pixel, with coverage from the
exact distance to the shape, so a 1-px wire is a faint grey line and not a missing or doubled one.
No code is shared with `medanon synth` (C++, OpenCV rasterisation); this is written against numpy
only so that the two generators fail differently.
"""
import numpy as np


def bezier(points, n):
    """n points on the Bezier curve with control points `points` (de Casteljau)."""
    p = np.asarray(points, dtype=np.float64)
    t = np.linspace(0.0, 1.0, n)[:, None]
    work = [p[i][None, :].repeat(n, 0) for i in range(len(p))]
    while len(work) > 1:
        work = [(1 - t) * work[i] + t * work[i + 1] for i in range(len(work) - 1)]
    return work[0]


def smooth_path(points, step=2.0):
    """Catmull-Rom spline through `points`, resampled every ~`step` pixels."""
    p = np.asarray(points, dtype=np.float64)
    if len(p) < 3:
        length = np.linalg.norm(p[-1] - p[0])
        return np.linspace(p[0], p[-1], max(2, int(length / step) + 1))
    ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        n = max(2, int(np.linalg.norm(p2 - p1) / step) + 1)
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2 +
                          (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    out.append(p[-1][None, :])
    return np.vstack(out)


def _box(shape, xs, ys, margin):
    h, w = shape
    x0 = max(0, int(np.floor(min(xs) - margin)))
    x1 = min(w, int(np.ceil(max(xs) + margin)) + 1)
    y0 = max(0, int(np.floor(min(ys) - margin)))
    y1 = min(h, int(np.ceil(max(ys) + margin)) + 1)
    return x0, x1, y0, y1


def distance_to_path(shape, path, margin):
    """Distance of every pixel in the path's box (+margin) to the polyline; (box, distances)."""
    path = np.asarray(path, dtype=np.float64)
    x0, x1, y0, y1 = _box(shape, path[:, 0], path[:, 1], margin)
    if x1 <= x0 or y1 <= y0:
        return None, None
    yy, xx = np.mgrid[y0:y1, x0:x1]
    px = xx.ravel().astype(np.float64) + 0.5
    py = yy.ravel().astype(np.float64) + 0.5
    best = np.full(px.shape, np.inf)
    a, b = path[:-1], path[1:]
    if len(path) == 1:
        a, b = path, path
    for start in range(0, len(a), 48):  # chunks keep the temporary arrays small
        ax, ay = a[start:start + 48, 0][:, None], a[start:start + 48, 1][:, None]
        bx, by = b[start:start + 48, 0][:, None], b[start:start + 48, 1][:, None]
        dx, dy = bx - ax, by - ay
        length2 = np.maximum(dx * dx + dy * dy, 1e-9)
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0, 1)
        d = np.hypot(px - (ax + t * dx), py - (ay + t * dy)).min(axis=0)
        best = np.minimum(best, d)
    return (x0, x1, y0, y1), best.reshape(y1 - y0, x1 - x0)


def stroke(canvas, path, width, density, wall=0.0, stripe=0.0, stripe_width=1.0):
    """A line of `width` px along `path`. wall > 0 draws a hollow tube (walls that much denser
    than its lumen), stripe > 0 adds a radiopaque centre line."""
    box, d = distance_to_path(canvas.shape, path, width / 2 + 2)
    if box is None:
        return
    x0, x1, y0, y1 = box
    cover = np.clip(width / 2 + 0.5 - d, 0, 1)
    value = density * cover
    if wall > 0:
        value += wall * cover * np.clip(1 - np.abs(d - (width / 2 - 0.8)) / 1.2, 0, 1)
    if stripe > 0:
        value += stripe * np.clip(stripe_width / 2 + 0.5 - d, 0, 1)
    region = canvas[y0:y1, x0:x1]
    np.maximum(region, value.astype(canvas.dtype), out=region)


def pieces(path, period, gap):
    """The path cut into runs of `period - gap` px separated by `gap` px (a drain's side holes)."""
    path = np.asarray(path)
    arc = np.r_[0, np.cumsum(np.hypot(*np.diff(path, axis=0).T))]
    keep = (arc % period) > gap
    runs, current = [], []
    for point, k in zip(path, keep):
        if k:
            current.append(point)
        elif len(current) > 1:
            runs.append(np.array(current))
            current = []
        else:
            current = []
    if len(current) > 1:
        runs.append(np.array(current))
    return runs


def ellipse(canvas, cx, cy, rx, ry, density, angle=0.0, ring=0.0, add=False, soft=0.0):
    """A filled ellipse (ring > 0: only a ring that wide), anti-aliased; soft > 0 gives it a
    smooth edge of that many px (tissue, not metal)."""
    r = max(rx, ry) + ring + soft * 3 + 2
    x0, x1, y0, y1 = _box(canvas.shape, [cx - r, cx + r], [cy - r, cy + r], 0)
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1]
    c, s = np.cos(angle), np.sin(angle)
    u = ((xx + 0.5 - cx) * c + (yy + 0.5 - cy) * s) / max(rx, 1e-3)
    v = (-(xx + 0.5 - cx) * s + (yy + 0.5 - cy) * c) / max(ry, 1e-3)
    rho = np.sqrt(u * u + v * v)
    signed = (rho - 1) * min(rx, ry)  # ~ distance to the outline in px
    if ring > 0:
        signed = np.abs(signed) - ring / 2
    if soft > 0:
        cover = 1 / (1 + np.exp(signed / soft))
    else:
        cover = np.clip(0.5 - signed, 0, 1)
    region = canvas[y0:y1, x0:x1]
    if add:
        region += (density * cover).astype(canvas.dtype)
    else:
        np.maximum(region, (density * cover).astype(canvas.dtype), out=region)


def polygon(canvas, vertices, density):
    """A filled polygon (even-odd rule), anti-aliased at its edges."""
    v = np.asarray(vertices, dtype=np.float64)
    x0, x1, y0, y1 = _box(canvas.shape, v[:, 0], v[:, 1], 2)
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1]
    px, py = xx + 0.5, yy + 0.5
    inside = np.zeros(px.shape, bool)
    for (ax, ay), (bx, by) in zip(v, np.roll(v, -1, axis=0)):
        crosses = ((ay > py) != (by > py)) & (px < (bx - ax) * (py - ay) / (by - ay + 1e-12) + ax)
        inside ^= crosses
    _, d = distance_to_path(canvas.shape, np.vstack([v, v[:1]]), 2)
    d = d[: y1 - y0, : x1 - x0]
    cover = np.where(inside, np.clip(0.5 + d, 0, 1), np.clip(0.5 - d, 0, 1))
    region = canvas[y0:y1, x0:x1]
    np.maximum(region, (density * cover).astype(canvas.dtype), out=region)


def rectangle(canvas, cx, cy, length, width, angle, density):
    c, s = np.cos(angle), np.sin(angle)
    corners = [(-length / 2, -width / 2), (length / 2, -width / 2), (length / 2, width / 2), (-length / 2, width / 2)]
    polygon(canvas, [(cx + a * c - b * s, cy + a * s + b * c) for a, b in corners], density)


# Block letters for lead L/R markers: a marker is a hard negative (dense, sharp, not foreign).
LETTERS = {
    "L": ["X....", "X....", "X....", "X....", "X....", "X....", "XXXXX"],
    "R": ["XXXX.", "X...X", "X...X", "XXXX.", "X.X..", "X..X.", "X...X"],
}


def letter(canvas, char, x, y, cell, density):
    """A lead marker letter of 5x7 cells of `cell` px, top-left at (x, y), on a faint plate."""
    rows = LETTERS[char]
    plate_w, plate_h = 7 * cell, 9 * cell
    rectangle(canvas, x + plate_w / 2 - cell, y + plate_h / 2 - cell, plate_w, plate_h, 0.0, density * 0.15)
    for r, row in enumerate(rows):
        for c, on in enumerate(row):
            if on == "X":
                rectangle(canvas, x + (c + 0.5) * cell, y + (r + 0.5) * cell, cell * 1.02, cell * 1.02, 0.0, density)
