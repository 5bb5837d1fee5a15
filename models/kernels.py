"""Which kernels run the model's matrix products (and a few fused element-wise steps).

  "blas"    NumPy's `@`, for a NumPy linked to a BLAS (CPython);
  "einsum"  column-major batches and `np.einsum`, for a NumPy without one (Pyodide's);
  "wasm"    as "einsum", with the big products, the output sigmoid and its gradient, the loss and
            Adam's update done by models/fastmath's WebAssembly SIMD kernels (Pyodide only).

All give the same results up to rounding (models/nn.py says how close). models/nn and
models/optimizers read `KIND` (and call `wasm`, with arrays passed by `address`) on every step.

`KIND` starts as what NumPy alone does best here and loads nothing, so importing the model creates
no JavaScript objects: the engine's memory snapshot (app/engine.py, `preload`) cannot hold them.
`use` is the one call that changes it; the engine makes it once its data is loaded, on a fresh
start and after restoring a snapshot alike.
"""
import sys

import numpy as np

from models import fastmath
from models.fastmath import address  # noqa: F401 - the kernels take arrays by address

KINDS = ("blas", "einsum", "wasm")


def _has_blas():
    if sys.platform == "emscripten":
        return False
    try:
        return bool(np.__config__.CONFIG["Build Dependencies"]["blas"].get("found", True))
    except Exception:  # unknown build layout: assume a normal NumPy
        return True


NUMPY_BEST = "blas" if _has_blas() else "einsum"  # what NumPy alone does best here
KIND = NUMPY_BEST
wasm = None  # models.fastmath.Kernels, once use("wasm") has loaded them (under Pyodide)


def use(kind):
    """Compute with `kind` (one of KINDS), or with "fastest": "wasm" under Pyodide, else NUMPY_BEST.
    "wasm" falls back to "einsum" where the kernels cannot load (outside Pyodide, no SIMD); a
    loaded module is kept for later calls. Returns the kind now in use."""
    global KIND, wasm
    if kind == "fastest":
        kind = "wasm" if sys.platform == "emscripten" else NUMPY_BEST
    if kind not in KINDS:
        raise ValueError("kernels must be 'blas', 'einsum', 'wasm' or 'fastest', got %r" % (kind,))
    if kind == "wasm" and wasm is None:
        wasm = fastmath.load()
        if wasm is None:
            kind = "einsum"
    KIND = kind
    return kind
