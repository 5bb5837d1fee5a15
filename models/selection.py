"""Which test samples a selection in the training view's charts picks (issue 18's linked views),
the same in the engine (Pyodide) and in CPython. Vega says what was selected (the charts' Altair
parameters, app/charts.py); this turns it into sample indices.

A selection (JSON from the page):
    {"kind": "all"}                                    every test sample
    {"kind": "errors", "lo": L, "hi": H}               a histogram bin: log10 errors in [L, H)
    {"kind": "cell", "cell": "tp" | "fp" | "tn" | "fn"} a cell of the confusion matrix, at the threshold
    {"kind": "roc", "threshold": T}                    a point of the ROC curve: errors >= T are
                                                       flagged there (T null: its start, none)
    {"kind": "latent", "x": [x0, x1], "y": [y0, y1]}   a brushed box of the latent scatter (inclusive)
"""
import json
import math

import numpy as np

CELLS = {"tp": (True, True), "fp": (True, False), "tn": (False, False), "fn": (False, True)}  # (flagged, anomaly)
CELL_TEXT = {"tp": "flagged and truly abnormal (true positives)", "fp": "flagged but truly normal (false alarms)",
             "tn": "passed and truly normal (true negatives)", "fn": "passed but truly abnormal (missed anomalies)"}


def _number(x, what):
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise ValueError("a selection's %s must be a finite number, got %r" % (what, x))
    return float(x)


def _range(v, what):
    if not isinstance(v, list) or len(v) != 2:
        raise ValueError("a selection's %s must be [from, to], got %r" % (what, v))
    a, b = _number(v[0], what), _number(v[1], what)
    return min(a, b), max(a, b)


def parse(text):
    """The selection in `text` (JSON), checked: ValueError names what is wrong."""
    try:
        sel = json.loads(text)
    except ValueError:
        raise ValueError("a selection must be JSON, got %r" % (text[:80],))
    kind = sel.get("kind") if isinstance(sel, dict) else None
    if kind == "all":
        return {"kind": "all"}
    if kind == "errors":
        lo, hi = _range([sel.get("lo"), sel.get("hi")], "error range")
        return {"kind": "errors", "lo": lo, "hi": hi}
    if kind == "cell":
        if sel.get("cell") not in CELLS:
            raise ValueError("a confusion cell is one of tp, fp, tn, fn, got %r" % (sel.get("cell"),))
        return {"kind": "cell", "cell": sel["cell"]}
    if kind == "roc":
        t = sel.get("threshold")
        return {"kind": "roc", "threshold": None if t is None else _number(t, "threshold")}
    if kind == "latent":
        return {"kind": "latent", "x": list(_range(sel.get("x"), "x range")), "y": list(_range(sel.get("y"), "y range"))}
    raise ValueError("a selection's kind is one of all, errors, cell, roc, latent, got %r" % (kind,))


def log_error(errors):
    """The histogram's x (app/charts.py hist_chart): log10 of the error, floored at 1e-9, computed
    as Vega computes it (log(x) / LN10)."""
    return np.log(np.maximum(np.asarray(errors, dtype=np.float64), 1e-9)) / math.log(10)


def indices(sel, errors, anomaly, threshold, points=None):
    """Test sample indices (ascending) that selection `sel` (parsed) picks, given each test sample's
    error, whether it is an anomaly (1/0), the threshold (flagged: error > threshold) and, for a
    latent box, each sample's latent point."""
    errors = np.asarray(errors, dtype=np.float64)
    kind = sel["kind"]
    if kind == "all":
        hit = np.ones(errors.shape, dtype=bool)
    elif kind == "errors":
        v = log_error(errors)
        hit = (v >= sel["lo"]) & (v < sel["hi"])
    elif kind == "cell":
        flagged, truly = CELLS[sel["cell"]]
        hit = ((errors > threshold) == flagged) & ((np.asarray(anomaly) == 1) == truly)
    elif kind == "roc":
        hit = errors >= sel["threshold"] if sel["threshold"] is not None else np.zeros(errors.shape, dtype=bool)
    else:
        p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        (x0, x1), (y0, y1) = sel["x"], sel["y"]
        hit = (p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)
    return [int(i) for i in np.flatnonzero(hit)]


def _g(x):
    return "%.3g" % x


def describe(sel):
    """What a selection picks, in words ("" for every sample)."""
    kind = sel["kind"]
    if kind == "errors":
        return "errors %s–%s" % (_g(10 ** sel["lo"]), _g(10 ** sel["hi"]))
    if kind == "cell":
        return CELL_TEXT[sel["cell"]]
    if kind == "roc":
        if sel["threshold"] is None:
            return "the ROC curve's start, where nothing is flagged"
        return "flagged at the ROC point's threshold (errors from %s)" % _g(sel["threshold"])
    if kind == "latent":
        return "latent box x %s to %s, y %s to %s" % tuple(_g(v) for v in sel["x"] + sel["y"])
    return ""


def sparkline(values, lo, hi, width, height=40):
    """An SVG path of a sample whose values mostly lie in [lo, hi]: x = time step scaled to `width`,
    y downwards in a `height` box with a 2-unit margin; at most ~100 points."""
    step = max(1, len(values) // 100)
    span = (hi - lo) or 1.0
    pts = []
    for t in range(0, len(values), step):
        v = min(max((float(values[t]) - lo) / span, -0.1), 1.1)
        pts.append("%.1f %.1f" % (t * float(width) / max(1, len(values) - 1), (1 - v) * (height - 4) + 2))
    return "M" + "L".join(pts)
