#!/usr/bin/env python3
"""Writes the XAIImaging test corpus into Tests/XAIImagingTests/Corpus/.

References come from PIL (decode, EXIF transpose, resize, the torchvision-style
resize 256 / centre-crop 224 pipeline), scipy (gaussian_filter) and matplotlib
(colormap tables). Every file is small; the PNG/JPEG files double as seeds for the
mutation fuzz test. Needs: pillow, numpy, scipy, matplotlib.
Run from the repository root: python3 tools/make_imaging_fixtures.py
"""
import io
import json
import pathlib

import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage
import matplotlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/XAIImagingTests/Corpus"
IMAGES = ROOT.parent / "shared/images"
rng = np.random.default_rng(20240611)
fixtures = {}


def save_png(img, name, **kw):
    img.save(OUT / name, format="PNG", **kw)


def flat(a):
    return [int(v) for v in np.asarray(a).reshape(-1)]


def png_variants():
    """Tiny PNGs in every colour type / depth, with the expected RGB(A) samples."""
    w, h = 13, 7
    cases = {}
    gray8 = rng.integers(0, 256, (h, w), dtype=np.uint8)
    save_png(Image.fromarray(gray8, "L"), "gray8.png")
    cases["gray8.png"] = {"max": 255, "rgb": flat(np.repeat(gray8[..., None], 3, 2))}

    gray16 = rng.integers(0, 65536, (h, w), dtype=np.uint16)
    save_png(Image.fromarray(gray16.astype(np.int32), "I").convert("I;16"), "gray16.png")
    cases["gray16.png"] = {"max": 65535, "rgb": flat(np.repeat(gray16[..., None], 3, 2))}

    la = rng.integers(0, 256, (h, w, 2), dtype=np.uint8)
    save_png(Image.fromarray(la, "LA"), "graya8.png")
    cases["graya8.png"] = {"max": 255, "rgb": flat(np.repeat(la[..., :1], 3, 2)), "alpha": flat(la[..., 1])}

    rgba = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    save_png(Image.fromarray(rgba, "RGBA"), "rgba8.png")
    cases["rgba8.png"] = {"max": 255, "rgb": flat(rgba[..., :3]), "alpha": flat(rgba[..., 3])}

    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    # PIL cannot write interlaced PNGs; write one with zlib by hand (Adam7 passes).
    write_interlaced_png(OUT / "interlaced.png", rgb)
    cases["interlaced.png"] = {"max": 255, "rgb": flat(rgb)}

    rgb16 = rng.integers(0, 65536, (h, w, 3), dtype=np.uint16)
    write_png_raw(OUT / "rgb16.png", rgb16, color_type=2, depth=16)
    cases["rgb16.png"] = {"max": 65535, "rgb": flat(rgb16)}

    palette = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    idx = rng.integers(0, 16, (h, w), dtype=np.uint8)
    p = Image.fromarray(idx, "P")
    p.putpalette(flat(palette))
    save_png(p, "palette.png")
    cases["palette.png"] = {"max": 255, "rgb": flat(palette[idx])}
    save_png(p, "palette_trns.png", transparency=bytes([0, 128] + [255] * 14))
    cases["palette_trns.png"] = {"max": 255, "rgb": flat(palette[idx]),
                                 "alpha": flat(np.where(idx == 0, 0, np.where(idx == 1, 128, 255)))}

    bits = rng.integers(0, 2, (h, w), dtype=np.uint8)
    save_png(Image.fromarray(bits * 255, "L").convert("1"), "gray1.png")
    cases["gray1.png"] = {"max": 255, "rgb": flat(np.repeat(bits[..., None] * 255, 3, 2))}
    for name, c in cases.items():
        c["width"], c["height"] = w, h
    fixtures["png_variants"] = cases


def chunk(tag, data):
    import struct, zlib
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def png_bytes(header, idat):
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def write_png_raw(path, arr, color_type, depth):
    import struct, zlib
    h, w = arr.shape[:2]
    dtype = ">u2" if depth == 16 else "u1"
    rows = b"".join(b"\x00" + arr[y].astype(dtype).tobytes() for y in range(h))
    header = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 0)
    path.write_bytes(png_bytes(header, zlib.compress(rows)))


