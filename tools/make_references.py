#!/usr/bin/env python3
"""Write the reference outputs the Swift tests compare against (Tests/Fixtures/).

  Tests/Fixtures/efficientnet-lite0-reference.json
      per sample image: preprocessing geometry, statistics of the preprocessed input, onnxruntime top-5
      and all 1000 logits, statistics of a few named activations, and (when torch is installed) the
      gradient of the top-1 logit with respect to `head` and to the input. Two preprocessing paths:
        "pil":   PIL bilinear resize (uint8 result), as in Weights/README.md;
        "two_pass_uint8": the same filter without PIL, rounded to uint8 after each 1-D pass like PIL;
        "float": the same antialiased triangle filter evaluated in float64 on 0..255 values with no
                 rounding, a PIL-free definition an implementation can match to ~1e-5.
  Tests/Fixtures/chelsea-crop224.npy
      the exact "pil" input tensor for chelsea.png, float32 [1, 3, 224, 224], so that logits can be
      compared without depending on the resampler.

Usage: python3 tools/make_references.py [--model Weights/efficientnet-lite0.onnx]
Needs numpy, onnx, onnxruntime and Pillow; torch is optional (gradient references).
"""

import argparse
import hashlib
import json
import math
import os
import sys

import numpy as np
import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import convert_efficientnet_lite0 as lite0  # noqa: E402  (preprocessing constants and helpers)

ACTIVATIONS = ["stem", "blocks.0.out", "blocks.5.out", "blocks.15.out", "head", "pool"]


# ---------------------------------------------------------------------------
# PIL-free float preprocessing
# ---------------------------------------------------------------------------

def triangle_weights(in_size, out_size):
    """Antialiased bilinear resampling matrix [out_size, in_size] (triangle filter widened by the
    downscale factor, pixel centres at i + 0.5): the filter PIL's BILINEAR uses, without its fixed point."""
    scale = in_size / out_size
    fscale = max(scale, 1.0)
    support = fscale  # triangle support 1, widened when downsampling
    m = np.zeros((out_size, in_size), dtype=np.float64)
    for o in range(out_size):
        centre = (o + 0.5) * scale
        lo = max(int(centre - support + 0.5), 0)
        hi = min(int(centre + support + 0.5), in_size)
        j = np.arange(lo, hi)
        w = np.maximum(0.0, 1.0 - np.abs((j + 0.5 - centre) / fscale))
        total = w.sum()
        if total > 0:
            m[o, lo:hi] = w / total
    return m


def preprocess_float(path, resize=256, crop=224, quantise=False):
    """PIL-free path: decode (PIL, uint8 RGB), separable triangle resize in float64, crop, normalise.

    quantise=False: no rounding anywhere ("float").
    quantise=True: horizontal pass, round half up and clip to 0..255, vertical pass, round and clip
    again ("two_pass_uint8"); this reproduces PIL's uint8 result in more than 98% of pixels.
    """
    from PIL import Image
    img = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64)  # H, W, 3 in 0..255
    h, w = img.shape[:2]
    nw, nh = lite0.resized_size(w, h, resize)
    left, top = (nw - crop) // 2, (nh - crop) // 2
    rows = triangle_weights(h, nh)[top:top + crop]      # only the rows and columns that survive the crop
    cols = triangle_weights(w, nw)[left:left + crop]
    q = (lambda a: np.clip(np.floor(a + 0.5), 0, 255)) if quantise else (lambda a: a)
    out = np.stack([q(rows @ q(img[:, :, c] @ cols.T)) for c in range(3)])  # 3, crop, crop
    x = (out / 255.0 - lite0.MEAN) / lite0.STD
    return x[None].astype(np.float32)


# ---------------------------------------------------------------------------
# onnxruntime with intermediate outputs
# ---------------------------------------------------------------------------

