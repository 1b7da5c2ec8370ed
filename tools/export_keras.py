#!/usr/bin/env python3
"""Exports Keras classifiers to ONNX with tf2onnx for the importer's compatibility checks.

Needs tensorflow-cpu and tf2onnx (keep them in their own virtual environment: tf2onnx pins
protobuf versions), e.g.
    python3 -m venv /tmp/tfenv && /tmp/tfenv/bin/pip install tensorflow-cpu tf2onnx
    /tmp/tfenv/bin/python tools/export_keras.py --opsets 13,17
Writes bench/models/keras-<model>-opset<N>.onnx (random weights, NHWC input as Keras has
it) and <name>.ref.bin in the format of tools/export_torchvision.py, holding a seeded
input in NCHW order (the importer gives NHWC models an NCHW input) and ONNX Runtime's
outputs when onnxruntime is importable (else TensorFlow's).
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import tensorflow as tf

MODELS = ["mobilenet_v2", "resnet50", "small"]


def build(name):
    keras = tf.keras
    if name == "mobilenet_v2":
        return keras.applications.MobileNetV2(weights=None, input_shape=(224, 224, 3))
    if name == "resnet50":
        return keras.applications.ResNet50(weights=None, input_shape=(224, 224, 3))
    # A hand-written model with the layers Keras users add: rescaling, SAME convolutions
    # with stride 2, batch norm, ReLU6, depthwise conv, pooling, dense + softmax.
    L = keras.layers
    inp = keras.Input((224, 224, 3))
    x = L.Rescaling(1 / 127.5, offset=-1)(inp)
    x = L.Conv2D(16, 3, strides=2, padding="same")(x)
    x = L.BatchNormalization()(x)
    x = L.ReLU(6.0)(x)
    x = L.DepthwiseConv2D(3, padding="same")(x)
    x = L.LeakyReLU(0.1)(x)
    x = L.MaxPooling2D(2)(x)
    x = L.Conv2D(32, 3, strides=2, padding="valid", activation="sigmoid")(x)
    x = L.AveragePooling2D(2, padding="same")(x)
    x = L.Flatten()(x)
    x = L.Dense(10, activation="softmax")(x)
    return keras.Model(inp, x)


def export(name, opset, out_dir, batch):
    tf.keras.utils.set_random_seed(0)
    model = build(name)
    # Random init leaves BN statistics at mean 0 / var 1; perturb them.
    rng = np.random.default_rng(1)
    for layer in model.layers:
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            g, b, m, v = layer.get_weights()
            layer.set_weights([rng.uniform(0.75, 1.25, g.shape).astype(np.float32),
                               rng.normal(0, 0.1, b.shape).astype(np.float32),
                               rng.normal(0, 0.1, m.shape).astype(np.float32),
                               rng.uniform(0.75, 1.25, v.shape).astype(np.float32)])
    path = os.path.join(out_dir, f"keras-{name}-opset{opset}.onnx")
    with tempfile.TemporaryDirectory() as saved:
        model.export(saved)
        subprocess.run([sys.executable, "-m", "tf2onnx.convert", "--saved-model", saved, "--opset", str(opset),
                        "--output", path], check=True, capture_output=True)
    x = np.random.default_rng(42).uniform(0, 255, (batch, 224, 224, 3)).astype(np.float32)
    if name != "small":
        x = x / 127.5 - 1
    want = model(x, training=False).numpy().astype(np.float32)
    source = "tensorflow"
    try:
        import onnxruntime as ort
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        onnx_out = sess.run(None, {sess.get_inputs()[0].name: x})[0]
        print(f"{path}: onnxruntime vs tensorflow max |diff| {np.abs(onnx_out - want).max():.2e}")
        want, source = onnx_out.astype(np.float32), "onnxruntime"
    except ImportError:
        pass
    with open(path[:-5] + ".ref.bin", "wb") as f:
        f.write(struct.pack("<5i", batch, 3, 224, 224, want.shape[1]))
        f.write(np.ascontiguousarray(x.transpose(0, 3, 1, 2)).tobytes())
        f.write(want.tobytes())
    print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB, reference from {source}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--opsets", default="13,17")
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "bench", "models"))
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for name in a.models.split(","):
        for opset in [int(o) for o in a.opsets.split(",")]:
            export(name, opset, a.out, a.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
