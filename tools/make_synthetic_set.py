#!/usr/bin/env python3
"""Writes the synthetic localisation set into Experiments/synthetic/.

An object (the cat's face from chelsea.png, the espresso cup on its saucer from
coffee.png) is cut out of a sample image along a hand-defined union of ellipses
and pasted, with hard edges, onto backgrounds made from the other sample photos
(crops, blurred crops) and from plain, gradient and noise textures, at several
positions and scales. Each image gets a binary mask (white = pasted pixels) in
Experiments/synthetic/masks/ with the same file name: the mask is the very array
used for the paste, so it is exact by construction.

Deterministic: a fixed seed for the noise textures and no other randomness; the
same PIL / numpy versions write the same bytes. A dev tool only (the product never
runs Python). Needs: pillow, numpy.
Run from the repository root: python3 tools/make_synthetic_set.py
"""
import pathlib

import numpy as np
from PIL import Image, ImageFilter

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "Experiments/images"
OUT = ROOT / "Experiments/synthetic"
SIZE = 320  # output images are SIZE x SIZE; the model sees the centre 280 x 280 of them
SEED = 20240606

# Objects: a source file and a union of ellipses (centre x, centre y, semi-axis x,
# semi-axis y, all in source pixels) that lies on the object only.
OBJECTS = {
    "cat": ("chelsea.png", [(212, 170, 172, 128), (200, 118, 120, 100)]),
    "cup": ("coffee.png", [(278, 230, 196, 150), (290, 118, 118, 98)]),
}


def load(name):
    return np.asarray(Image.open(SAMPLES / name).convert("RGB"), dtype=np.float32)


def resize(arr, w, h):
    img = Image.fromarray(np.clip(arr, 0, 255).round().astype(np.uint8), "RGB")
    return np.asarray(img.resize((w, h), Image.LANCZOS), dtype=np.float32)


def blur(arr, radius):
    img = Image.fromarray(np.clip(arr, 0, 255).round().astype(np.uint8), "RGB")
    return np.asarray(img.filter(ImageFilter.GaussianBlur(radius)), dtype=np.float32)


def crop(arr, box):
    x0, y0, x1, y1 = box
    return resize(arr[y0:y1, x0:x1], SIZE, SIZE)


def gradient(top, bottom):
    t = np.linspace(0, 1, SIZE, dtype=np.float32)[:, None, None]
    col = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return np.broadcast_to(col, (SIZE, SIZE, 3)).copy()


def noise(rng, scale, mean, amp):
    """Smooth coloured noise: white noise at SIZE / scale, upsampled bicubically."""
    n = SIZE // scale
    base = rng.normal(0, 1, (n, n, 3)).astype(np.float32)
    img = Image.fromarray(np.clip(128 + 40 * base, 0, 255).astype(np.uint8), "RGB")
    up = np.asarray(img.resize((SIZE, SIZE), Image.BICUBIC), dtype=np.float32)
    return np.array(mean, np.float32) + (up - 128) * (amp / 40)


def backgrounds(rng):
    chelsea, coffee, rocket = load("chelsea.png"), load("coffee.png"), load("rocket.jpg")
    return {
        "wood": crop(coffee, (480, 0, 600, 120)),             # table top right of the saucer
        "wood-blur": blur(crop(coffee, (0, 330, 70, 400)), 3),
        "sky": crop(rocket, (0, 0, 280, 280)),                # sky left of the launch
        "sky-blur": blur(crop(rocket, (360, 0, 640, 280)), 6),
        "fur-blur": blur(crop(chelsea, (0, 180, 120, 300)), 8),
        "gray": np.full((SIZE, SIZE, 3), 128, np.float32),
        "gradient": gradient((40, 70, 140), (230, 200, 150)),
        "noise": noise(rng, 16, (120, 130, 110), 45),
    }


def placed(source, scale, ox, oy):
    """The source scaled by `scale` with its origin at canvas (ox, oy) (integers), cropped to the canvas."""
    h, w = source.shape[:2]
    sw, sh = round(w * scale), round(h * scale)
    scaled = resize(source, sw, sh)
    canvas = np.zeros((SIZE, SIZE, 3), np.float32)
    x0, y0 = max(ox, 0), max(oy, 0)
    x1, y1 = min(ox + sw, SIZE), min(oy + sh, SIZE)
    canvas[y0:y1, x0:x1] = scaled[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
    return canvas, sw / w, sh / h


# (file stem, object, background, scale, object centre on the canvas)
SCENES = [
    ("cat-wood", "cat", "wood", 0.55, (160, 160)),
    ("cat-sky", "cat", "sky", 0.55, (140, 140)),
    ("cat-gradient", "cat", "gradient", 0.40, (195, 185)),
    ("cat-noise", "cat", "noise", 0.50, (170, 150)),
    ("cup-gray", "cup", "gray", 0.50, (160, 165)),
    ("cup-sky-blur", "cup", "sky-blur", 0.40, (130, 190)),
    ("cup-fur-blur", "cup", "fur-blur", 0.45, (185, 140)),
    ("cup-wood-blur", "cup", "wood-blur", 0.42, (165, 165)),
]


def main():
    rng = np.random.default_rng(SEED)
    bgs = backgrounds(rng)
    (OUT / "masks").mkdir(parents=True, exist_ok=True)
    for stem, obj, bg, scale, (cx, cy) in SCENES:
        file, ellipses = OBJECTS[obj]
        source = load(file)
        # Centre of the ellipses' bounding box goes to (cx, cy).
        bx0 = min(e[0] - e[2] for e in ellipses); bx1 = max(e[0] + e[2] for e in ellipses)
        by0 = min(e[1] - e[3] for e in ellipses); by1 = max(e[1] + e[3] for e in ellipses)
        ox = int(round(cx - scale * (bx0 + bx1) / 2))
        oy = int(round(cy - scale * (by0 + by1) / 2))
        layer, ex, ey = placed(source, scale, ox, oy)
        # The mask is evaluated at each canvas pixel's centre, mapped back into the source with the
        # exact scale of the resized layer, so it covers precisely the pasted pixels.
        ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)
        sx, sy = (xs + 0.5 - ox) / ex, (ys + 0.5 - oy) / ey
        mask = np.zeros((SIZE, SIZE), bool)
        for ecx, ecy, ax, ay in ellipses:
            mask |= ((sx - ecx) / ax) ** 2 + ((sy - ecy) / ay) ** 2 <= 1
        h, w = source.shape[:2]
        mask &= (sx >= 0) & (sx < w) & (sy >= 0) & (sy < h)
        out = np.where(mask[..., None], layer, bgs[bg])
        Image.fromarray(np.clip(out, 0, 255).round().astype(np.uint8), "RGB").save(OUT / f"{stem}.png", optimize=True)
        Image.fromarray(mask.astype(np.uint8) * 255, "L").save(OUT / "masks" / f"{stem}.png", optimize=True)
        print(f"{stem}: {obj} x{scale} at ({cx}, {cy}) on {bg}, mask {mask.mean():.1%} of the image")


if __name__ == "__main__":
    main()
