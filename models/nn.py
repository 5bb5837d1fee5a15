"""A dense autoencoder you can read in one sitting: activations, layers, loss, penalties.

Shapes: a batch is (n, features). Every layer computes  a = act(x @ W + b).
Backprop needs only each layer's input and output, because every activation's
derivative here can be written in terms of its own output (see `_DERIV`).
Arithmetic is float64: float32 rounding noise, summed in a different order by OpenBLAS (CPython)
and Pyodide's BLAS-free NumPy, is amplified by adaptive optimizers (5-20% apart after 20 epochs
with Adam at epsilon 1e-7), while float64 keeps a shared link's losses within 1e-6. In the browser
float64 costs no time at these sizes; in CPython about 2x.

Speed (models/kernels.py chooses): with a BLAS (CPython) the matrix products are plain `@`. Pyodide's NumPy
has no BLAS, and its fallback matmul is a naive triple loop (about 1 GFLOP/s in wasm). There we keep
every batch in column-major ("Fortran") order, i.e. features x rows in memory, so that products run
along the rows of a batch: with `np.einsum` that alone is 2-2.5x faster than `@` (and than SciPy's
OpenBLAS in wasm, with no download), and models/fastmath's WebAssembly SIMD kernels halve it again
for the big layers, the output sigmoid, the loss and Adam. Same mathematics; only summation orders
(and the sigmoid's last bit) differ, which float64 keeps invisible: a shared link reproduces
per-epoch losses between Pyodide and CPython to ~1e-11.
"""
import numpy as np

from models import kernels
from models.kernels import address

LEAKY_SLOPE = 0.2  # TF.js / Keras 3 default

# --- activations: forward f(z), and f'(z) expressed through y = f(z) --------

def _sigmoid(z):
    with np.errstate(over="ignore"):  # exp(-z) = inf for very negative z gives exactly 0
        return 1 / (1 + np.exp(-z))


def _sigmoid_(z):
    """_sigmoid overwriting z (a fresh pre-activation): the same operations, no temporaries
    (or, with the "wasm" kernels, models/fastmath's SIMD sigmoid: within 1.5 ulp of this)."""
    if (kernels.KIND == "wasm" and z.dtype == np.float64 and z.size % 2 == 0
            and (z.flags.f_contiguous or z.flags.c_contiguous)):
        kernels.wasm.sigmoid(address(z), z.size)
        return z
    np.negative(z, out=z)
    with np.errstate(over="ignore"):
        np.exp(z, out=z)
    z += 1
    return np.divide(1, z, out=z)


ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.maximum(z, z * LEAKY_SLOPE),  # valid because 0 < slope < 1
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "linear": lambda z: z,
}

# The same, overwriting their argument (Dense.forward owns its pre-activation z).
_ACT_INPLACE = dict(ACTIVATIONS, relu=lambda z: np.maximum(z, 0, out=z), sigmoid=_sigmoid_)

_DERIV = {
    "relu": lambda y: (y > 0).astype(y.dtype),
    "leaky_relu": lambda y: (y > 0).astype(y.dtype) * (1 - LEAKY_SLOPE) + LEAKY_SLOPE,
    "elu": lambda y: np.where(y > 0, 1, y + 1).astype(y.dtype),  # elu'(z) = elu(z) + 1 for z <= 0
    "tanh": lambda y: 1 - y * y,
    "sigmoid": lambda y: y * (1 - y),
    "linear": None,  # derivative 1: skip the multiply
}


def _times_deriv(activation, y, dy):
    """dy * f'(z) as a new array (dy is left alone), computed exactly as dy * _DERIV[activation](y)."""
    if activation == "sigmoid":
        if kernels.KIND == "wasm" and y.size % 2 == 0 and _same_layout(y, dy):
            dz = np.empty_like(y)
            kernels.wasm.sigmoid_grad(address(dz), address(y), address(dy), y.size)  # the same operations, one pass
            return dz
        t = np.subtract(1, y)
        t *= y
        t *= dy
        return t
    if activation == "tanh":
        t = np.multiply(y, y)
        np.subtract(1, t, out=t)
        t *= dy
        return t
    if activation == "relu":
        return np.multiply(dy, np.greater(y, 0))
    d = _DERIV[activation]
    return dy if d is None else dy * d(y)


# --- matrix products ----------------------------------------------------------
# Three products per layer, written for batches x of shape (rows, features):
#   forward  x @ W,   weight gradient  x.T @ dz,   backprop  dz @ W.T.

try:  # np.einsum without its Python wrapper (what it calls when optimize=False): ~5 us less per call
    from numpy._core.multiarray import c_einsum as _einsum
except ImportError:  # pragma: no cover - another NumPy layout
    _einsum = np.einsum


def batch_layout(x):
    """x in the memory order the products are fastest on (a copy only when needed)."""
    return x if kernels.KIND == "blas" else np.asfortranarray(x)


