#!/usr/bin/python3
"""An independent burned-in text corpus for measuring medanon's pixel stages (issue #13).

medanon's defaults were tuned on `medanon synth`, whose text is OpenCV's Hershey stroke fonts.
This renderer shares no code with it: TrueType fonts through FreeType (Pillow), anti-aliased,
letters 8-40 px tall, contrast down to 0.1 of the local range, dark-on-bright and bright-on-dark,
lines that cross a collimator edge, lines that start in a corner and run inward, vendor-like
overlay plates, technical markers, and central PHI. Names, dates and numbers come from its own
lists and formats.

Backgrounds: the 16-bit PadChest PNGs of a text-free synth corpus (`medanon synth --no-text`),
whose ground truth carries over their L/R markers. Output: PNGs plus ground_truth.json in the
format `medanon evaluate text --corpus` reads (region "border" for every word of a line that
starts in the redaction zone, "center" for lines that touch none of it).

Usage: render_text_corpus.py BACKGROUND_CORPUS OUT_DIR --seed N [--count N]
Run with /usr/bin/python3 (needs python3-pil, python3-numpy and the fonts-* packages of
scripts/install-deps.sh; DejaVu Sans Condensed is in fonts-dejavu-extra).
"""
import argparse
import json
import os
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype"
FONTS = {  # family -> files (regular and bold faces of each family)
    "dejavu-sans": ["dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf", "dejavu/DejaVuSansCondensed.ttf"],
    "dejavu-serif": ["dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"],
    "dejavu-mono": ["dejavu/DejaVuSansMono.ttf", "dejavu/DejaVuSansMono-Bold.ttf"],
    "liberation-sans": ["liberation/LiberationSans-Regular.ttf", "liberation/LiberationSans-Bold.ttf",
                        "liberation/LiberationSansNarrow-Regular.ttf"],
    "liberation-serif": ["liberation/LiberationSerif-Regular.ttf", "liberation/LiberationSerif-Bold.ttf"],
    "liberation-mono": ["liberation/LiberationMono-Regular.ttf", "liberation/LiberationMono-Bold.ttf"],
    "noto-sans": ["noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf"],
    "noto-serif": ["noto/NotoSerif-Regular.ttf", "noto/NotoSerif-Bold.ttf"],
    "lato": ["lato/Lato-Regular.ttf", "lato/Lato-Bold.ttf", "lato/Lato-Medium.ttf"],
}

SURNAMES = ["KOWALCZYK", "OYELARAN", "MACPHERSON", "VASQUEZ-IBARRA", "THORNQUIST", "NAKAMURA", "DELACROIX",
            "FITZGERALD", "HOLMQVIST", "ABERNATHY", "QUINTERO", "LINDQVIST", "O'SULLIVAN", "PETRAKIS",
            "BRANDVOLD", "ACHTERBERG", "WOJCIECHOWSKI", "ESPINOSA", "HAVERKAMP", "McALLISTER"]
GIVEN = ["Ingrid", "TOMASZ", "Adaeze", "FERGUS", "Lucienne", "Haruto", "PERPETUA", "Osvaldo", "Ragnhild",
         "Cormac", "Yusuf", "Zofia", "EVANGELINE", "Thaddeus", "Marisol", "Bartholomew"]
INSTITUTIONS = ["ST. BRENDAN'S GENERAL", "Klinikum Nordhafen", "Hospital Virgen del Roble",
                "RIVERSIDE IMAGING CTR", "Ospedale San Teodoro", "Mercy Valley Medical"]
DATE_FORMATS = ["{y:04d}-{m:02d}-{d:02d}", "{d:02d}/{m:02d}/{y:04d}", "{d:02d}.{m:02d}.{y:04d}",
                "{d:02d}-{mon}-{y:04d}", "{mon} {d:d}, {y:04d}", "{y:04d}{m:02d}{d:02d}"]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def a_date(rng, first, last):
    y, m, d = rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice(DATE_FORMATS).format(y=y, m=m, d=d, mon=MONTHS[m - 1])


