"""Foreign objects (17 kinds) and hard negatives (bright, not foreign) for the independent corpus.

Each placer draws into its own float density layer, using the chest's landmarks, and returns the
PadChest labels it stands for. Densities: metal 1.5-3 (saturates any tone curve), radiopaque
stripes ~0.6-1, plastic tube walls 0.1-0.3 (about a rib's contrast), calcium 0.3-0.9.
"""
import numpy as np

import fo_shapes as shapes


def _jitter(rng, point, scale):
    return (point[0] + rng.normal(0, scale), point[1] + rng.normal(0, scale))


def pacemaker(layer, lm, rng, s):
    side = rng.choice([-1, 1])
    can = (lm["cx"] + side * lm["offset"] * rng.uniform(0.9, 1.3), lm["clavicle_y"] + rng.uniform(20, 45) * s)
    angle = rng.uniform(-0.4, 0.4)
    shapes.rectangle(layer, *can, 42 * s, 30 * s, angle, 2.2)
    shapes.ellipse(layer, can[0] + 8 * s, can[1], 9 * s, 9 * s, 2.6)  # battery
    shapes.rectangle(layer, can[0], can[1] - 18 * s, 22 * s, 8 * s, angle, 1.2)  # header
    leads = rng.integers(1, 3)
    ends = [lm["rv"], lm["ra"]]
    for k in range(leads):
        tip = _jitter(rng, ends[k], 6 * s)
        path = shapes.smooth_path([can, _jitter(rng, (can[0] - side * 30 * s, can[1] - 20 * s), 4 * s),
                                   _jitter(rng, lm["svc"], 4 * s), tip])
        shapes.stroke(layer, path, rng.uniform(1.8, 2.8) * s, 1.3)
        shapes.ellipse(layer, *tip, 3 * s, 3 * s, 2.2)
    return ["pacemaker", "dual chamber device" if leads == 2 else "single chamber device"]


def port(layer, lm, rng, s):
    side = rng.choice([-1, 1])
    c = (lm["cx"] + side * lm["offset"] * rng.uniform(0.8, 1.2), lm["clavicle_y"] + rng.uniform(25, 50) * s)
    shapes.ellipse(layer, *c, 12 * s, 10 * s, 1.7, ring=4 * s)
    shapes.ellipse(layer, *c, 8 * s, 6 * s, 0.6)
    path = shapes.smooth_path([c, (c[0] - side * 20 * s, lm["clavicle_y"]), _jitter(rng, lm["svc"], 4 * s),
                               _jitter(rng, lm["ra"], 5 * s)])
    shapes.stroke(layer, path, 2.2 * s, 0.5)
    return ["reservoir central venous catheter"]


def cvc(layer, lm, rng, s, jugular):
    side = rng.choice([-1, 1])
    if jugular:
        start = (lm["cx"] + side * 30 * s, 2)
        via = (lm["cx"] + side * 25 * s, lm["clavicle_y"])
        label = "central venous catheter via jugular vein"
    else:
        start = (lm["cx"] + side * lm["offset"] * 1.6, lm["clavicle_y"] + 10 * s)
        via = (lm["cx"] + side * 35 * s, lm["clavicle_y"] + 12 * s)
        label = "central venous catheter via subclavian vein"
    path = shapes.smooth_path([start, via, _jitter(rng, lm["svc"], 3 * s)])
    shapes.stroke(layer, path, rng.uniform(1.4, 2.2) * s, rng.uniform(0.35, 0.6))
    return [label]


def swan_ganz(layer, lm, rng, s):
    start = (lm["cx"] + 28 * s, 2)
    path = shapes.smooth_path([start, (lm["cx"] + 22 * s, lm["clavicle_y"]), lm["svc"], lm["ra"],
                               _jitter(rng, lm["rv"], 4 * s), _jitter(rng, lm["pa"], 4 * s),
                               (lm["pa"][0] - lm["offset"] * rng.uniform(0.3, 0.6), lm["pa"][1] + rng.uniform(-10, 10) * s)])
    shapes.stroke(layer, path, 2.0 * s, 0.45)
    return ["catheter"]


def ng_tube(layer, lm, rng, s):
    x = lm["cx"] + rng.uniform(-6, 8) * s
    st = lm["stomach"]
    path = shapes.smooth_path([(x - 4 * s, 2), (x, lm["clavicle_y"]), (x + 6 * s, lm["heart"][1]),
                               (st[0] - 15 * s, st[1] - 5 * s), _jitter(rng, st, 5 * s),
                               (st[0] + 10 * s, st[1] + 12 * s)])
    shapes.stroke(layer, path, rng.uniform(3, 4.5) * s, 0.12, wall=0.06, stripe=0.7, stripe_width=1.2 * s)
    return ["NSG tube"]


