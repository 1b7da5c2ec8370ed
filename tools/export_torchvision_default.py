#!/usr/bin/env python3
"""Exports torchvision classifiers the way a user would: `torch.onnx.export(model, (x,), path)`
with PyTorch 2.x's default (dynamo) exporter, which writes the weights to `<path>.data` beside
the model (ONNX external data) and uses opsets 18 and up.

For each model it writes, into --out (default .build/exports/torchvision-default, git-ignored):
    <model>.onnx, <model>.onnx.data      seeded random weights (weights=None, torch.manual_seed(0))
    <model>.ref.bin                      a seeded input and ONNX Runtime's logits for it:
        int32 n, c, h, w, classes | float32 input[n*c*h*w] | float32 logits[n*classes]
and prints the ONNX Runtime vs PyTorch difference. DefaultExporterTests (swift test --filter
DefaultExporterTests) compares xai's logits with these; it skips when the folder is absent.

Setup (a virtual environment outside the repository):
    python3 -m venv /tmp/xai-venv
    /tmp/xai-venv/bin/pip install torch torchvision onnx onnxscript onnxruntime
    /tmp/xai-venv/bin/python tools/export_torchvision_default.py [--models resnet18,vgg16] [--opset 18]
"""
import argparse
import os
import struct
import sys

import numpy as np
import torch
import torchvision

MODELS = ["resnet18", "resnet50", "vgg16", "densenet121", "mobilenet_v2", "mobilenet_v3_small",
          "mobilenet_v3_large", "efficientnet_b0", "regnet_y_400mf", "convnext_tiny", "shufflenet_v2_x1_0"]


def build(name):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    # Random init leaves BN statistics at mean 0 / var 1 and LayerNorm at the identity affine;
    # perturb them so the exported normalisations are not identities.
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) * 0.5 + 0.75)
            if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.LayerNorm)) and m.weight is not None:
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
    return model


def export(name, out_dir, opset):
    import onnxruntime as ort
    model = build(name)
    path = os.path.join(out_dir, f"{name}.onnx")
    x = torch.from_numpy(np.random.default_rng(42).standard_normal((1, 3, 224, 224)).astype(np.float32))
    kwargs = {} if opset is None else {"opset_version": opset}
    torch.onnx.export(model, (x,), path, **kwargs)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feed = {sess.get_inputs()[0].name: x.numpy()}
    logits = sess.run(None, feed)[0].astype(np.float32)
    with torch.no_grad():
        torch_logits = model(x).numpy()
    diff = float(np.abs(torch_logits - logits).max())
    with open(os.path.join(out_dir, f"{name}.ref.bin"), "wb") as f:
        f.write(struct.pack("<5i", *x.shape, logits.shape[1]))
        f.write(x.numpy().tobytes())
        f.write(logits.tobytes())
    import onnx
    proto = onnx.load(path, load_external_data=False)
    opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in proto.opset_import)
    ops = sorted({n.op_type for n in proto.graph.node})
    data = path + ".data"
    size = os.path.getsize(data) / 1e6 if os.path.exists(data) else 0
    print(f"{name}: {opsets}; {len(proto.graph.node)} nodes; data {size:.1f} MB; max |logit| "
          f"{float(np.abs(logits).max()):.3g}; onnxruntime vs torch max |diff| {diff:.2e}\n  ops: {' '.join(ops)}",
          flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--opset", type=int, default=None, help="opset_version (default: the exporter's)")
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build",
                                                 "exports", "torchvision-default"))
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(1)
    for name in a.models.split(","):
        export(name, a.out, a.opset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