def phi_lines(rng):
    """Lines of (words, phi flags, field); labels are not PHI."""
    surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
    name = rng.choice([[surname + ",", given], [given, surname], [surname + "^" + given.upper()], [surname, given, "J."]])
    lines = [
        (["Name:"] + name if rng.random() < 0.4 else name, "PatientName"),
        ([rng.choice(["MRN", "ID:", "Pat.ID", "NHC"]), "%d" % rng.randint(1000000, 99999999)], "PatientID"),
        ([rng.choice(["DOB", "Born:", "F.Nac."]), a_date(rng, 1930, 2010)], "BirthDate"),
        ([rng.choice(["Study:", "Date", "Exam"]), a_date(rng, 2012, 2025), "%02d:%02d" % (rng.randint(0, 23), rng.randint(0, 59))], "StudyDate"),
        (["ACC#", "A%d" % rng.randint(10000000, 99999999)], "AccessionNumber"),
        (rng.choice(INSTITUTIONS).split(), "InstitutionName"),
        (["%03d-%02d-%04d" % (rng.randint(100, 899), rng.randint(10, 99), rng.randint(1000, 9999))], "PatientID"),
    ]
    labels = {"Name:", "MRN", "ID:", "Pat.ID", "NHC", "DOB", "Born:", "F.Nac.", "Study:", "Date", "Exam", "ACC#"}
    return [(words, [w not in labels for w in words], field) for words, field in lines]


def technical_lines(rng):
    lines = [(["PA"], "Marker"), (["AP"], "Marker"), (["PORTABLE"], "Marker"), (["SUPINE"], "Marker"),
             (["KVP", "%d" % rng.choice([85, 100, 110, 120, 125])], "Technique"),
             (["mAs", "%.1f" % rng.choice([1.6, 2.0, 2.5, 3.2, 4.0])], "Technique"), (["L"], "Marker"), (["R"], "Marker")]
    return [(words, [False] * len(words), field) for words, field in rng.sample(lines, rng.randint(1, 3))]


class Canvas:
    """The background as float in [0, 1] plus what was burned into it."""

    def __init__(self, pixels, max_value):
        self.image = pixels.astype(np.float64) / max_value
        self.max_value = max_value
        self.taken = []  # boxes already holding text (x0, y0, x1, y1)
        self.words = []

    def free(self, box, margin):
        x0, y0, x1, y1 = box
        h, w = self.image.shape
        if x0 < 1 or y0 < 1 or x1 > w - 1 or y1 > h - 1:
            return False
        return all(x1 + margin <= a or a1 + margin <= x0 or y1 + margin <= b or b1 + margin <= y0
                   for a, b, a1, b1 in self.taken)


def glyph_mask(font, text):
    """Anti-aliased coverage of `text` (0..1) and its ink offset from the draw origin."""
    left, top, right, bottom = font.getbbox(text)
    mask = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(mask).text((2 - left, 2 - top), text, font=font, fill=255)
    return np.asarray(mask, dtype=np.float64) / 255.0, left - 2, top - 2


def line_layout(font, words):
    """Per word: coverage mask and x offset along the line (one space apart)."""
    space = max(2, int(round(font.getlength(" "))))
    x, parts = 0, []
    for word in words:
        mask, dx, dy = glyph_mask(font, word)
        parts.append((mask, x + dx, dy))
        x += int(round(font.getlength(word))) + space
    return parts


