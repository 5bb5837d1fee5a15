"""ROC/AUC and threshold metrics equal scikit-learn's to 1e-12, tied scores included."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: tiny matrices, see models/__init__.py
import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from sklearn.metrics import (accuracy_score, confusion_matrix, precision_recall_fscore_support,
                             roc_auc_score, roc_curve)

from models import metrics


def sample(seed, n=300, decimals=None):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(int)
    score = rng.normal(size=n) + y
    if decimals is not None:
        score = np.round(score, decimals)  # many ties
    return y, score


@pytest.mark.parametrize("seed,decimals", [(0, None), (1, 1), (2, 0), (3, 2)])
def test_roc_and_auc_equal_sklearn(seed, decimals):
    y, s = sample(seed, decimals=decimals)
    fpr, tpr, thr = metrics.roc_curve(y, s)
    f2, t2, th2 = roc_curve(y, s, drop_intermediate=False)
    np.testing.assert_allclose(fpr, f2, rtol=0, atol=1e-12)
    np.testing.assert_allclose(tpr, t2, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(thr, th2)
    assert abs(metrics.roc_auc(y, s) - roc_auc_score(y, s)) < 1e-12


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 6)), min_size=2, max_size=40))
def test_auc_property_with_heavy_ties(pairs):
    y = np.array([p[0] for p in pairs])
    s = np.array([p[1] for p in pairs], dtype=float) / 3
    if y.min() == y.max():
        return  # AUC undefined with one class
    assert abs(metrics.roc_auc(y, s) - roc_auc_score(y, s)) < 1e-12


def check_metrics(y, s, t):
    m = metrics.metrics_at(y, s, t)
    pred = (s > t).astype(int)
    p, r, f, _ = precision_recall_fscore_support(y, pred, average="binary", zero_division=0)
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    assert m["confusion"] == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    for key, ref in [("precision", p), ("recall", r), ("f1", f), ("accuracy", accuracy_score(y, pred)),
                     ("tpr", tp / max(tp + fn, 1)), ("fnr", fn / max(tp + fn, 1)),
                     ("fpr", fp / max(fp + tn, 1)), ("tnr", tn / max(fp + tn, 1))]:
        assert abs(m[key] - ref) < 1e-12, key
    assert all(type(v) is float for k, v in m.items() if k != "confusion")
    assert all(type(v) is int for v in m["confusion"].values())


@pytest.mark.parametrize("seed,decimals", [(0, None), (1, 1)])
def test_metrics_at_equal_sklearn(seed, decimals):
    y, s = sample(seed, decimals=decimals)
    for t in np.r_[np.quantile(s, [0, 0.1, 0.5, 0.9, 1.0]), s.min() - 1, s[5]]:  # incl. exact ties with t
        check_metrics(y, s, float(t))


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 5)), min_size=1, max_size=30), st.integers(-1, 6))
def test_metrics_at_property(pairs, t):
    y = np.array([p[0] for p in pairs])
    s = np.array([p[1] for p in pairs], dtype=float)
    check_metrics(y, s, float(t))


@pytest.mark.parametrize("metric", ["f1", "accuracy"])
@pytest.mark.parametrize("seed,decimals", [(0, None), (1, 1), (4, 0)])
def test_best_threshold_is_best(metric, seed, decimals):
    y, s = sample(seed, n=120, decimals=decimals)
    s = s - s.min() + 0.01  # errors are positive
    t = metrics.best_threshold(y, s, metric)
    best = metrics.metrics_at(y, s, t)[metric]
    brute = max(metrics.metrics_at(y, s, c)[metric] for c in np.r_[0.0, np.unique(s)])
    assert best == pytest.approx(brute, abs=1e-12)


def test_thin_curve_keeps_ends_and_limits_points():
    y, s = sample(5, n=2000)
    fpr, tpr, _ = metrics.roc_curve(y, s)
    pts = metrics.thin_curve(fpr, tpr, 200)
    assert len(pts) <= 200
    assert pts[0] == [0.0, 0.0] and pts[-1] == [1.0, 1.0]
    assert all(type(v) is float for p in pts for v in p)
    xs = [p[0] for p in pts]
    assert xs == sorted(xs)
    # the thinned curve's area stays close to the exact one
    assert abs(metrics.auc([p[0] for p in pts], [p[1] for p in pts]) - roc_auc_score(y, s)) < 0.01
