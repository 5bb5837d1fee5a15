"""Where in a long series the anomalies are: the series itself, every window's reconstruction
error at its place in the series, the stretches the threshold flags and the stretches the data
labels as anomalous. What the training view's timeline draws (app/charts.py timeline charts).

Everything is thinned for drawing (MAX_POINTS per line): the series keeps each bucket's lowest and
highest value, the errors each bucket's highest (the window that matters), so a spike of one point
in a long log stays visible. The flagged stretches are computed from every test window first.
"""
import numpy as np

MAX_POINTS = 2000
POOL_WINDOWS = 1000  # the training part's windows scored for the timeline, evenly spread


def runs(flags):
    """[[first, last + 1], ...] of the runs of true values in a 1-D array."""
    f = np.r_[0, np.asarray(flags, dtype=np.int8) != 0, 0]
    edges = np.flatnonzero(np.diff(f))
    return [[int(a), int(b)] for a, b in zip(edges[::2], edges[1::2])]


def union(starts, width):
    """Merged [start, end) stretches of windows starting at `starts` (sorted), each `width` long."""
    out = []
    for s in starts:
        s = int(s)
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], s + width)
        else:
            out.append([s, s + width])
    return out


def _series_points(values):
    n = len(values)
    if n <= MAX_POINTS:
        return [{"t": t, "value": float(v)} for t, v in enumerate(values)]
    edges = np.linspace(0, n, MAX_POINTS // 2 + 1).astype(int)
    out = []
    for a, b in zip(edges[:-1], edges[1:]):
        chunk = values[a:b]
        lo, hi = int(np.argmin(chunk)), int(np.argmax(chunk))
        for k in sorted({lo, hi}):
            out.append({"t": int(a) + k, "value": float(chunk[k])})
    return out


def _window_points(starts, errors, part, index, width):
    """Rows of the error chart, at each window's middle; at most MAX_POINTS // 2 per part."""
    order = np.argsort(starts, kind="stable")
    starts, errors, index = starts[order], errors[order], index[order]
    keep = np.arange(len(starts))
    if len(starts) > MAX_POINTS // 2:
        edges = np.linspace(0, len(starts), MAX_POINTS // 2 + 1).astype(int)
        keep = np.array([a + int(np.argmax(errors[a:b])) for a, b in zip(edges[:-1], edges[1:]) if b > a])
    return [{"t": int(starts[k]) + width // 2, "error": float(errors[k]), "part": part, "i": int(index[k])}
            for k in keep]


def flagged_stretches(exp, rows, test_errors, threshold):
    """The stretches of the series covered by test windows whose error is above `threshold`."""
    if threshold is None:
        return []
    starts = np.asarray(rows["test_start"])[exp.split["test"]]
    return union(np.sort(starts[np.asarray(test_errors) > threshold]), exp.config["window"])


def timeline(exp, series_ds, rows, test_errors=None):
    """The timeline of experiment `exp` on series dataset `series_ds`, whose windows are `rows`
    (data/windows.cut); test_errors: the test windows' errors if already computed. Returns
    (summary, chart rows by data source)."""
    width = exp.config["window"]
    test_starts = np.asarray(rows["test_start"])[exp.split["test"]]
    test_errors = exp.test_errors() if test_errors is None else np.asarray(test_errors, dtype=np.float64)
    threshold = exp.model.threshold
    pool_starts = np.asarray(rows["train_start"])
    pick = np.unique(np.linspace(0, len(pool_starts) - 1, min(POOL_WINDOWS, len(pool_starts))).astype(int))
    pool_x = exp.model.scaler.transform(np.asarray(rows["train_x"])[pick]).astype(np.float64)
    pool_errors = exp.model.errors(pool_x)
    flagged = flagged_stretches(exp, rows, test_errors, threshold)
    anomaly = series_ds.get("anomaly")
    labelled = runs(anomaly) if anomaly is not None else []
    values = np.asarray(series_ds["series"], dtype=np.float64)
    # two charts: the series with its stretches, and the windows' errors with the threshold
    charts = {"timeline": {
        "series": _series_points(values),
        "flagged": [{"t0": a, "t1": b} for a, b in flagged],
        "labelled": [{"t0": a, "t1": b} for a, b in labelled],
        "training": [{"t0": 0, "t1": int(series_ds["train_end"])}],
    }, "timeline_errors": {
        "windows": (_window_points(pool_starts[pick], pool_errors, "training", np.full(len(pick), -1), width)
                    + _window_points(test_starts, test_errors, "test", np.arange(len(test_starts)), width)),
        "threshold": [] if threshold is None else [{"threshold": float(threshold)}],
    }}
    summary = {"points": len(values), "train_end": int(series_ds["train_end"]), "window": width,
               "flagged": flagged[:5], "flagged_count": len(flagged), "labelled": labelled[:5]}
    return summary, charts
