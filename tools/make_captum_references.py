#!/usr/bin/env python3
"""Writes Captum's attributions of a small ReLU CNN for Tests/XAIMethodsTests/CaptumReferenceTests.

The network (seeded weights, 3x32x32 input, 10 classes):
  Conv(3->8, 3x3, pad 1) ReLU Conv(8->8, 1x1) MaxPool(2) Conv(8->16, 3x3, pad 1) ReLU
  Conv(16->16, 1x1) MaxPool(2) Conv(16->16, 3x3, pad 1) ReLU AdaptiveAvgPool(1) Flatten
  Linear(16->32) ReLU Linear(32->10)
Every activation is its own nn.ReLU module (Captum's DeepLift and Deconvolution hooks act on nn.ReLU
modules only, and DeepLift breaks on a module used twice); max pooling is an nn.MaxPool2d module, so
DeepLift applies its max-pool rule. A 1x1 convolution separates each pooling from the ReLU before
it: in Captum 0.9 two hooked modules in a row lose one's rule (an nn.MaxPool2d right after an
nn.ReLU has its max-pool multipliers discarded, leaving the plain gradient; a ReLU right after the
pooling breaks it too), and summation-to-delta fails (convergence delta 0.69 for a logit
difference of 2.9 on this network without the 1x1 convolutions). The script asserts Captum's
convergence delta is below 1e-4, so a fixture with that defect cannot be written. The network goes to Tests/Fixtures/captum/relu-cnn.onnx (legacy
exporter, opset 17) and the attributions to Tests/Fixtures/captum/captum-reference.json:

  inputs        two 32x32 pictures, pixel values k/255 (planar RGB, [3, 32, 32])
  baselines     four pictures, pixel values k/255, written also as PNG files to
                Tests/Fixtures/captum/baselines/ (the `baselines:` folder of gradient_shap / deep_shap)
  mean, std     the normalisation the model input gets: (pixel - mean) / std per channel
  per input: target (the predicted class), logits, and Captum's
    deeplift       DeepLift(model).attribute(x, baselines=black picture normalised, target)
    deeplift_shap  DeepLiftShap(model).attribute(x, baselines=all four, target)
    deconvolution  Deconvolution(model).attribute(x, target)
    gradient_shap  GradientShap(model).attribute(x, baselines=all four, n_samples=200, stdevs=0, target)
    gradient_shap_repeat  the same with another torch seed: how close Captum is to itself
  all in normalised input units, [3, 32, 32], rounded to 7 significant digits.

Needs torch, captum, onnx, pillow (pip install torch captum onnx pillow).
Run from anywhere: nice -n 10 python3 tools/make_captum_references.py
"""
import json
import pathlib

import numpy as np
import torch
import torch.nn as nn
from PIL import Image
from captum.attr import Deconvolution, DeepLift, DeepLiftShap, GradientShap

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/Fixtures/captum"
SIDE = 32
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SAMPLES = 200


class ReluCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 1), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 1), nn.MaxPool2d(2),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def pictures(rng, count):
    """Smooth random pictures with some texture, quantised to 8 bits: [count, 3, SIDE, SIDE] in 0..1."""
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64) / SIDE
    out = np.zeros((count, 3, SIDE, SIDE))
    for i in range(count):
        for c in range(3):
            a, b, p = rng.uniform(1, 6, 3)
            cx, cy = rng.uniform(0.2, 0.8, 2)
            blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 0.05)
            out[i, c] = 0.5 + 0.3 * np.sin(a * xx * 6.28 + b * yy * 3.14 + p) * rng.uniform(0.2, 1) + 0.3 * blob
        out[i] += rng.normal(0, 0.05, out[i].shape)
    return np.round(np.clip(out, 0, 1) * 255) / 255


def normalise(p):
    m = np.array(MEAN).reshape(1, 3, 1, 1)
    s = np.array(STD).reshape(1, 3, 1, 1)
    return torch.tensor((p - m) / s, dtype=torch.float32)


def rounded(t):
    return [float(f"{v:.7g}") for v in t.detach().double().numpy().ravel()]


def main():
    torch.manual_seed(17)
    model = ReluCNN().eval()
    # Larger final weights spread the logits, so the targets are clear and attributions not tiny.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.mul_(2.0)
                m.bias.uniform_(-0.1, 0.1)
    OUT.mkdir(parents=True, exist_ok=True)
    onnx_path = OUT / "relu-cnn.onnx"
    torch.onnx.export(model, torch.zeros(1, 3, SIDE, SIDE), str(onnx_path), input_names=["input"],
                      output_names=["logits"], opset_version=17, dynamo=False)

    rng = np.random.default_rng(17)
    inputs_px = pictures(rng, 2)
    baselines_px = pictures(rng, 4)
    (OUT / "baselines").mkdir(exist_ok=True)
    for i, b in enumerate(baselines_px):
        rgb = np.round(b.transpose(1, 2, 0) * 255).astype(np.uint8)
        Image.fromarray(rgb, "RGB").save(OUT / "baselines" / f"background-{i}.png")
    x_all = normalise(inputs_px)
    b_all = normalise(baselines_px)
    black = normalise(np.zeros((1, 3, SIDE, SIDE)))

    records = []
    for i in range(len(inputs_px)):
        x = x_all[i:i + 1]
        with torch.no_grad():
            logits = model(x)[0]
        target = int(logits.argmax())
        rec = {"target": target, "logits": rounded(logits)}
        deeplift, delta = DeepLift(model).attribute(x, baselines=black, target=target, return_convergence_delta=True)
        print(f"input {i}: Captum DeepLift convergence delta {float(delta):.3g}")
        assert abs(float(delta)) < 1e-4, "Captum's DeepLift does not add up to the logit difference"
        rec["deeplift"] = rounded(deeplift)
        rec["deeplift_shap"] = rounded(DeepLiftShap(model).attribute(x, baselines=b_all, target=target))
        rec["deconvolution"] = rounded(Deconvolution(model).attribute(x, target=target))
        for key, seed in (("gradient_shap", 0), ("gradient_shap_repeat", 1)):
            torch.manual_seed(seed)
            np.random.seed(seed)
            rec[key] = rounded(GradientShap(model).attribute(x, baselines=b_all, n_samples=SAMPLES,
                                                             stdevs=0.0, target=target))
        a, b = np.array(rec["gradient_shap"]), np.array(rec["gradient_shap_repeat"])
        print(f"input {i}: target {target}, Captum GradientShap against itself (other seed) r = "
              f"{np.corrcoef(a, b)[0, 1]:.4f}")
        records.append(rec)

    fixture = {
        "tool": "tools/make_captum_references.py",
        "side": SIDE, "mean": MEAN, "std": STD, "samples": SAMPLES,
        "inputs": [rounded(torch.tensor(p)) for p in inputs_px],
        "baselines": [rounded(torch.tensor(p)) for p in baselines_px],
        "results": records,
    }
    (OUT / "captum-reference.json").write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size} bytes) and {OUT / 'captum-reference.json'}")


if __name__ == "__main__":
    main()
