"""Linked views (issue 18): which test samples a selection picks (models/selection.py), and the
selections the page may send that make no sense, each refused with a message naming the problem."""
import json
import math

import numpy as np
import pytest

from models import metrics, selection

ERRORS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1e-12]
ANOMALY = [0, 0, 0, 1, 1, 1, 0]
POINTS = [[0, 0], [1, 1], [2, 2], [3, 3], [-1, 5], [0.5, 0.5], [9, 9]]


def pick(sel, threshold=0.07):
    return selection.indices(selection.parse(json.dumps(sel)), ERRORS, ANOMALY, threshold, POINTS)


def test_every_sample_and_an_error_bin_in_log10_half_open():
    assert pick({"kind": "all"}) == list(range(7))
    assert pick({"kind": "errors", "lo": math.log10(0.02), "hi": math.log10(0.2)}) == [1, 2, 3]
    assert pick({"kind": "errors", "lo": -9.5, "hi": -8.5}) == [6]  # floored at 1e-9, as the chart draws it
    assert pick({"kind": "errors", "lo": 3, "hi": 4}) == []


def test_confusion_cells_partition_the_samples_like_the_metrics():
    cells = {c: pick({"kind": "cell", "cell": c}) for c in ("tp", "fp", "tn", "fn")}
    assert sorted(sum(cells.values(), [])) == list(range(7))
    counts = metrics.metrics_at(ANOMALY, ERRORS, 0.07)["confusion"]
    assert {c: len(v) for c, v in cells.items()} == counts
    assert cells["fp"] == [] and cells["tp"] == [3, 4, 5]


def test_an_roc_point_picks_what_is_flagged_there():
    fpr, tpr, thresholds = metrics.roc_curve(ANOMALY, ERRORS)
    for f, t, thr in zip(fpr, tpr, thresholds):
        sel = {"kind": "roc", "threshold": None if math.isinf(thr) else float(thr)}
        assert len(pick(sel)) == round(f * 4 + t * 3)
    assert pick({"kind": "roc", "threshold": None}) == []


def test_a_latent_box_is_inclusive_and_either_way_round():
    assert pick({"kind": "latent", "x": [2, 0], "y": [0, 2]}) == [0, 1, 2, 5]
    assert pick({"kind": "latent", "x": [100, 200], "y": [0, 1]}) == []


@pytest.mark.parametrize("text, message", [
    ("{", "must be JSON"),
    ('"errors"', "kind is one of"),
    ('{"kind": "everything"}', "kind is one of"),
    ('{"kind": "errors", "lo": 1}', "error range must be a finite number"),
    ('{"kind": "errors", "lo": "a", "hi": 2}', "error range must be a finite number"),
    ('{"kind": "cell", "cell": "xx"}', "one of tp, fp, tn, fn"),
    ('{"kind": "roc", "threshold": true}', "threshold must be a finite number"),
    ('{"kind": "latent", "x": [0], "y": [0, 1]}', r"x range must be \[from, to\]"),
    ('{"kind": "latent", "x": [0, NaN], "y": [0, 1]}', "x range must be a finite number"),
])
def test_a_selection_that_makes_no_sense_is_refused_with_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        selection.parse(text)


def test_thinned_roc_points_keep_their_thresholds():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 1000)
    s = rng.random(1000) + y * 0.3
    fpr, tpr, thr = metrics.roc_curve(y, s)
    keep = metrics.thin_indices(fpr, tpr, 50)
    assert metrics.thin_curve(fpr, tpr, 50) == [[float(fpr[k]), float(tpr[k])] for k in keep]
    assert keep[0] == 0 and keep[-1] == len(fpr) - 1 and len(keep) <= 50
