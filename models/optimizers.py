"""Optimizers: each updates parameters in place from their gradients.

Notation: w parameter, g gradient, lr learning rate, t step count (from 1).
The update equations (the tests recompute them independently):

  sgd       w -= lr g
  momentum  v = mu v - lr g;  w += v                               (Keras form)
  nesterov  v = mu v - lr g;  w += mu v - lr g                     (Keras form)
  rmsprop   a = rho a + (1-rho) g^2;  w -= lr g / (sqrt(a) + eps)
  adagrad   a += g^2;  w -= lr g / (sqrt(a) + eps)
  adadelta  a = rho a + (1-rho) g^2;  d = sqrt(u + eps) / sqrt(a + eps) g;
            u = rho u + (1-rho) d^2;  w -= lr d                    (Zeiler 2012; lr=1 is the paper)
  adam      m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
            w -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)    (Kingma & Ba 2015)
  adamax    m = b1 m + (1-b1) g;  u = max(b2 u, |g|);
            w -= lr / (1-b1^t) m / (u + eps)                       (Kingma & Ba 2015, sec. 7)

State arrays have the parameter's dtype; Python-float hyperparameters keep float32
arithmetic in float32 (NumPy 2 treats them as "weak" scalars).
"""
import numpy as np

from models import kernels
from models.kernels import address


class Optimizer:
    slots = ()  # names of per-parameter state arrays

    def __init__(self, params, lr, beta1=0.9, beta2=0.999, momentum=0.9, rho=0.9, epsilon=1e-7):
        self.params = params  # list of (w, g) pairs; g is refilled by backward()
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.mu, self.rho, self.eps = momentum, rho, epsilon
        self.t = 0
        self.state = [{k: np.zeros_like(w) for k in self.slots} for w, _ in params]

    def _scratch(self, w):
        """Two work arrays shaped like w (not state: never saved or restored)."""
        key = (w.shape, w.dtype.str)
        work = self.__dict__.setdefault("_work", {})
        if key not in work:
            work[key] = (np.empty_like(w), np.empty_like(w))
        return work[key]

    def step(self):
        self.t += 1
        for (w, g), s in zip(self.params, self.state):
            self.update(w, g, s)

    # snapshot/restore, so a diverged epoch can be undone
    def get_state(self):
        return self.t, [{k: a.copy() for k, a in s.items()} for s in self.state]

    def set_state(self, saved):
        self.t, state = saved
        for dst, src in zip(self.state, state):
            for k in dst:
                dst[k][...] = src[k]


class SGD(Optimizer):
    def update(self, w, g, s):
        w -= self.lr * g


class Momentum(Optimizer):
    slots = ("v",)

    def update(self, w, g, s):
        v = s["v"]
        v *= self.mu
        v -= self.lr * g
        w += v


class Nesterov(Momentum):
    def update(self, w, g, s):
        v = s["v"]
        v *= self.mu
        v -= self.lr * g
        w += self.mu * v - self.lr * g


class RMSProp(Optimizer):
    slots = ("a",)

    def update(self, w, g, s):
        a = s["a"]
        a *= self.rho
        a += (1 - self.rho) * g * g
        w -= self.lr * g / (np.sqrt(a) + self.eps)


class Adagrad(Optimizer):
    slots = ("a",)

    def update(self, w, g, s):
        a = s["a"]
        a += g * g
        w -= self.lr * g / (np.sqrt(a) + self.eps)


class Adadelta(Optimizer):
    slots = ("a", "u")

    def update(self, w, g, s):
        a, u = s["a"], s["u"]
        a *= self.rho
        a += (1 - self.rho) * g * g
        d = np.sqrt(u + self.eps) / np.sqrt(a + self.eps) * g
        u *= self.rho
        u += (1 - self.rho) * d * d
        w -= self.lr * d


class Adam(Optimizer):
    slots = ("m", "v")

    def update(self, w, g, s):
        # The equations above, evaluated in the same order (so bit for bit the same results)
        # through two scratch arrays instead of a fresh temporary per operation.
        m, v = s["m"], s["v"]
        c1 = 1 - self.beta1 ** self.t  # bias corrections, computed in Python floats
        c2 = 1 - self.beta2 ** self.t
        if kernels.KIND == "wasm" and all(a.dtype == np.float64 and a.flags.c_contiguous for a in (w, g, m, v)):
            kernels.wasm.adam(address(w), address(g), address(m), address(v), w.size, self.beta1, 1 - self.beta1,
                              self.beta2, 1 - self.beta2, self.lr / c1, 1 / c2, self.eps)  # models/fastmath: one pass
            return
        t1, t2 = self._scratch(w)
        m *= self.beta1
        m += np.multiply(g, 1 - self.beta1, out=t1)
        v *= self.beta2
        np.multiply(g, 1 - self.beta2, out=t1)
        v += np.multiply(t1, g, out=t1)
        np.multiply(m, self.lr / c1, out=t1)
        np.multiply(v, 1 / c2, out=t2)
        np.sqrt(t2, out=t2)
        t2 += self.eps
        w -= np.divide(t1, t2, out=t1)


class Adamax(Optimizer):
    slots = ("m", "u")

    def update(self, w, g, s):
        m, u = s["m"], s["u"]
        m *= self.beta1
        m += (1 - self.beta1) * g
        np.maximum(u * self.beta2, np.abs(g), out=u)
        w -= (self.lr / (1 - self.beta1 ** self.t)) * m / (u + self.eps)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "rmsprop": RMSProp,
              "adagrad": Adagrad, "adadelta": Adadelta, "adam": Adam, "adamax": Adamax}


def make(name, params, config):
    """Build the optimizer named in config, with its hyperparameters from config."""
    return OPTIMIZERS[name](params, config["learning_rate"], beta1=config["beta1"], beta2=config["beta2"],
                            momentum=config["momentum"], rho=config["rho"], epsilon=config["epsilon"])