def burn_line(canvas, rng, words, phi, field, font, origin, region, value_for):
    """Burns one line at `origin` (x, baseline-top y); returns False when it does not fit."""
    parts = line_layout(font, words)
    ox, oy = origin
    boxes = []
    for mask, dx, dy in parts:
        boxes.append((ox + dx, oy + dy, ox + dx + mask.shape[1], oy + dy + mask.shape[0]))
    extent = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    if not canvas.free(extent, 6):
        return False
    for (mask, _, _), box, word, is_phi in zip(parts, boxes, words, phi):
        x0, y0, x1, y1 = box
        under = canvas.image[y0:y1, x0:x1]
        value = value_for(x0, y0, x1, y1)
        canvas.image[y0:y1, x0:x1] = under * (1 - mask) + value * mask
        ys, xs = np.nonzero(mask >= 0.25)  # the glyph's tight box: a quarter coverage and more
        if len(xs) == 0:
            continue
        canvas.words.append({"text": word, "field": field, "phi": bool(is_phi), "region": region,
                             "box": [int(x0 + xs.min()), int(y0 + ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]})
    canvas.taken.append(extent)
    return True


def text_value(canvas, rng, polarity, contrast):
    """The ink value for a word box: `contrast` of the local range above (bright) or below (dark)."""

    def value_for(x0, y0, x1, y1):
        h, w = canvas.image.shape
        pad = max(8, (y1 - y0))
        patch = canvas.image[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(w, x1 + pad)]
        low, median, high = np.percentile(patch, [2, 50, 98])
        local_range = max(high - low, 0.15)  # flat plates: a range that still shows on a display
        sign = 1 if polarity == "bright" else -1
        # No room on that side (dark text on a black background would be invisible, to a person
        # too): the other polarity, so every word really has its contrast.
        if not 0.0 <= median + sign * contrast * local_range <= 1.0:
            sign = -sign
        return float(np.clip(median + sign * contrast * local_range, 0.0, 1.0))

    return value_for


def a_font(rng, letter_height, family=None):
    family = family or rng.choice(sorted(FONTS))
    path = os.path.join(FONT_DIR, rng.choice(FONTS[family]))
    probe = ImageFont.truetype(path, 100)
    cap = probe.getbbox("H")[3] - probe.getbbox("H")[1]
    return ImageFont.truetype(path, max(6, int(round(letter_height * 100 / cap)))), family


def render_image(rng, canvas, zone):
    h, w = canvas.image.shape
    lines = phi_lines(rng)
    rng.shuffle(lines)
    scenarios = ["corner-block", "corner-block", "side", "collimator", "plate", "inward"]
    placed_phi = 0
    for words, phi, field in lines[: rng.randint(3, 6)]:
        scenario = rng.choice(scenarios)
        letter = rng.choice([rng.randint(8, 14), rng.randint(12, 24), rng.randint(18, 40)])
        font, family = a_font(rng, letter)
        polarity = rng.choice(["bright", "dark"])
        contrast = rng.choice([rng.uniform(0.1, 0.3), rng.uniform(0.3, 1.0), 1.0])
        for _ in range(30):  # tries to place
            if scenario in ("corner-block", "inward", "plate"):
                corner_x = rng.random() < 0.5
                x = rng.randint(4, max(5, zone // 3)) if corner_x else None
                top = rng.random() < 0.5
                y = rng.randint(4, max(5, zone - letter * 2)) if top else rng.randint(h - zone, h - letter * 2 - 4)
                width = sum(int(font.getlength(word + " ")) for word in words)
                if x is None:
                    x = w - width - rng.randint(4, max(5, zone // 3))
                if scenario == "inward":  # the line starts in the left band and runs inward
                    x = rng.randint(4, max(5, zone // 2))
                    y = rng.randint(h // 2 - h // 5, h // 2 + h // 5)
            elif scenario == "side":
                x = rng.randint(4, max(5, zone // 4)) if rng.random() < 0.5 else w - rng.randint(zone // 2, zone)
                y = rng.randint(zone, h - zone - letter * 2)
            else:  # collimator: a shutter edge through the middle of the line
                x = rng.randint(4, max(5, zone // 2))
                y = rng.randint(4, zone - letter * 2) if rng.random() < 0.5 else rng.randint(h - zone, h - letter * 2 - 4)
            parts = line_layout(font, words)
            x1 = x + max(dx + m.shape[1] for m, dx, _ in parts)
            if x < 1 or x1 >= w - 1 or not canvas.free((x - 2, y - 2, x1 + 2, y + letter * 2), 6):
                continue
            value_for = text_value(canvas, rng, polarity, contrast)
            if scenario == "plate":  # a vendor overlay block: text on a flat plate
                plate_value = 0.02 if polarity == "bright" else 0.95
                px0, py0 = max(0, x - letter // 2), max(0, y - letter // 2)
                px1, py1 = min(w, x1 + letter // 2), min(h, y + int(letter * 1.8))
                canvas.image[py0:py1, px0:px1] = plate_value
                value_for = lambda *box, p=plate_value, c=contrast: float(np.clip(p + (c * 0.9 if p < 0.5 else -c * 0.9), 0, 1))
            elif scenario == "collimator":  # background jumps from dark to bright under the line
                edge = (x + x1) // 2
                bright_side = rng.random() < 0.5
                band = slice(max(0, y - letter), min(h, y + letter * 3))
                if bright_side:
                    canvas.image[band, edge:x1 + letter] = np.clip(canvas.image[band, edge:x1 + letter] * 0.3 + 0.7, 0, 1)
                else:
                    canvas.image[band, edge:x1 + letter] = canvas.image[band, edge:x1 + letter] * 0.15
                value_for = lambda *box: 0.5  # mid grey reads on both sides
            region = "border"
            if burn_line(canvas, rng, words, phi, field, font, (x, y), region, value_for):
                placed_phi += 1
                break
    # Technical markers in the border (kept), large or small.
    for words, phi, field in technical_lines(rng):
        font, _ = a_font(rng, rng.randint(14, 40))
        for _ in range(30):
            x = rng.randint(4, w - 200) if rng.random() < 0.5 else rng.randint(4, zone // 2)
            y = rng.randint(4, zone // 2) if rng.random() < 0.5 else rng.randint(h - zone // 2 - 40, h - 44)
            if burn_line(canvas, rng, words, phi, field, font, (x, y), "border",
                         text_value(canvas, rng, "bright", rng.uniform(0.4, 1.0))):
                break
    # Central PHI: flagged for review, never altered.
    if rng.random() < 0.6:
        words, phi, field = rng.choice(phi_lines(rng))
        font, _ = a_font(rng, rng.randint(12, 30))
        for _ in range(30):
            x, y = rng.randint(zone + 40, w // 2), rng.randint(zone + 40, h - zone - 80)
            if burn_line(canvas, rng, words, phi, field, font, (x, y), "center",
                         text_value(canvas, rng, rng.choice(["bright", "dark"]), rng.uniform(0.4, 1.0))):
                break
    return placed_phi


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("backgrounds", help="a text-free synth corpus (medanon synth --no-text)")
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=0, help="images to render (0: every PadChest PNG)")
    parser.add_argument("--border-fraction", type=float, default=0.15)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(os.path.join(args.backgrounds, "ground_truth.json")) as f:
        background_truth = json.load(f)
    sources = [i for i in background_truth["images"] if i["layout"] == "padchest"]
    if args.count:
        sources = sources[: args.count]
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    images = []
    for index, source in enumerate(sources):
        pixels = np.array(Image.open(os.path.join(args.backgrounds, source["path"])))
        max_value = 255 if pixels.dtype == np.uint8 else 65535
        canvas = Canvas(pixels, max_value)
        for word in source.get("text", []):  # the background's own markers stay in the truth
            x, y, bw, bh = word["box"]
            canvas.taken.append((x, y, x + bw, y + bh))
            canvas.words.append(word)
        h, w = canvas.image.shape
        render_image(rng, canvas, int(args.border_fraction * min(h, w)))
        out = np.clip(np.round(canvas.image * max_value), 0, max_value).astype(pixels.dtype)
        relative = "images/%04d.png" % index
        Image.fromarray(out).save(os.path.join(args.out, relative))
        images.append({"index": index, "path": relative, "layout": "padchest", "text": canvas.words,
                       "background": source["path"]})
    truth = {"format": "medanon-synth-ground-truth", "generator": "tests/text_render/render_text_corpus.py",
             "seed": args.seed, "images": images, "bad_files": []}
    with open(os.path.join(args.out, "ground_truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
    words = [w for i in images for w in i["text"]]
    print("rendered %d images: %d border PHI words, %d central PHI words, %d technical" % (
        len(images), sum(w["phi"] and w["region"] != "center" for w in words),
        sum(w["phi"] and w["region"] == "center" for w in words),
        sum(w["field"] in ("Marker", "Technique") for w in words)))


if __name__ == "__main__":
    main()