def _wasm_ok(a, b, n):
    """Both float64 and C-contiguous, and n rows a multiple of 4 (what the kernels assume)."""
    return (a.dtype == np.float64 and b.dtype == np.float64 and a.flags.c_contiguous and b.flags.c_contiguous
            and n >= 4 and n % 4 == 0)


def _same_layout(a, b):
    """Both float64 and contiguous in the same memory order: elementwise kernels may pair them up."""
    if a.dtype != np.float64 or b.dtype != np.float64 or a.shape != b.shape:
        return False
    return (a.flags.f_contiguous and b.flags.f_contiguous) or (a.flags.c_contiguous and b.flags.c_contiguous)


_TINY = 128  # weights with at most this many entries: NumPy's matmul (forward), einsum (backward) cost least


def _xw(x, W):
    if kernels.KIND == "blas":
        return x @ W
    n_in, n_out = W.shape
    xT = x.T
    if kernels.KIND == "wasm" and W.size > _TINY and n_out >= 4 and _wasm_ok(xT, W, len(x)):
        zT = np.empty((n_out, len(x)))
        kernels.wasm.rows(address(zT), address(W), 1, n_out, address(xT), n_out, n_in, len(x))
        return zT.T
    if W.size <= _TINY:
        return np.matmul(W.T, xT).T
    return _einsum("jk,ji->ki", W, xT).T  # = (W.T @ x.T).T, looping along rows


def _xt_dz(x, dz, out):
    if kernels.KIND == "blas":
        return np.matmul(x.T, dz, out=out)
    xT, dzT = x.T, dz.T
    if (kernels.KIND == "wasm" and out.size > _TINY and min(out.shape) >= 2 and _wasm_ok(xT, dzT, len(x))
            and out.dtype == np.float64 and out.flags.c_contiguous):
        kernels.wasm.dots(address(out), out.shape[1], 1, address(xT), address(dzT), out.shape[0], out.shape[1], len(x))
        return out
    return _einsum("ji,ki->jk", xT, dzT, out=out)  # dot products along rows


def _dz_wt(dz, W):
    if kernels.KIND == "blas":
        return dz @ W.T
    n_in, n_out = W.shape
    dzT = dz.T
    if kernels.KIND == "wasm" and W.size > _TINY and n_in >= 4 and _wasm_ok(dzT, W, len(dz)):
        daT = np.empty((n_in, len(dz)))
        kernels.wasm.rows(address(daT), address(W), n_out, 1, address(dzT), n_in, n_out, len(dz))
        return daT.T
    return _einsum("jk,ki->ji", W, dzT).T


# --- initializers ------------------------------------------------------------

def init_weights(rng, fan_in, fan_out, kind, dtype=np.float64):
    """Glorot (Xavier) uniform/normal or He normal. Drawn in float64, then cast,
    so the values are the same on every platform for a given seed."""
    if kind == "glorot_uniform":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        w = rng.uniform(-limit, limit, (fan_in, fan_out))
    elif kind == "glorot_normal":
        w = rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out))
    elif kind == "he":
        w = rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out))
    else:
        raise ValueError("unknown initializer %r" % kind)
    return w.astype(dtype)


# --- the network -------------------------------------------------------------

class Dense:
    def __init__(self, W, b, activation):
        self.W, self.b, self.activation = W, b, activation
        self.dW = np.zeros_like(W)
        self.db = np.zeros_like(b)

    def forward(self, x):
        z = _xw(x, self.W)
        z += self.b
        return _ACT_INPLACE[self.activation](z)

    def backward(self, x, y, dy, need_dx=True):
        """Given input x, output y and dL/dy: fill dW, db and return dL/dx."""
        dz = _times_deriv(self.activation, y, dy)
        _xt_dz(x, dz, self.dW)
        np.add.reduce(dz, axis=0, out=self.db)  # = np.sum, minus two Python-level wrappers
        return _dz_wt(dz, self.W) if need_dx else None


