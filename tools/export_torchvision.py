#!/usr/bin/env python3
"""Exports torchvision classifiers to ONNX for the importer's compatibility checks.

Writes bench/models/<model>-opset<N>.onnx (random weights, weights=None, seeded) with a
dynamic batch dimension, plus <model>-opset<N>.ref.bin holding a seeded float32 input
batch and ONNX Runtime's logits for it:
    int32 n, c, h, w, classes | float32 input[n*c*h*w] | float32 logits[n*classes]
These files are large and git-ignored; the importer tests never need them.

Usage: tools/export_torchvision.py [--models resnet50,vgg16,...,patterns] [--opsets 11,13,17]
                                   [--batch 2] [--no-constant-folding] [--out bench/models]
("patterns" is a small hand-written network using view/pad/relu6/hardswish/softmax.)
"""
import argparse
import os
import struct
import sys

import numpy as np
import torch
import torchvision

MODELS = ["resnet50", "vgg16", "densenet121", "mobilenet_v2"]


class Patterns(torch.nn.Module):
    """A small network written the way hand-made PyTorch models are: x.view(x.size(0), -1),
    F.pad, ReLU6/Hardswish/LeakyReLU, average pooling with padding, softmax over channels.
    Exported without constant folding it exercises the importer's shape folding."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(8)
        self.dw = torch.nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8)
        self.conv2 = torch.nn.Conv2d(8, 16, 1)
        self.pool = torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False, ceil_mode=True)
        self.mpool = torch.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.fc = torch.nn.Linear(16 * 30 * 30, 10)

    def forward(self, x):
        F = torch.nn.functional
        x = F.relu6(self.bn1(self.conv1(x)))
        x = F.hardswish(self.dw(x))
        x = F.leaky_relu(self.conv2(F.pad(x, (1, 1, 1, 1))), 0.1)
        x = torch.sigmoid(x) * x + torch.tanh(x)
        x = self.pool(x)
        x = F.softmax(x, dim=1) * x
        x = self.mpool(F.pad(x, (0, 1, 0, 1), value=0.5))
        x = x.view(x.size(0), -1)
        return self.fc(x)


def build(name):
    if name == "patterns":
        return Patterns()
    return getattr(torchvision.models, name)(weights=None)


def export(name, opset, out_dir, batch, fold):
    torch.manual_seed(0)
    model = build(name).eval()
    # Random init leaves BN statistics at mean 0 / var 1; perturb them so the exported
    # BatchNormalization nodes are not identities.
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(m.num_features, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    path = os.path.join(out_dir, f"{name}-opset{opset}{'' if fold else '-nofold'}.onnx")
    dummy = torch.randn(1, 3, 224, 224)
    torch.onnx.export(model, dummy, path, opset_version=opset, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=fold, dynamo=False)

    import onnxruntime as ort
    rng = np.random.default_rng(42)
    x = rng.standard_normal((batch, 3, 224, 224)).astype(np.float32)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    logits = sess.run(None, {"input": x})[0].astype(np.float32)
    with torch.no_grad():
        torch_logits = model(torch.from_numpy(x)).numpy()
    diff = float(np.abs(torch_logits - logits).max())
    with open(path[:-5] + ".ref.bin", "wb") as f:
        f.write(struct.pack("<5i", batch, 3, 224, 224, logits.shape[1]))
        f.write(x.tobytes())
        f.write(logits.tobytes())
    print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB, onnxruntime vs torch max |diff| {diff:.2e}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--opsets", default="11,13,17")
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--no-constant-folding", action="store_true",
                   help="keep BatchNormalization and shape computations in the graph")
    p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "bench", "models"))
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(1)
    for name in a.models.split(","):
        for opset in [int(o) for o in a.opsets.split(",")]:
            export(name, opset, a.out, a.batch, not a.no_constant_folding)
    return 0


if __name__ == "__main__":
    sys.exit(main())
