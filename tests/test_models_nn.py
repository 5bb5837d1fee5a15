"""Gradient checks: every activation, layer, loss and penalty against central finite
differences in float64 (relative error below 1e-6)."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: tiny matrices, see models/__init__.py
import numpy as np
import pytest

from models import kernels, nn

ACTS = list(nn.ACTIVATIONS)


def rel_err(a, b):
    a, b = np.ravel(a), np.ravel(b)
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def numeric_grad(f, x, h=1e-5):
    """Central differences of scalar f() with respect to array x (perturbed in place)."""
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = f()
        flat[i] = old - h
        fm = f()
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * h)
    return g


@pytest.mark.parametrize("act", ACTS)
def test_activation_derivative(act):
    z = np.random.default_rng(1).uniform(-3, 3, 200)
    z = z[np.abs(z) > 1e-3]  # keep away from the kink of relu-like functions
    y = nn.ACTIVATIONS[act](z)
    d = nn._DERIV[act]
    analytic = np.ones_like(z) if d is None else d(y)
    h = 1e-6
    numeric = (nn.ACTIVATIONS[act](z + h) - nn.ACTIVATIONS[act](z - h)) / (2 * h)
    assert rel_err(analytic, numeric) < 1e-8


def test_sigmoid_is_stable_at_extremes():
    z = np.array([-1000.0, -50, 0, 50, 1000], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = nn.ACTIVATIONS["sigmoid"](z.astype(np.float64))
    assert np.all(np.isfinite(y)) and y[0] == 0 and y[-1] == 1 and y[2] == 0.5


def make_net(act, out_act, dropout=0.0, init="glorot_normal", seed=0):
    rng = np.random.default_rng(seed)
    net = nn.Autoencoder.build([6, 5, 3, 2, 3, 4, 6], 2, act, out_act, init, rng,
                               dropout=dropout, dtype=np.float64)
    for l in net.layers:  # non-zero biases, so their gradients are exercised too
        l.b[...] = rng.normal(0, 0.3, l.b.shape)
    return net


def check_net(net, x, reg="none", rate=0.0, mask_seed=None):
    def loss():
        rng = None if mask_seed is None else np.random.default_rng(mask_seed)
        return nn.mse(net.forward(x, rng=rng), x)[0] + nn.penalty(net, reg, rate)

    rng = None if mask_seed is None else np.random.default_rng(mask_seed)
    _, g = nn.mse(net.forward(x, rng=rng), x)
    dx = net.backward(g, need_dx=True)
    nn.add_penalty_grad(net, reg, rate)
    for i, l in enumerate(net.layers):
        dW, db = l.dW.copy(), l.db.copy()
        assert rel_err(dW, numeric_grad(loss, l.W)) < 1e-6, "layer %d W" % i
        assert rel_err(db, numeric_grad(loss, l.b)) < 1e-6, "layer %d b" % i
    # gradient with respect to the input (penalty does not depend on it; target held fixed)
    target = x.copy()

    def loss_in():
        rng = None if mask_seed is None else np.random.default_rng(mask_seed)
        return nn.mse(net.forward(xin, rng=rng), target)[0]
    xin = x.copy()
    rng = None if mask_seed is None else np.random.default_rng(mask_seed)
    _, g = nn.mse(net.forward(xin, rng=rng), target)
    dx = net.backward(g, need_dx=True)
    assert rel_err(dx, numeric_grad(loss_in, xin)) < 1e-6, "input"


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("out_act", ["sigmoid", "linear"])
def test_network_gradients(act, out_act):
    x = np.random.default_rng(2).uniform(0, 1, (7, 6))
    check_net(make_net(act, out_act), x)


@pytest.mark.parametrize("reg", ["l1", "l2", "l1l2"])
def test_penalty_gradients(reg):
    x = np.random.default_rng(3).uniform(0, 1, (5, 6))
    check_net(make_net("tanh", "sigmoid"), x, reg=reg, rate=0.01)


def test_penalty_values():
    net = make_net("tanh", "linear")
    ws = np.concatenate([l.W.ravel() for l in net.layers])
    assert nn.penalty(net, "l1", 0.1) == pytest.approx(0.1 * np.abs(ws).sum(), rel=1e-12)
    assert nn.penalty(net, "l2", 0.1) == pytest.approx(0.1 * (ws ** 2).sum(), rel=1e-12)
    assert nn.penalty(net, "l1l2", 0.1) == pytest.approx(0.1 * (np.abs(ws).sum() + (ws ** 2).sum()), rel=1e-12)
    assert nn.penalty(net, "none", 0.1) == 0.0


@pytest.mark.parametrize("act", ["relu", "elu"])
def test_dropout_gradients(act):
    x = np.random.default_rng(4).uniform(0, 1, (6, 6))
    check_net(make_net(act, "sigmoid", dropout=0.3), x, mask_seed=7)


def test_dropout_only_in_training_and_not_on_bottleneck():
    net = make_net("relu", "linear", dropout=0.5)
    x = np.random.default_rng(5).uniform(0, 1, (50, 6))
    a, b = net.forward(x), net.forward(x)
    assert np.array_equal(a, b)  # inference: no dropout
    net.forward(x, rng=np.random.default_rng(0))
    masks = net._cache[1]
    assert masks[2] is None and masks[-1] is None  # bottleneck and output never dropped
    assert all(m is not None for i, m in enumerate(masks) if i not in (2, len(masks) - 1))
    assert set(np.unique(masks[0])) <= {0.0, 2.0}


def test_mse_and_per_sample_error():
    rng = np.random.default_rng(6)
    p, t = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    loss, g = nn.mse(p.copy(), t)
    assert loss == pytest.approx(np.mean((p - t) ** 2), rel=1e-12)
    assert np.allclose(g, 2 * (p - t) / p.size, rtol=1e-12)
    assert np.allclose(nn.per_sample_error(p, t), ((p - t) ** 2).mean(axis=1), rtol=1e-12)


@pytest.mark.parametrize("init", ["glorot_uniform", "glorot_normal", "he"])
def test_initializer_scale(init):
    w = nn.init_weights(np.random.default_rng(0), 400, 200, init)
    assert w.dtype == np.float64
    expected_var = {"glorot_uniform": 2 / 600, "glorot_normal": 2 / 600, "he": 2 / 400}[init]
    assert w.var() == pytest.approx(expected_var, rel=0.05)
    if init == "glorot_uniform":
        assert np.abs(w).max() <= np.sqrt(6 / 600)


def test_params_are_views_of_one_flat_vector():
    net = make_net("relu", "sigmoid")
    net.flat[:] = 0.5
    assert all((l.W == 0.5).all() and (l.b == 0.5).all() for l in net.layers)
    assert net.flat.size == sum(l.W.size + l.b.size for l in net.layers)


@pytest.fixture
def einsum_kernels():
    """The products Pyodide's NumPy uses when the WebAssembly kernels cannot load."""
    before = kernels.KIND
    assert kernels.use("einsum") == "einsum"
    yield
    kernels.use(before)


def test_einsum_fallback_trains_like_blas(einsum_kernels):
    """The fallback path gives the same per-epoch losses as CPython's BLAS path (float64: ~1e-12)."""
    from models.experiment import Experiment
    from tests.test_models_data import synthetic
    cfg = {"encoder": [16, 8], "latent": 3, "epochs": 3, "train_size": 600, "test_size": 100, "dropout": 0.1}
    einsum = [Experiment(cfg, synthetic()).train_epoch()["loss"]]
    kernels.use("blas")
    blas = [Experiment(cfg, synthetic()).train_epoch()["loss"]]
    assert einsum == pytest.approx(blas, rel=1e-10)


def test_wasm_kernels_are_not_used_outside_the_browser():
    assert kernels.use("wasm") == "einsum"  # no Pyodide here: falls back, never fails
    assert kernels.use("fastest") == "blas"  # CPython's NumPy has a BLAS
    assert kernels.KIND == "blas"


def test_unknown_kernels_are_refused():
    with pytest.raises(ValueError, match="kernels must be"):
        kernels.use("gpu")
