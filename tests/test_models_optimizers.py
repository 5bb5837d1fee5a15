"""Each optimizer's first steps against its published update equations, recomputed here
independently (in other but equivalent forms where the literature has them)."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: tiny matrices, see models/__init__.py
import numpy as np
import pytest

from models import optimizers, settings

HP = dict(lr=0.05, beta1=0.5, beta2=0.99, momentum=0.8, rho=0.85, epsilon=1e-7)
STEPS = 4


def reference(name, w, grads, lr, beta1, beta2, momentum, rho, epsilon):
    """Yield w after each step, in float64, straight from the papers."""
    w = w.copy()
    z = np.zeros_like(w)
    s1, s2 = z.copy(), z.copy()
    for t, g in enumerate(grads, 1):
        if name == "sgd":
            w = w - lr * g
        elif name == "momentum":  # PyTorch form: b = mu b + g; w -= lr b  (same as Keras for fixed lr)
            s1 = momentum * s1 + g
            w = w - lr * s1
        elif name == "nesterov":  # PyTorch form (Sutskever et al. 2013)
            s1 = momentum * s1 + g
            w = w - lr * (g + momentum * s1)
        elif name == "rmsprop":  # Hinton, lecture 6e
            s1 = rho * s1 + (1 - rho) * g ** 2
            w = w - lr * g / (np.sqrt(s1) + epsilon)
        elif name == "adagrad":  # Duchi et al. 2011
            s1 = s1 + g ** 2
            w = w - lr * g / (np.sqrt(s1) + epsilon)
        elif name == "adadelta":  # Zeiler 2012, Algorithm 1 (times lr)
            s1 = rho * s1 + (1 - rho) * g ** 2
            dx = -np.sqrt(s2 + epsilon) / np.sqrt(s1 + epsilon) * g
            s2 = rho * s2 + (1 - rho) * dx ** 2
            w = w + lr * dx
        elif name == "adam":  # Kingma & Ba 2015, Algorithm 1
            s1 = beta1 * s1 + (1 - beta1) * g
            s2 = beta2 * s2 + (1 - beta2) * g ** 2
            mhat, vhat = s1 / (1 - beta1 ** t), s2 / (1 - beta2 ** t)
            w = w - lr * mhat / (np.sqrt(vhat) + epsilon)
        elif name == "adamax":  # Kingma & Ba 2015, Algorithm 2
            s1 = beta1 * s1 + (1 - beta1) * g
            s2 = np.maximum(beta2 * s2, np.abs(g))
            w = w - (lr / (1 - beta1 ** t)) * s1 / (s2 + epsilon)
        yield w


def run(name, dtype):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=20)
    grads = [rng.normal(size=20) for _ in range(STEPS)]
    w, g = w0.astype(dtype), np.zeros(20, dtype)
    opt = optimizers.OPTIMIZERS[name]([(w, g)], HP["lr"], beta1=HP["beta1"], beta2=HP["beta2"],
                                      momentum=HP["momentum"], rho=HP["rho"], epsilon=HP["epsilon"])
    ours = []
    for gi in grads:
        g[...] = gi
        opt.step()
        ours.append(w.copy())
    return ours, list(reference(name, w0, grads, **HP))


@pytest.mark.parametrize("name", settings.OPTIMIZERS)
def test_first_steps_match_published_equations(name):
    ours, ref = run(name, np.float64)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", settings.OPTIMIZERS)
def test_float32_stays_float32_and_close(name):
    ours, ref = run(name, np.float32)
    assert all(a.dtype == np.float32 for a in ours)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_all_settings_optimizers_exist_and_make_uses_config():
    assert set(optimizers.OPTIMIZERS) == set(settings.OPTIMIZERS)
    cfg = settings.validate({"optimizer": "adam", "beta1": 0.5, "learning_rate": 0.2})
    opt = optimizers.make("adam", [(np.zeros(2, np.float32), np.zeros(2, np.float32))], cfg)
    assert (opt.lr, opt.beta1, opt.beta2, opt.eps) == (0.2, 0.5, cfg["beta2"], cfg["epsilon"])


def test_state_snapshot_restores_exactly():
    w, g = np.ones(5, np.float32), np.full(5, 0.3, np.float32)
    opt = optimizers.Adam([(w, g)], 0.1)
    opt.step()
    saved, w_saved = opt.get_state(), w.copy()
    opt.step()
    opt.set_state(saved)
    w[...] = w_saved
    opt.step()
    w2 = w.copy()
    w[...] = w_saved
    opt.set_state(saved)
    opt.step()
    assert np.array_equal(w, w2) and opt.t == 2