class Autoencoder:
    """Encoder layers, a bottleneck layer, decoder layers, output layer.

    `sizes` runs input -> ... -> latent -> ... -> output, e.g. [n, 15, 7, 2, 7, 15, n] for samples of n values.
    `latent_index` is the position of the bottleneck layer in `layers`.
    """

    def __init__(self, layers, latent_index, dropout=0.0):
        self.layers = layers
        self.latent_index = latent_index
        self.dropout = dropout
        self._cache = None
        # Pack every W and b (and their gradients) into one flat vector, leaving the layers
        # holding views. The optimizer then does a handful of whole-vector operations per
        # step instead of a handful per array, and a snapshot is a single copy.
        arrays = [a for l in layers for a in (l.W, l.b)]
        self.flat = np.concatenate([a.ravel() for a in arrays])
        self.flat_grad = np.zeros_like(self.flat)
        start = 0
        for l in layers:
            for name in ("W", "b"):
                a = getattr(l, name)
                end = start + a.size
                setattr(l, name, self.flat[start:end].reshape(a.shape))
                setattr(l, "d" + name, self.flat_grad[start:end].reshape(a.shape))
                start = end

    @classmethod
    def build(cls, sizes, latent_index, activation, output_activation, init, rng,
              dropout=0.0, dtype=np.float64):
        layers = []
        for i in range(len(sizes) - 1):
            act = output_activation if i == len(sizes) - 2 else activation
            W = init_weights(rng, sizes[i], sizes[i + 1], init, dtype)
            layers.append(Dense(W, np.zeros(sizes[i + 1], dtype), act))
        return cls(layers, latent_index, dropout)

    @property
    def params(self):
        """[(param, grad)] for optimizers, which update params in place: the flat vectors."""
        return [(self.flat, self.flat_grad)]

    def _drops(self, i):
        # dropout on hidden layers only: not on the bottleneck code, not on the output
        return self.dropout > 0 and i != self.latent_index and i != len(self.layers) - 1

    def forward(self, x, rng=None):
        """Reconstruct x. With `rng`, training mode: apply (inverted) dropout and
        remember what backward() needs."""
        acts = [batch_layout(x)]
        masks = []
        for i, layer in enumerate(self.layers):
            y = layer.forward(acts[-1])
            mask = None
            if rng is not None and self._drops(i):
                keep = 1.0 - self.dropout
                mask = (rng.random(y.shape, dtype=np.float64) < keep).astype(y.dtype)
                mask *= 1.0 / keep
                y = np.multiply(y, mask, out=np.empty_like(y))  # keeps y's memory order
            masks.append(mask)
            acts.append(y)
        self._cache = (acts, masks)
        return acts[-1]

    def backward(self, dout, need_dx=False):
        """Backprop dL/d(output) through the last forward(); fills every layer's dW, db.
        Returns dL/dx only if asked (the training step does not need it)."""
        acts, masks = self._cache
        d = dout
        for i in range(len(self.layers) - 1, -1, -1):
            y = acts[i + 1]
            if masks[i] is not None:
                d = np.multiply(d, masks[i], out=np.empty_like(d))
                # y was masked after the activation; recover the unmasked output for f'(y).
                # Where mask == 0 the gradient is 0 anyway, so any finite value will do.
                y = np.divide(y, masks[i], out=np.zeros_like(y), where=masks[i] != 0)
            d = self.layers[i].backward(acts[i], y, d, need_dx=need_dx or i > 0)
        return d

    def encode(self, x):
        x = batch_layout(x)
        for layer in self.layers[:self.latent_index + 1]:
            x = layer.forward(x)
        return x


# --- loss and penalties --------------------------------------------------------

def mse(pred, target):
    """Mean squared error over all elements, and its gradient w.r.t. pred."""
    n = pred.size
    if kernels.KIND == "wasm" and n % 4 == 0 and _same_layout(pred, target):
        diff = np.empty_like(pred)  # one pass: difference, its sum of squares, and the gradient
        loss = kernels.wasm.sq_diff(address(diff), address(pred), address(target), 2.0 / n, n) / n
        return loss, diff
    diff = np.subtract(pred, target)
    d64 = diff.ravel(order="K")  # a view, in whatever order the batch is stored
    if d64.dtype != np.float64:  # report the loss summed in float64: stable across BLAS builds
        d64 = d64.astype(np.float64)
    loss = float(d64 @ d64 if kernels.KIND == "blas" else _einsum("i,i->", d64, d64)) / n
    diff *= 2.0 / n
    return loss, diff


def per_sample_error(pred, target):
    """Reconstruction error of each row: mean over features of the squared difference."""
    diff = pred - target
    return np.einsum("ij,ij->i", diff, diff) / diff.shape[1]


def penalty(net, kind, rate):
    """Weight penalty on W (not biases): l1 = rate*sum|W|, l2 = rate*sum W^2, l1l2 = both."""
    if kind == "none" or rate == 0:
        return 0.0
    total = 0.0
    for layer in net.layers:
        w = layer.W.ravel()
        if kind in ("l1", "l1l2"):
            total += rate * float(np.abs(w).sum())
        if kind in ("l2", "l1l2"):
            total += rate * float(np.dot(w, w))
    return total


def add_penalty_grad(net, kind, rate):
    """Add the penalty's gradient to every layer's dW (call after backward)."""
    if kind == "none" or rate == 0:
        return
    for layer in net.layers:
        if kind in ("l1", "l1l2"):
            layer.dW += rate * np.sign(layer.W)
        if kind in ("l2", "l1l2"):
            layer.dW += (2 * rate) * layer.W

