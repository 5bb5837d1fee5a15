"""Matrix-product and sigmoid kernels in a tiny WebAssembly SIMD module, for NumPy in Pyodide.

Pyodide's NumPy has no BLAS; its products run as scalar C loops (einsum: ~210 us for one of the big
products of a training step). `fastmath.wat` (beside this file) does the same products with f64x2
SIMD and register blocking in ~90-130 us, the output layer's sigmoid in ~170 us instead of ~390,
and fuses the loss, the sigmoid's backward step and Adam's update into one pass each. `python build.py` assembles
that text into fastmath.wasm (builder/wat2wasm.mjs, npm `wabt`) and ships it beside this file to
the engine worker; Pyodide's own loader links it into its memory (as it does any extension
module's library), so the kernels read and write NumPy arrays in place. Everything stays float64,
and each result element is summed in a fixed order, so runs are deterministic.

models/kernels loads this (`use("wasm")`, only under Pyodide) and nn and optimizers call it through
there; if anything fails (another Pyodide, no SIMD), `load()` returns None and they keep NumPy's.

No compiled bytes live in the repository: without fastmath.wasm (plain CPython, or a build that
did not assemble it) `load()` returns None.
"""
import os
import sys

import numpy as np

WASM_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fastmath.wasm")


class Kernels:
    """rows(C, B, br, bs, X, R, S, N):  C[r, j] = sum_s B[r*br + s*bs] * X[s, j]   (R >= 4, N a multiple of 4)
    dots(G, gr, gs, X, Y, R, S, N):  G[r*gr + s*gs] = sum_j X[r, j] * Y[s, j]     (R, S >= 2, N even)
    sigmoid(Z, N):                   Z[i] = 1 / (1 + exp(-Z[i])) in place, i < N     (N even)
    sigmoid_grad(DZ, Y, DY, N):      DZ[i] = ((1 - Y[i]) * Y[i]) * DY[i]             (N even)
    sq_diff(D, P, T, scale, N):      D[i] = (P[i] - T[i]) * scale; returns sum (P[i] - T[i])^2  (N % 4 == 0)
    adam(W, G, M, V, N, b1, 1-b1, b2, 1-b2, lr/c1, 1/c2, eps):  models.optimizers.Adam's update, in place
    X, Y and C are C-contiguous float64 with rows of N; arguments are addresses and element counts."""

    def __init__(self, exports):
        self.rows, self.dots, self.sigmoid = exports.rows, exports.dots, exports.sigmoid
        self.sigmoid_grad, self.sq_diff = exports.sigmoid_grad, exports.sq_diff
        self.adam = exports.adam


def address(a):
    return a.__array_interface__["data"][0]


def load():
    """The kernels, checked against NumPy on random data; None outside Pyodide or on any failure."""
    if sys.platform != "emscripten" or not os.path.exists(WASM_FILE):
        return None
    try:
        import js
        import pyodide_js
        from pyodide.ffi import to_js
        flags = js.Object.fromEntries(to_js([["loadAsync", False], ["global", False], ["nodelete", True]]))
        with open(WASM_FILE, "rb") as f:
            wasm = f.read()
        exports = pyodide_js._module.loadWebAssemblyModule(to_js(wasm), flags, "anomaly-explorer-fastmath",
                                                           js.Object.new())
        k = Kernels(exports)
        return k if _self_test(k) else None
    except Exception:  # no SIMD, another Pyodide: stay with NumPy
        return None


def _self_test(k):
    rng = np.random.default_rng(0)
    b, x = rng.random((6, 5)), rng.random((6, 8))  # c = b.T @ x (5 x 8), then g = x @ c.T (6 x 5)
    c = np.empty((5, 8))
    k.rows(address(c), address(b), 1, 5, address(x), 5, 6, 8)
    g = np.empty((6, 5))
    k.dots(address(g), 5, 1, address(x), address(c), 6, 5, 8)
    z = np.array([-800.0, -30.0, -1.5, 0.0, 0.25, 3.0, 36.0, 800.0])
    s = z.copy()
    k.sigmoid(address(s), s.size)
    with np.errstate(over="ignore"):
        ref = 1 / (1 + np.exp(-z))
    return bool(np.allclose(c, b.T @ x, rtol=1e-12, atol=0) and np.allclose(g, x @ c.T, rtol=1e-12, atol=0)
                and np.allclose(s, ref, rtol=1e-14, atol=1e-300) and _self_test_elementwise(k, x, c))


def _self_test_elementwise(k, y, dy):
    y, dy = y[:5].copy(), dy[:5].copy()  # 40 numbers each
    dz = np.empty_like(y)
    k.sigmoid_grad(address(dz), address(y), address(dy), y.size)
    d = np.empty_like(y)
    total = k.sq_diff(address(d), address(y), address(dy), 0.5, y.size)
    w, m, v = y.ravel()[:7].copy(), dy.ravel()[:7].copy(), y.ravel()[7:14].copy()
    g = dy.ravel()[7:14].copy()
    want_m = m * 0.9 + g * (1 - 0.9)
    want_v = v * 0.999 + g * (1 - 0.999) * g
    want_w = w - (want_m * 0.5) / (np.sqrt(want_v * 2.0) + 1e-7)
    k.adam(address(w), address(g), address(m), address(v), 7, 0.9, 1 - 0.9, 0.999, 1 - 0.999, 0.5, 2.0, 1e-7)
    return bool(np.array_equal(dz, (1 - y) * y * dy) and np.array_equal(d, (y - dy) * 0.5)
                and abs(total - ((y - dy) ** 2).sum()) <= 1e-12 * total
                and np.array_equal(w, want_w) and np.array_equal(m, want_m) and np.array_equal(v, want_v))
