#!/usr/bin/env python3
"""Writes scikit-image segmentations of the sample images for Tests/XAIImagingTests.

LIME, KernelSHAP and anchors segment the image the model sees: the sample image resized (shorter side
256, longer side rounded half up, PIL bilinear) and centre-cropped to 224x224 at floor((side - 224) / 2).
That crop is written as Corpus/<stem>_crop224.png (the same file tools/make_imaging_fixtures.py writes
for chelsea and rocket), and the Swift test segments exactly these 8-bit pixels, so both sides get the
same input. For each crop and algorithm, scikit-image's labels go to Corpus/segmentation/<stem>_<algo>.png
(16-bit grayscale, label = pixel value), with the parameters and segment counts in
Corpus/segmentation/segmentation.json.

Parameters are the method catalogue's defaults (lime's SegmentationAlgorithm passes them through):
  quickshift(kernel_size=4, max_dist=200, ratio=0.2)   lime's default; rng=42 (scikit-image's default)
  slic(n_segments=100, compactness=10)                 other arguments at scikit-image's defaults
  felzenszwalb(scale=100, sigma=0.5, min_size=50)
Images are passed as float RGB in 0..1, as the Swift segmenters receive them.

Needs numpy, pillow and scikit-image (pip install numpy pillow scikit-image).
Run from anywhere: python3 tools/make_segmentation_fixtures.py
"""
import json
import math
import pathlib

import numpy as np
import skimage
from PIL import Image
from skimage.segmentation import felzenszwalb, quickshift, slic

ROOT = pathlib.Path(__file__).resolve().parent.parent
IMAGES = ROOT / "Experiments/images"
CORPUS = ROOT / "Tests/XAIImagingTests/Corpus"
OUT = CORPUS / "segmentation"
SAMPLES = ["chelsea.png", "coffee.png", "rocket.jpg"]

ALGORITHMS = {
    "quickshift": ({"kernel_size": 4, "max_dist": 200, "ratio": 0.2, "rng": 42},
                   lambda im, p: quickshift(im, **p)),
    "slic": ({"n_segments": 100, "compactness": 10.0},
             lambda im, p: slic(im, **p)),
    "felzenszwalb": ({"scale": 100, "sigma": 0.5, "min_size": 50},
                     lambda im, p: felzenszwalb(im, **p)),
}


def model_crop(path, resize=256, crop=224):
    """The embedded model's resize and centre crop (tools/convert_efficientnet_lite.py, `preprocess`)."""
    img = Image.open(path).convert("RGB")
    w, h = img.size
    if w <= h:
        nw, nh = resize, int(math.floor(resize * h / w + 0.5))
    else:
        nw, nh = int(math.floor(resize * w / h + 0.5)), resize
    img = img.resize((nw, nh), Image.BILINEAR)
    left, top = (nw - crop) // 2, (nh - crop) // 2
    return img.crop((left, top, left + crop, top + crop))


def dense(labels):
    """Labels renumbered 0..k-1 in order of first appearance (raster order)."""
    _, first, inverse = np.unique(labels.reshape(-1), return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inverse].reshape(labels.shape)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"generator": "tools/make_segmentation_fixtures.py", "scikit_image": skimage.__version__,
            "algorithms": {a: p for a, (p, _) in ALGORITHMS.items()}, "images": {}}
    for name in SAMPLES:
        stem = name.split(".")[0]
        crop = model_crop(IMAGES / name)
        crop.save(CORPUS / f"{stem}_crop224.png", format="PNG")
        image = np.asarray(crop, dtype=np.float64) / 255.0
        counts = {}
        for algo, (params, run) in ALGORITHMS.items():
            labels = dense(run(image, params))
            assert labels.max() < 65536
            Image.fromarray(labels.astype(np.uint16)).save(OUT / f"{stem}_{algo}.png", format="PNG")
            counts[algo] = int(labels.max()) + 1
        meta["images"][f"{stem}_crop224.png"] = counts
        print(name, counts)
    (OUT / "segmentation.json").write_text(json.dumps(meta, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total / 1024:.0f} KiB, into {OUT}")


if __name__ == "__main__":
    main()
