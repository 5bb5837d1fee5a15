"""models/thinning.py: a long loss curve drawn from at most MAX_POINTS points per series, which keep
the first and last epochs and every bucket's lowest and highest loss (so no spike or divergence is
hidden); a short one drawn whole."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: tiny matrices, see models/__init__.py
import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from models import serialize, thinning


def history(losses, val=None):
    return [{"epoch": i + 1, "loss": a, "val_loss": None if val is None else val[i]} for i, a in enumerate(losses)]


@hsettings(max_examples=80, deadline=None)
@given(st.integers(0, 3000), st.integers(4, 400), st.integers(0, 2**32 - 1))
def test_kept_points_bound_the_curve_bucket_by_bucket(n, max_points, seed):
    v = np.random.default_rng(seed).normal(size=n).round(1)  # rounded: many ties
    keep = thinning.min_max_indices(v, max_points)
    if n <= max_points:
        assert keep.tolist() == list(range(n))
        return
    assert len(keep) <= max_points and np.all(np.diff(keep) > 0)
    assert keep[0] == 0 and keep[-1] == n - 1
    # every bucket of the points between the first and the last keeps a point at its minimum and
    # one at its maximum, and nothing else
    buckets = (max_points - 2) // 2
    edges = [1 + (b * (n - 2) + buckets - 1) // buckets for b in range(buckets)] + [n - 1]
    inner = set(keep.tolist()) - {0, n - 1}
    for lo, hi in zip(edges, edges[1:]):
        assert hi > lo
        mine = [i for i in inner if lo <= i < hi]
        assert 1 <= len(mine) <= 2
        assert min(v[i] for i in mine) == v[lo:hi].min() and max(v[i] for i in mine) == v[lo:hi].max()
    assert set(v[keep]) >= {v.min(), v.max()}


def test_a_spike_and_a_late_divergence_stay_in_the_thinned_curve():
    n = 30_000
    loss = 0.05 * np.exp(-np.arange(n) / 4000) + 0.01
    loss[12_345] = 0.9  # one bad epoch
    loss[-50:] = np.geomspace(0.02, 5.0, 50)  # the run blowing up at the end
    rows, points, thinned = thinning.loss_rows(history([float(x) for x in loss]))
    assert thinned and points == len(rows) <= thinning.MAX_POINTS
    drawn = {r["epoch"]: r["loss"] for r in rows}
    assert drawn[12_346] == 0.9 and drawn[n] == 5.0 and drawn[1] == loss[0]
    assert max(drawn.values()) == 5.0 and min(drawn.values()) == loss.min()


def test_loss_rows_are_what_the_training_view_adds_per_epoch():
    rows, points, thinned = thinning.loss_rows(history([0.5, 0.4, 0.3], [0.6, None, 0.35]))
    assert not thinned and points == 3
    assert rows == [{"epoch": 1, "series": "train", "loss": 0.5}, {"epoch": 2, "series": "train", "loss": 0.4},
                    {"epoch": 3, "series": "train", "loss": 0.3}, {"epoch": 1, "series": "validation", "loss": 0.6},
                    {"epoch": 3, "series": "validation", "loss": 0.35}]
    assert thinning.loss_rows([]) == ([], 0, False)


@pytest.mark.parametrize("n", [thinning.MAX_POINTS, thinning.MAX_POINTS + 1, serialize.MAX_HISTORY])
def test_every_series_is_capped_up_to_the_longest_history_a_model_file_holds(n):
    rng = np.random.default_rng(n)
    losses = rng.random(n).tolist()
    rows, points, thinned = thinning.loss_rows(history(losses, (rng.random(n) + 1).tolist()))
    for series in ("train", "validation"):
        epochs = [r["epoch"] for r in rows if r["series"] == series]
        assert len(epochs) <= thinning.MAX_POINTS and epochs[0] == 1 and epochs[-1] == n
        assert epochs == sorted(epochs)
    assert thinned == (n > thinning.MAX_POINTS) and points == min(n, thinning.MAX_POINTS)
    assert all(r["loss"] == losses[r["epoch"] - 1] for r in rows if r["series"] == "train")


def test_too_few_points_to_thin_into_is_refused():
    with pytest.raises(ValueError, match="at least 4"):
        thinning.min_max_indices([1.0] * 10, 3)