def session_with_outputs(model_path, names):
    import onnxruntime as ort
    from onnx import shape_inference
    model = shape_inference.infer_shapes(onnx.load(model_path))
    infos = {v.name: v for v in model.graph.value_info}
    existing = {o.name for o in model.graph.output}
    for n in names:
        if n not in existing:
            if n not in infos:
                raise KeyError(f"{model_path}: no tensor named {n}")
            model.graph.output.append(infos[n])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def stats(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "mean": float(a.mean()), "std": float(a.std()), "min": float(a.min()),
            "max": float(a.max()), "sum": float(a.sum()), "abs_sum": float(np.abs(a).sum())}


def input_stats(x):
    s = stats(x)
    s["channel_mean"] = [float(c) for c in x[0].reshape(3, -1).astype(np.float64).mean(axis=1)]
    s["first_pixels_r"] = [float(v) for v in x[0, 0, 0, :8]]  # row 0, columns 0..7 of the red plane
    return s


def top_k(logits, labels, k=5):
    z = logits.astype(np.float64)
    p = lite0.softmax(z)
    order = np.argsort(-p)[:k]
    return [{"index": int(i), "label": labels[i], "probability": float(p[i]), "logit": float(z[i])} for i in order]


# ---------------------------------------------------------------------------
# torch: the ONNX graph interpreted with torch ops (for gradients)
# ---------------------------------------------------------------------------