def write_interlaced_png(path, rgb):
    import struct, zlib
    h, w = rgb.shape[:2]
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = rgb[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        raw += b"".join(b"\x00" + sub[y].tobytes() for y in range(sub.shape[0]))
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    path.write_bytes(png_bytes(header, zlib.compress(raw)))


def exif_jpegs():
    """The same picture stored with each EXIF orientation; reference = PIL exif_transpose."""
    base = Image.open(IMAGES / "rocket.jpg").convert("RGB").resize((24, 16), Image.BILINEAR)
    refs = {}
    for o in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        name = f"exif{o}.jpg"
        base.save(OUT / name, format="JPEG", quality=90, exif=exif.tobytes())
        shown = ImageOps.exif_transpose(Image.open(OUT / name)).convert("RGB")
        save_png(shown, f"exif{o}_ref.png")
        refs[name] = {"ref": f"exif{o}_ref.png", "width": shown.width, "height": shown.height}
    fixtures["exif"] = refs


def jpeg_variants():
    img = Image.open(IMAGES / "chelsea.png").convert("RGB").resize((40, 30), Image.BILINEAR)
    img.save(OUT / "small.jpg", quality=85)
    img.save(OUT / "progressive.jpg", quality=85, progressive=True)
    img.convert("L").save(OUT / "gray.jpg", quality=85)
    img.convert("CMYK").save(OUT / "cmyk.jpg", quality=95)
    save_png(img, "small.png")
    out = {}
    for name in ["small.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg"]:
        ref = Image.open(OUT / name).convert("RGB")
        ref_name = name.replace(".jpg", "_ref.png")
        save_png(ref, ref_name)
        out[name] = ref_name
    fixtures["jpeg"] = out


def sample_images():
    """A few decoded pixel values of the shared sample images, and the preprocess crops."""
    points = [(0, 0), (10, 20), (123, 77), (200, 150), (299, 222)]
    out = {}
    for name in ["chelsea.png", "coffee.png", "rocket.jpg"]:
        im = Image.open(IMAGES / name).convert("RGB")
        a = np.asarray(im)
        out[name] = {"width": im.width, "height": im.height,
                     "points": [[x, y] + flat(a[y, x]) for x, y in points]}
    fixtures["samples"] = out
    # Resize(256) with the longer side rounded + centre crop 224 at floor((side - 224) / 2): the
    # preprocessing that reproduces the embedded model's reference probabilities.
    for name in ["chelsea.png", "rocket.jpg"]:
        im = Image.open(IMAGES / name).convert("RGB")
        w, h = im.size
        if w <= h:
            nw, nh = 256, int(256 * h / w + 0.5)
        else:
            nw, nh = int(256 * w / h + 0.5), 256
        r = im.resize((nw, nh), Image.BILINEAR)
        left, top = (nw - 224) // 2, (nh - 224) // 2
        save_png(r.crop((left, top, left + 224, top + 224)), name.split(".")[0] + "_crop224.png")


def resize_refs():
    src = Image.open(IMAGES / "chelsea.png").convert("RGB").crop((100, 40, 160, 85))  # 60x45
    save_png(src, "resize_src.png")
    refs = []
    for filt, pil in [("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC), ("box", Image.BOX),
                      ("lanczos", Image.LANCZOS)]:
        for w, h in [(23, 17), (60, 20), (31, 45), (97, 71), (150, 30), (7, 5)]:
            if filt != "bilinear" and (w, h) not in [(23, 17), (97, 71)]:
                continue
            name = f"resize_{filt}_{w}x{h}.png"
            save_png(src.resize((w, h), pil), name)
            refs.append({"file": name, "filter": filt, "width": w, "height": h})
    fixtures["resize"] = refs


def float_refs():
    m = rng.standard_normal((13, 17)).astype(np.float32)
    blur = {}
    for s in [0.8, 1.5, 4.0]:
        blur[str(s)] = [float(v) for v in ndimage.gaussian_filter(m.astype(np.float64), s, mode="reflect").reshape(-1)]
    fixtures["blur"] = {"width": 17, "height": 13, "input": [float(v) for v in m.reshape(-1)], "sigma": blur}
    small = rng.random((7, 6)).astype(np.float32)
    up = Image.fromarray(small, "F").resize((50, 40), Image.BILINEAR)  # enlarging: align_corners=False
    fixtures["mapresize"] = {"h": 7, "w": 6, "toH": 40, "toW": 50, "input": [float(v) for v in small.reshape(-1)],
                             "output": [float(v) for v in np.asarray(up).reshape(-1)]}
    cmaps = {}
    idx = [0, 1, 37, 64, 100, 127, 128, 170, 200, 254, 255]
    for name in ["jet", "viridis", "inferno", "magma", "gray", "coolwarm", "seismic", "bwr"]:
        lut = matplotlib.colormaps[name](np.arange(256))[:, :3]
        cmaps[name] = [[i / 255.0] + [float(v) for v in lut[i]] for i in idx]
    fixtures["colormaps"] = cmaps


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    png_variants()
    exif_jpegs()
    jpeg_variants()
    sample_images()
    resize_refs()
    float_refs()
    (OUT / "fixtures.json").write_text(json.dumps(fixtures, separators=(",", ":")))
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total / 1024:.0f} KiB, into {OUT}")


if __name__ == "__main__":
    main()