def et_tube(layer, lm, rng, s):
    x = lm["trachea"][0] + rng.uniform(-4, 4) * s
    tip_y = lm["carina"][1] - rng.uniform(10, 40) * s
    path = shapes.smooth_path([(x + 3 * s, 2), (x, tip_y)])
    shapes.stroke(layer, path, rng.uniform(6, 9) * s, 0.1, wall=0.12, stripe=0.8, stripe_width=1.5 * s)
    return ["endotracheal tube"]


def tracheostomy(layer, lm, rng, s):
    x = lm["trachea"][0]
    y0 = lm["clavicle_y"] - 35 * s
    path = shapes.bezier([(x + 25 * s, y0), (x + 5 * s, y0 + 5 * s), (x, y0 + 30 * s), (x, y0 + 55 * s)], 30)
    shapes.stroke(layer, path, 9 * s, 0.15, wall=0.25)
    shapes.rectangle(layer, x + 22 * s, y0, 40 * s, 4 * s, 0.1, 0.6)  # flange
    return ["tracheostomy tube"]


def chest_drain(layer, lm, rng, s):
    side = rng.choice([-1, 1])
    entry = (lm["cx"] + side * lm["half_w"] * 0.95, lm["lung_cy"] + lm["lung_ry"] * rng.uniform(0.3, 0.7))
    apex = (lm["cx"] + side * lm["offset"] * rng.uniform(0.8, 1.2), lm["lung_cy"] - lm["lung_ry"] * rng.uniform(0.5, 0.8))
    path = shapes.smooth_path([entry, (entry[0] - side * 40 * s, entry[1] - 20 * s), apex])
    shapes.stroke(layer, path, rng.uniform(5, 7) * s, 0.1, wall=0.15)
    for run in shapes.pieces(path, 40 * s, 6 * s):
        shapes.stroke(layer, run, 1.3 * s, 0.8)
    return ["chest drain tube"]


def sternal_wires(layer, lm, rng, s):
    x = lm["cx"] + rng.uniform(-4, 4) * s
    y0 = lm["clavicle_y"] + 15 * s
    for k in range(rng.integers(4, 8)):
        y = y0 + k * rng.uniform(16, 22) * s
        shapes.ellipse(layer, x + rng.normal(0, 1.5) * s, y, 9 * s, 3.5 * s, 2.0, angle=rng.normal(0, 0.15), ring=2 * s)
        shapes.stroke(layer, shapes.smooth_path([(x + 9 * s, y), (x + 13 * s, y - 2 * s), (x + 15 * s, y + 2 * s)]),
                      2 * s, 2.0)  # the twisted end
    return ["sternotomy"]


def clips(layer, lm, rng, s):
    c = (lm["cx"] + rng.uniform(-1, 1) * lm["offset"], lm["lung_cy"] + rng.uniform(-0.5, 0.8) * lm["lung_ry"])
    for _ in range(rng.integers(3, 9)):
        p = _jitter(rng, c, 18 * s)
        a = rng.uniform(0, np.pi)
        length = rng.uniform(6, 10) * s
        if rng.random() < 0.5:  # a V-shaped clip
            tip = (p[0] + length * np.cos(a), p[1] + length * np.sin(a))
            for da in (-0.35, 0.35):
                shapes.stroke(layer, [p, (p[0] + length * np.cos(a + da), p[1] + length * np.sin(a + da))], 1.6 * s, 1.8)
            del tip
        else:
            shapes.rectangle(layer, *p, length, 2.2 * s, a, 1.8)
    return ["suture material"]


