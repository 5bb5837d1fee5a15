"""Fewer points for a long loss curve, with its shape kept honest (plain NumPy: CPython and Pyodide).

A model trained 30,000 epochs has 30,000 losses per series, far more than a chart is pixels wide,
and drawing them all costs the page seconds. Dropping every k-th point (or averaging) would hide
what matters in a loss curve: a spike, a dip, the start of divergence. So the curve is cut into
buckets of consecutive epochs and each bucket keeps its lowest and its highest loss (min-max
decimation): every extreme shows at its full height and at its own epoch, and the line between
the kept points stays within the band the real curve spans. The first and last epochs are always
kept, so the curve starts and ends where the training did.
"""
import numpy as np

# Per series. The main thread's time decides it: Vega takes ~15 ms to draw 600 rows (two series) into
# the loss chart, ~25-45 ms for 1,000 and ~45-100 ms for 2,000 on two busy cores (the first drawing in
# a page is the slowest), and no task of the page may take 50 ms. The chart is 340-800 px wide
# (static/app.css), so each of the 149 buckets is 2-6 px of it: its lowest and highest loss still
# show every extreme where it happened.
MAX_POINTS = 300


def min_max_indices(values, max_points=MAX_POINTS):
    """Ascending indices of the points of `values` (a curve, in x order) to draw: every one when
    there are at most max_points; otherwise the first, the last, and in each of
    (max_points - 2) // 2 buckets of consecutive points between them the lowest and the highest
    (one point when they are the same). At most max_points indices."""
    v = np.asarray(values, dtype=np.float64)
    n = len(v)
    if max_points < 4:
        raise ValueError("max_points must be at least 4 (first, last, a bucket's min and max)")
    if n <= max_points:
        return np.arange(n)
    buckets = (max_points - 2) // 2
    inner = n - 2  # points 1 .. n-2, split into buckets of equal size (give or take one)
    bucket = (np.arange(inner) * buckets) // inner
    # sorted by bucket, then by value: each bucket's first point is its lowest, its last its highest
    order = np.lexsort((v[1:-1], bucket))
    starts = np.searchsorted(bucket, np.arange(buckets))
    ends = np.append(starts[1:], inner)
    keep = np.concatenate(([0], order[starts] + 1, order[ends - 1] + 1, [n - 1]))
    return np.unique(keep)


def loss_rows(history, max_points=MAX_POINTS):
    """The loss chart's rows ({"epoch", "series": "train" | "validation", "loss"}, what the training
    view adds per epoch) for a model's history ([{"epoch", "loss", "val_loss"}], null for a loss
    not measured), each series thinned by min_max_indices. Returns (rows, points, thinned): points
    is the most points one series draws, thinned whether a series has fewer points than losses."""
    rows, points, thinned = [], 0, False
    for series, key in (("train", "loss"), ("validation", "val_loss")):
        measured = [h for h in history if h[key] is not None]
        values = np.array([h[key] for h in measured], dtype=np.float64)
        keep = min_max_indices(values, max_points)
        rows.extend({"epoch": measured[i]["epoch"], "series": series, "loss": float(values[i])} for i in keep)
        points = max(points, len(keep))
        thinned = thinned or len(keep) < len(measured)
    return rows, points, thinned
