"""Shared data for the models tests (imported by the other test_models_* files): ECG5000, and
synthetic beats for the tests about the model's maths rather than ECG5000 itself; and the
data-split and scaler rules of models/prep.py."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: tiny matrices, see models/__init__.py
import functools

import numpy as np
import pytest

from data import ecg5000
from models import prep, settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@functools.lru_cache(maxsize=1)
def ecg():
    folder = os.environ.get("ECG5000_DIR") or os.path.join(ROOT, "..", "shared", "data", "ecg5000")
    return ecg5000.load_folder(folder)


@functools.lru_cache(maxsize=1)
def synthetic():
    """models.bench's synthetic beats (noise shaped like ECG5000's: 140 samples, a training pool and
    500 test beats), a tenth of each part made anomalies by a bump of +4 over a seventh of the beat,
    with classes 2-5: 2610 normal and 290 abnormal pool beats, 450 normal and 50 abnormal test beats."""
    from data.about import describe
    from models import bench
    data = bench.synthetic(n=2900)
    data["about"] = describe("synthetic", "beat", data["train_x"].shape[1],
                             [[c, "Class %d" % c, "Class %d" % c] for c in range(1, 6)], normal=[1])
    rng = np.random.default_rng(1)
    for part in ("train", "test"):
        x, y = data[part + "_x"], data[part + "_y"]
        y[:] = 1
        width = x.shape[1] // 7
        for i in rng.choice(len(y), len(y) // 10, replace=False):
            start = rng.integers(0, x.shape[1] - width + 1)
            x[i, start:start + width] += 4
            y[i] = rng.integers(2, 6)
    return data


def split(**overrides):
    cfg = settings.validate(overrides)
    return prep.split(synthetic(), cfg, np.random.default_rng(cfg["seed"])), cfg


def test_default_split_sizes_and_purity():
    idx, cfg = split()
    y = synthetic()["train_y"]
    assert len(idx["train"]) + len(idx["val"]) == 2600
    assert len(idx["val"]) == 260
    assert (y[np.r_[idx["train"], idx["val"]]] == 1).all()  # abnormal_pct 0: only normal beats
    assert len(set(idx["train"]) | set(idx["val"])) == 2600  # no beat twice
    assert np.array_equal(idx["test"], np.arange(500))  # all test beats, in file order


def test_contamination_and_validation_come_from_training_pool_only():
    idx, cfg = split(train_size=1000, abnormal_pct=20.0, validation_pct=25.0, test_size=100)
    y = synthetic()["train_y"]
    chosen = np.r_[idx["train"], idx["val"]]
    assert len(chosen) == 1000 and (y[chosen] != 1).sum() == 200
    assert len(idx["val"]) == 250
    assert len(idx["test"]) == 100 and (np.diff(idx["test"]) > 0).all() and idx["test"].max() < 500


def test_split_is_deterministic_per_seed():
    a, _ = split(seed=3, test_size=50)
    b, _ = split(seed=3, test_size=50)
    c, _ = split(seed=4, test_size=50)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["train"], c["train"])


def test_a_split_larger_than_the_data_uses_all_it_can_at_the_contamination_share():
    tiny = {"train_x": np.zeros((20, 3)), "train_y": np.r_[np.ones(5), np.full(15, 2)],
            "test_x": np.zeros((10, 3)), "test_y": np.ones(10), "about": ecg5000.ABOUT}
    idx = prep.split(tiny, settings.validate({"train_size": 10, "validation_pct": 0}), np.random.default_rng(0))
    assert sorted(idx["train"]) == [0, 1, 2, 3, 4] and len(idx["test"]) == 10  # the 5 normal ones
    idx = prep.split(tiny, settings.validate({"train_size": 100, "abnormal_pct": 50, "validation_pct": 0}),
                     np.random.default_rng(0))
    assert len(idx["train"]) == 10 and (np.asarray(idx["train"]) >= 5).sum() == 5  # 5 normal + 5 abnormal
    clean = dict(tiny, train_y=np.ones(20))
    with pytest.raises(ValueError, match="no labelled anomalies to mix in"):
        prep.split(clean, settings.validate({"abnormal_pct": 10}), np.random.default_rng(0))
    none_normal = dict(tiny, train_y=np.full(20, 2))
    with pytest.raises(ValueError, match="no samples of the normal class 1"):
        prep.split(none_normal, settings.validate({}), np.random.default_rng(0))


@pytest.mark.parametrize("kind", ["minmax", "zscore"])
def test_scaler_fitted_on_training_rows(kind):
    rng = np.random.default_rng(0)
    x = rng.normal(3, 2, (50, 4)).astype(np.float32)
    x[:, 2] = 7  # constant column: no division by zero
    s = prep.Scaler.fit(kind, x)
    xs = s.transform(x)
    assert xs.dtype == np.float32 and np.isfinite(xs).all()
    if kind == "minmax":
        assert np.allclose(xs[:, [0, 1, 3]].min(0), 0, atol=1e-6) and np.allclose(xs[:, [0, 1, 3]].max(0), 1, atol=1e-6)
    else:
        assert np.allclose(xs[:, [0, 1, 3]].mean(0), 0, atol=1e-5) and np.allclose(xs[:, [0, 1, 3]].std(0), 1, atol=1e-5)
    again = prep.Scaler(s.kind, s.to_dict()["shift"], s.to_dict()["scale"])
    assert np.array_equal(again.transform(x), xs)  # the saved form round-trips exactly