def plate_screws(layer, lm, rng, s):
    if rng.random() < 0.5 and lm["ribs"]:
        rib = lm["ribs"][rng.integers(len(lm["ribs"]))]
        path = rib[len(rib) // 4: len(rib) // 4 + 14]
    else:
        side = rng.choice([-1, 1])
        y = lm["clavicle_y"]
        path = shapes.smooth_path([(lm["cx"] + side * 40 * s, y), (lm["cx"] + side * 100 * s, y - 10 * s)])
    shapes.stroke(layer, path, 6 * s, 2.0)
    step = max(1, len(path) // 5)
    for p0, p1 in zip(path[::step][:-1], path[::step][1:]):
        a = np.arctan2(p1[1] - p0[1], p1[0] - p0[0]) + np.pi / 2
        shapes.rectangle(layer, *p0, 16 * s, 3 * s, a, 2.4)
    return ["osteosynthesis material"]


def valve(layer, lm, rng, s):
    c = _jitter(rng, lm["heart"], 8 * s)
    a = rng.uniform(0, np.pi)
    rx = rng.uniform(9, 13) * s
    shapes.ellipse(layer, *c, rx, rx * rng.uniform(0.35, 0.8), 1.8, angle=a, ring=2.5 * s)
    for k in range(rng.integers(2, 4)):
        b = a + k * 2 * np.pi / 3
        shapes.stroke(layer, [c, (c[0] + rx * np.cos(b), c[1] + rx * 0.6 * np.sin(b))], 1.5 * s, 1.4)
    return ["artificial heart valve"]


def ecg_leads(layer, lm, rng, s):
    h, w = layer.shape
    for _ in range(rng.integers(2, 5)):
        c = (rng.uniform(0.15, 0.85) * w, rng.uniform(0.1, 0.8) * h)
        shapes.ellipse(layer, *c, 8 * s, 8 * s, 0.35)
        shapes.ellipse(layer, *c, 2.5 * s, 2.5 * s, 1.8)
        edge = (rng.choice([0, w - 1]), rng.uniform(0.2, 1.0) * h)
        mid = ((c[0] + edge[0]) / 2 + rng.normal(0, 30) * s, (c[1] + edge[1]) / 2 + rng.normal(0, 30) * s)
        shapes.stroke(layer, shapes.smooth_path([c, mid, edge]), 1.4 * s, 0.7)
    return ["external foreign body"]


def stent_graft(layer, lm, rng, s):
    x = lm["knob"][0] - 4 * s
    y0, y1 = lm["knob"][1], lm["heart"][1] + lm["heart_r"][1] * 0.5
    width = rng.uniform(14, 20) * s
    for side in (-0.5, 0.5):
        shapes.stroke(layer, [(x + side * width, y0), (x + side * width + 4 * s, y1)], 1.5 * s, 1.0)
    ys = np.arange(y0, y1, 6 * s)
    zig = [(x - width / 2 + (4 * s) * (y - y0) / (y1 - y0) + (width if k % 2 else 0), y) for k, y in enumerate(ys)]
    shapes.stroke(layer, np.array(zig), 1.2 * s, 1.0)
    return ["aortic endoprosthesis"]


def fragments(layer, lm, rng, s):
    h, w = layer.shape
    c = (rng.uniform(0.25, 0.75) * w, rng.uniform(0.25, 0.75) * h)
    for _ in range(rng.integers(1, 6)):
        p = _jitter(rng, c, 20 * s)
        r = rng.uniform(2, 6) * s
        n = rng.integers(4, 7)
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        shapes.polygon(layer, [(p[0] + r * rng.uniform(0.5, 1.2) * np.cos(t), p[1] + r * rng.uniform(0.5, 1.2) * np.sin(t))
                               for t in angles], 2.5)
    return ["abnormal foreign body"]


def cement(layer, lm, rng, s):
    k = rng.integers(6, 14)
    y = lm["top"] + (k + 0.3) * lm["period"]
    x = lm["cx"] + (y - layer.shape[0] / 2) * lm["tilt"]
    blob = np.zeros_like(layer)
    for _ in range(5):
        shapes.ellipse(blob, x + rng.normal(0, 4) * s, y + rng.normal(0, 3) * s, rng.uniform(5, 9) * s,
                       rng.uniform(3, 6) * s, 0.9, soft=0.8)
    np.maximum(layer, blob, out=layer)
    return ["bone cement"]


def humeral_prosthesis(layer, lm, rng, s):
    hc = lm["humeri"][rng.integers(2)]
    shapes.ellipse(layer, *hc, 22 * s, 20 * s, 2.4)
    shapes.stroke(layer, [hc, (hc[0] + rng.normal(0, 5) * s, hc[1] + 90 * s)], 10 * s, 2.4)
    return ["humeral prosthesis"]


OBJECTS = {
    "pacemaker": pacemaker, "port": port,
    "cvc_jugular": lambda *a: cvc(*a, jugular=True), "cvc_subclavian": lambda *a: cvc(*a, jugular=False),
    "swan_ganz": swan_ganz, "ng_tube": ng_tube, "et_tube": et_tube, "tracheostomy": tracheostomy,
    "chest_drain": chest_drain, "sternal_wires": sternal_wires, "clips": clips, "plate_screws": plate_screws,
    "valve": valve, "ecg_leads": ecg_leads, "stent_graft": stent_graft, "fragments": fragments,
    "cement": cement, "humeral_prosthesis": humeral_prosthesis,
}


# ---- hard negatives: bright, sharp, and not foreign ----

def _in_lung(lm, rng, h, w):
    for _ in range(50):
        x, y = rng.uniform(0.1, 0.9) * w, rng.uniform(0.15, 0.75) * h
        if lm["lungs"][int(y), int(x)] > 0.9:
            return x, y
    return lm["cx"] + lm["offset"], lm["lung_cy"]


def calcified_granuloma(layer, lm, rng, s):
    h, w = layer.shape
    for _ in range(rng.integers(1, 4)):
        c = _in_lung(lm, rng, h, w)
        r = rng.uniform(2, 5) * s
        shapes.ellipse(layer, *c, r, r * rng.uniform(0.8, 1.0), rng.uniform(0.4, 0.9))
    return ["calcified granuloma"]


def calcified_nodes(layer, lm, rng, s):
    side = rng.choice([-1, 1])
    c = (lm["cx"] + side * lm["offset"] * 0.5, lm["lung_cy"] + rng.uniform(-0.1, 0.2) * lm["lung_ry"])
    for _ in range(rng.integers(3, 7)):
        p = _jitter(rng, c, 7 * s)
        shapes.ellipse(layer, *p, rng.uniform(2, 4) * s, rng.uniform(2, 4) * s, rng.uniform(0.35, 0.7), soft=0.6)
    return ["calcified adenopathy"]


def bone_island(layer, lm, rng, s):
    if rng.random() < 0.5:
        c = _jitter(rng, lm["humeri"][rng.integers(2)], 6 * s)
    else:
        rib = lm["ribs"][rng.integers(len(lm["ribs"]))]
        c = tuple(rib[rng.integers(5, len(rib) - 5)])
    shapes.ellipse(layer, *c, rng.uniform(3, 6) * s, rng.uniform(2, 4) * s, rng.uniform(0.25, 0.4), angle=rng.uniform(0, 3))
    return []  # incidental, not labelled


def aortic_calcification(layer, lm, rng, s):
    c = lm["knob"]
    r = rng.uniform(14, 20) * s
    a0 = rng.uniform(3.4, 4.0)
    arc = [(c[0] + r * np.cos(t), c[1] + r * np.sin(t)) for t in np.linspace(a0, a0 + rng.uniform(1.0, 1.8), 20)]
    shapes.stroke(layer, np.array(arc), rng.uniform(1.5, 2.5) * s, rng.uniform(0.3, 0.6))
    return ["aortic atheromatosis"]


def rib_callus(layer, lm, rng, s):
    rib = lm["ribs"][rng.integers(len(lm["ribs"]))]
    k = rng.integers(8, len(rib) - 8)
    shapes.ellipse(layer, *rib[k], 10 * s, lm["rib_w"] * 0.9, 0.22,
                   angle=np.arctan2(*(rib[k + 1] - rib[k])[::-1]), soft=1.2)
    return ["callus rib fracture"]


def nipple_shadows(layer, lm, rng, s):
    for side in (-1, 1):
        shapes.ellipse(layer, lm["cx"] + side * lm["offset"] * rng.uniform(1.0, 1.2),
                       lm["lung_cy"] + lm["lung_ry"] * rng.uniform(0.5, 0.7), 5 * s, 5 * s, 0.1, soft=1.0, add=True)
    return []


def marker(layer, lm, rng, s):
    h, w = layer.shape
    char = rng.choice(["L", "R"])
    x = rng.choice([rng.uniform(0.03, 0.12), rng.uniform(0.8, 0.9)]) * w
    y = rng.uniform(0.04, 0.2) * h
    shapes.letter(layer, char, x, y, rng.uniform(2.5, 4) * s, 2.2)
    return []


HARD_NEGATIVES = {
    "calcified_granuloma": calcified_granuloma, "calcified_nodes": calcified_nodes, "bone_island": bone_island,
    "aortic_calcification": aortic_calcification, "rib_callus": rib_callus, "nipple_shadows": nipple_shadows,
    "marker": marker,
}
