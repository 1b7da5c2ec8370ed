#!/usr/bin/env python3
"""EfficientNet-Lite0 conversion: tools/convert_efficientnet_lite.py with `--variant lite0` as the default.

Kept under this name for the commands in Weights/README.md and for tools/make_references.py, which imports
the preprocessing helpers (preprocess, resized_size, MEAN, STD, softmax, load_labels, SAMPLE_IMAGES) from it.

Usage (from the repository root):
  python3 tools/convert_efficientnet_lite0.py [--checkpoint PATH] [--out PATH] [--verify] [--check] [--labels]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from convert_efficientnet_lite import *  # noqa: E402,F401,F403  (re-exported for make_references.py)
from convert_efficientnet_lite import main  # noqa: E402

if __name__ == "__main__":
    main(default_variant="lite0")