class TorchGraph:
    """Runs an ONNX graph with torch.nn.functional. Covers the ops of the embedded model and of
    torchvision CNN exports (Conv, BatchNormalization, Clip, Relu, Add, Identity, MaxPool,
    AveragePool, GlobalAveragePool, Flatten, Reshape, Gemm, Constant). Unknown ops raise."""

    def __init__(self, model_path, requires_grad=False):
        import torch
        from onnx import numpy_helper
        self.torch = torch
        model = onnx.load(model_path)
        self.graph = model.graph
        self.params = {}
        for init in self.graph.initializer:
            t = torch.from_numpy(np.array(numpy_helper.to_array(init)))
            if requires_grad and t.is_floating_point() and t.dim() > 0:
                t.requires_grad_(True)
            self.params[init.name] = t
        self.input_name = self.graph.input[0].name
        self.output_name = self.graph.output[0].name
        for node in self.graph.node:
            if node.op_type == "Constant":
                self.params[node.output[0]] = torch.from_numpy(
                    np.array(numpy_helper.to_array(node.attribute[0].t)))

    def parameters(self):
        return [p for p in self.params.values() if p.requires_grad]

    @staticmethod
    def _attrs(node):
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    def _pad_spatial(self, x, pads, value=0.0):
        import torch.nn.functional as F
        n = len(pads) // 2
        if not any(pads):
            return x
        spec = []
        for i in reversed(range(n)):  # F.pad lists the last dimension first
            spec += [pads[i], pads[i + n]]
        return F.pad(x, spec, value=value)

    def __call__(self, x, keep=()):
        """Returns (output, {name: tensor} for the names in keep)."""
        import torch.nn.functional as F
        env = dict(self.params)
        env[self.input_name] = x
        kept = {}
        for node in self.graph.node:
            op, a = node.op_type, self._attrs(node)
            ins = [env[i] if i else None for i in node.input]
            if op == "Constant":
                continue
            if op == "Conv":
                if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
                    raise NotImplementedError(f"TorchGraph: Conv auto_pad (node {node.name})")
                pads = list(a.get("pads", [0, 0, 0, 0]))
                xin, padding = ins[0], tuple(pads[:2])
                if pads[:2] != pads[2:]:  # asymmetric (TF SAME): pad explicitly
                    xin, padding = self._pad_spatial(ins[0], pads), 0
                y = F.conv2d(xin, ins[1], ins[2] if len(ins) > 2 else None, tuple(a.get("strides", [1, 1])),
                             padding, tuple(a.get("dilations", [1, 1])), a.get("group", 1))
            elif op == "BatchNormalization":
                y = F.batch_norm(ins[0], ins[3], ins[4], ins[1], ins[2], False, 0.0, a.get("epsilon", 1e-5))
            elif op == "Clip":
                lo = ins[1] if len(ins) > 1 and ins[1] is not None else a.get("min")
                hi = ins[2] if len(ins) > 2 and ins[2] is not None else a.get("max")
                y = ins[0].clamp(float(lo) if lo is not None else None, float(hi) if hi is not None else None)
            elif op == "Relu":
                y = F.relu(ins[0])
            elif op == "Add":
                y = ins[0] + ins[1]
            elif op == "Identity" or op == "Dropout":
                y = ins[0]
            elif op == "MaxPool":
                y = F.max_pool2d(self._pad_spatial(ins[0], list(a.get("pads", [0, 0, 0, 0])), float("-inf")),
                                 tuple(a["kernel_shape"]), tuple(a.get("strides", a["kernel_shape"])),
                                 ceil_mode=bool(a.get("ceil_mode", 0)))
            elif op == "AveragePool":
                pads = list(a.get("pads", [0, 0, 0, 0]))
                if pads[:2] != pads[2:]:
                    raise NotImplementedError("asymmetric AveragePool pads")
                y = F.avg_pool2d(ins[0], tuple(a["kernel_shape"]), tuple(a.get("strides", a["kernel_shape"])),
                                 tuple(pads[:2]), bool(a.get("ceil_mode", 0)), bool(a.get("count_include_pad", 0)))
            elif op == "GlobalAveragePool":
                y = ins[0].mean(dim=(2, 3), keepdim=True)
            elif op == "Flatten":
                y = ins[0].flatten(a.get("axis", 1))
            elif op == "Reshape":
                shape = [int(s) for s in ins[1].tolist()]
                shape = [ins[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
                y = ins[0].reshape(shape)
            elif op == "Gemm":
                aa = ins[0].t() if a.get("transA", 0) else ins[0]
                bb = ins[1].t() if a.get("transB", 0) else ins[1]
                y = a.get("alpha", 1.0) * (aa @ bb)
                if len(ins) > 2 and ins[2] is not None:
                    y = y + a.get("beta", 1.0) * ins[2]
            else:
                raise NotImplementedError(f"TorchGraph: op {op} (node {node.name}) not supported")
            env[node.output[0]] = y
            if node.output[0] in keep:
                kept[node.output[0]] = y
        return env[self.output_name], kept


def gradient_reference(model_path, x, cls):
    """d logit[cls] / d head and d logit[cls] / d image for one input, via TorchGraph."""
    try:
        import torch
    except ImportError:
        return None
    g = TorchGraph(model_path)
    xt = torch.from_numpy(x).clone().requires_grad_(True)
    logits, kept = g(xt, keep={"head"})
    head = kept["head"]
    head.retain_grad()
    logits[0, cls].backward()
    gh = head.grad.detach().numpy()[0]
    gi = xt.grad.detach().numpy()[0]
    weights = gh.reshape(gh.shape[0], -1).mean(axis=1)       # Grad-CAM channel weights
    cam = np.maximum((weights[:, None, None] * head.detach().numpy()[0]).sum(axis=0), 0.0)
    return {
        "class": int(cls),
        "torch_logit": float(logits[0, cls].item()),
        "d_logit_d_head": stats(gh),
        "gradcam_channel_weights": [float(v) for v in weights],
        "gradcam_7x7": [[float(v) for v in row] for row in cam],
        "d_logit_d_image": stats(gi),
        "d_logit_d_image_first_pixels_r": [float(v) for v in gi[0, 0, :8]],
    }


def rounded(values, digits=7):
    return [float(f"{v:.{digits}g}") for v in values]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "Weights", "efficientnet-lite0.onnx"))
    ap.add_argument("--images", default=os.path.join(ROOT, "Experiments", "images"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "Fixtures"))
    args = ap.parse_args()

    import onnxruntime as ort
    labels = lite0.load_labels()
    sess = session_with_outputs(args.model, ACTIVATIONS)
    out_names = ["logits"] + ACTIVATIONS
    with open(args.model, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    os.makedirs(args.out, exist_ok=True)

    ref = {
        "model": os.path.relpath(args.model, ROOT),
        "model_sha256": digest,
        "generator": "tools/make_references.py",
        "onnxruntime": ort.__version__,
        "preprocess": {
            "resize_shorter_side": 256, "crop": 224,
            "longer_side": "floor(256 * long / short + 0.5)",
            "crop_offset": "floor((size - 224) / 2) per axis",
            "normalise": "(v / 255 - 127/255) / (128/255) = (v - 127) / 128",
            "pil": "PIL.Image.resize(BILINEAR) on uint8 RGB, then crop",
            "float": "triangle filter, support max(1, in/out), centres at i + 0.5, float64, no rounding",
        "two_pass_uint8": "as float, but horizontal pass first, each pass rounded half up and clipped to 0..255",
        },
        "images": [],
    }
    for name in lite0.SAMPLE_IMAGES:
        path = os.path.join(args.images, name)
        from PIL import Image
        w, h = Image.open(path).size
        nw, nh = lite0.resized_size(w, h, 256)
        entry = {"image": os.path.relpath(path, ROOT), "size": [w, h], "resized": [nw, nh],
                 "crop_offset": [(nw - 224) // 2, (nh - 224) // 2]}
        for path_name, x in (("pil", lite0.preprocess(path)), ("two_pass_uint8", preprocess_float(path, quantise=True)),
                             ("float", preprocess_float(path))):
            outs = dict(zip(out_names, sess.run(out_names, {"image": x})))
            logits = outs["logits"][0]
            part = {"input": input_stats(x), "top5": top_k(logits, labels), "logits": rounded(logits.tolist())}
            if path_name == "pil":
                part["activations"] = {n: stats(outs[n]) for n in ACTIVATIONS}
                grad = gradient_reference(args.model, x, int(np.argmax(logits)))
                if grad is not None:
                    grad["gradcam_channel_weights"] = rounded(grad["gradcam_channel_weights"])
                    part["gradients"] = grad
                    part["gradients"]["max_abs_logit_diff_torch_vs_onnxruntime"] = float(
                        abs(grad["torch_logit"] - float(logits[grad["class"]])))
                if name == "chelsea.png":
                    np.save(os.path.join(args.out, "chelsea-crop224.npy"), x.astype(np.float32))
            entry[path_name] = part
        diff = float(np.abs(lite0.preprocess(path) - preprocess_float(path)).max())
        entry["max_abs_input_diff_pil_vs_float"] = diff
        entry["fraction_input_differs_pil_vs_two_pass_uint8"] = float(
            (np.abs(lite0.preprocess(path) - preprocess_float(path, quantise=True)) > 1e-3).mean())
        ref["images"].append(entry)
        top = entry["pil"]["top5"]
        print(f"{name}: pil " + ", ".join(f"{t['label']} {t['probability']:.4f}" for t in top[:3]) +
              " | two-pass " + ", ".join(f"{t['label']} {t['probability']:.4f}" for t in entry["two_pass_uint8"]["top5"][:3]) +
              " | float " + ", ".join(f"{t['label']} {t['probability']:.4f}" for t in entry["float"]["top5"][:3]) +
              f" | input diff {diff:.4f}")

    path = os.path.join(args.out, "efficientnet-lite0-reference.json")
    with open(path, "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    for fn in ("efficientnet-lite0-reference.json", "chelsea-crop224.npy"):
        print(f"wrote {os.path.join(args.out, fn)} ({os.path.getsize(os.path.join(args.out, fn))} bytes)")


if __name__ == "__main__":
    main()
