"""A dense autoencoder you can read in one sitting: activations, layers, loss, penalties.

Shapes: a batch is (n, features). Every layer computes  a = act(x @ W + b).
Backprop needs only each layer's input and output, because every activation's
derivative here can be written in terms of its own output (see `_DERIV`).
Arithmetic is float64: float32 rounding noise, summed in a different order by OpenBLAS (CPython)
and Pyodide's BLAS-free NumPy, is amplified by adaptive optimizers (5-20% apart after 20 epochs
with Adam at epsilon 1e-7), while float64 keeps a shared link's losses within 1e-6. In the browser
float64 costs no time at these sizes; in CPython about 2x.
"""
import numpy as np

LEAKY_SLOPE = 0.2  # TF.js / Keras 3 default

# --- activations: forward f(z), and f'(z) expressed through y = f(z) --------

def _sigmoid(z):
    with np.errstate(over="ignore"):  # exp(-z) = inf for very negative z gives exactly 0
        return 1 / (1 + np.exp(-z))


ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.maximum(z, z * LEAKY_SLOPE),  # valid because 0 < slope < 1
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "linear": lambda z: z,
}

_DERIV = {
    "relu": lambda y: (y > 0).astype(y.dtype),
    "leaky_relu": lambda y: (y > 0).astype(y.dtype) * (1 - LEAKY_SLOPE) + LEAKY_SLOPE,
    "elu": lambda y: np.where(y > 0, 1, y + 1).astype(y.dtype),  # elu'(z) = elu(z) + 1 for z <= 0
    "tanh": lambda y: 1 - y * y,
    "sigmoid": lambda y: y * (1 - y),
    "linear": None,  # derivative 1: skip the multiply
}


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
        z = x @ self.W
        z += self.b
        return ACTIVATIONS[self.activation](z)

    def backward(self, x, y, dy, need_dx=True):
        """Given input x, output y and dL/dy: fill dW, db and return dL/dx."""
        d = _DERIV[self.activation]
        dz = dy if d is None else dy * d(y)
        np.matmul(x.T, dz, out=self.dW)
        np.sum(dz, axis=0, out=self.db)
        return dz @ self.W.T if need_dx else None


class Autoencoder:
    """Encoder layers, a bottleneck layer, decoder layers, output layer.

    `sizes` runs input -> ... -> latent -> ... -> output, e.g. [140, 15, 7, 2, 7, 15, 140].
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
        acts = [x]
        masks = []
        for i, layer in enumerate(self.layers):
            y = layer.forward(acts[-1])
            mask = None
            if rng is not None and self._drops(i):
                keep = 1.0 - self.dropout
                mask = (rng.random(y.shape, dtype=np.float64) < keep).astype(y.dtype)
                mask *= 1.0 / keep
                y = y * mask
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
                d = d * masks[i]
                # y was masked after the activation; recover the unmasked output for f'(y).
                # Where mask == 0 the gradient is 0 anyway, so any finite value will do.
                y = np.divide(y, masks[i], out=np.zeros_like(y), where=masks[i] != 0)
            d = self.layers[i].backward(acts[i], y, d, need_dx=need_dx or i > 0)
        return d

    def encode(self, x):
        for layer in self.layers[:self.latent_index + 1]:
            x = layer.forward(x)
        return x


# --- loss and penalties --------------------------------------------------------

def mse(pred, target):
    """Mean squared error over all elements, and its gradient w.r.t. pred."""
    diff = pred - target
    n = diff.size
    d64 = diff.ravel().astype(np.float64)  # report the loss summed in float64: stable across BLAS builds
    loss = float(d64 @ d64) / n
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
