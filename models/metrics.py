"""Scoring metrics in NumPy, so the browser needs no scikit-learn.

Convention everywhere: label 1 = anomaly (positive), 0 = normal; a beat is flagged
as an anomaly when its score (reconstruction error) is strictly above the threshold.
ROC/AUC follow scikit-learn's definitions exactly (tests compare to 1e-12).
"""
import numpy as np

from models.threshold_scale import LogScale


def roc_curve(y, score):
    """False and true positive rates at every distinct score, highest first, from (0, 0).
    Same as sklearn.metrics.roc_curve(..., drop_intermediate=False)."""
    y = np.asarray(y, dtype=np.float64)
    score = np.asarray(score, dtype=np.float64)
    order = np.argsort(score, kind="mergesort")[::-1]
    score, y = score[order], y[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(score)), y.size - 1]  # tied scores move together
    tps = np.cumsum(y)[last_of_tie]
    fps = 1 + last_of_tie - tps
    tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
    thresholds = np.r_[np.inf, score[last_of_tie]]
    fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
    tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
    return fpr, tpr, thresholds


def auc(x, y):
    """Trapezoidal area under a curve given in increasing x."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1])) / 2)


def roc_auc(y, score):
    fpr, tpr, _ = roc_curve(y, score)
    return auc(fpr, tpr)


def thin_indices(fpr, tpr, max_points=200):
    """Which points of a curve a chart draws: collinear interior points dropped, then at most
    max_points evenly spaced along the curve, always including both ends."""
    keep = np.flatnonzero(np.r_[True, np.logical_or(np.diff(fpr, 2) != 0, np.diff(tpr, 2) != 0), True])
    if keep.size > max_points:
        keep = keep[np.unique(np.round(np.linspace(0, keep.size - 1, max_points)).astype(int))]
    return keep


def thin_curve(fpr, tpr, max_points=200):
    """The points thin_indices keeps, as [[x, y], ...]."""
    keep = thin_indices(fpr, tpr, max_points)
    return [[float(a), float(b)] for a, b in zip(fpr[keep], tpr[keep])]


def _ratio(a, b):
    return float(a) / float(b) if b else 0.0  # scikit-learn's zero_division=0


def metrics_at(y, score, threshold):
    """Confusion matrix and the usual rates when flagging score > threshold."""
    y = np.asarray(y).astype(bool)
    pred = np.asarray(score) > threshold
    tp = int(np.sum(pred & y))
    fp = int(np.sum(pred & ~y))
    fn = int(np.sum(~pred & y))
    tn = int(np.sum(~pred & ~y))
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {
        "accuracy": _ratio(tp + tn, y.size),
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "fpr": _ratio(fp, fp + tn),
        "fnr": _ratio(fn, fn + tp),
        "tpr": recall,
        "tnr": _ratio(tn, tn + fp),
        "confusion": {"tp": tp, "fp": fp, "tn": tn, "fn": fn},
    }


def best_threshold(y, score, metric):
    """The threshold maximising 'f1' or 'accuracy' on labelled data (this peeks at labels).

    Candidates: 'flag nothing' (the top score) and, for every distinct score s, the
    threshold just below it, i.e. the next lower distinct score (or 0 for the lowest),
    so that score > threshold flags exactly the beats scoring s or more. Ties: lowest wins."""
    y = np.asarray(y).astype(np.float64)
    score = np.asarray(score, dtype=np.float64)
    distinct = np.unique(score)  # ascending
    below = np.r_[0.0 if distinct[0] > 0 else distinct[0] - 1.0, distinct[:-1]]
    cand = np.r_[below, distinct[-1]]
    # counts of flagged positives / negatives for each candidate, via sorted cumulative sums
    order = np.argsort(score, kind="mergesort")
    s, ys = score[order], y[order]
    n_above = s.size - np.searchsorted(s, cand, side="right")
    pos_above = np.r_[np.cumsum(ys[::-1])[::-1], 0.0][s.size - n_above]
    tp = pos_above
    fp = n_above - tp
    P = y.sum()
    fn = P - tp
    tn = (y.size - P) - fp
    if metric == "f1":
        denom = 2 * tp + fp + fn
        value = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    else:
        value = (tp + tn) / y.size
    return float(cand[int(np.argmax(value))])


GRID_METRICS = ("accuracy", "precision", "recall", "f1", "fpr")  # the threshold explorer's columns


def threshold_grid(y, errors, model_threshold, steps=200):
    """The threshold explorer's table: metrics at `steps` + 1 log-spaced thresholds spanning the
    errors (models/threshold_scale.py), the step nearest the model's own threshold holding
    exactly that threshold."""
    errors = np.asarray(errors)
    scale = LogScale(errors.min(), errors.max(), steps, pad=0.05)
    model_k = scale.step(model_threshold)
    rows = []
    for k in range(steps + 1):
        thr = model_threshold if k == model_k else scale.value(k)
        m = metrics_at(y, errors, thr)
        c = m["confusion"]
        rows.append([float("%.6g" % thr)] + [round(float(m[key]), 4) for key in GRID_METRICS]
                    + [c["tp"], c["fp"], c["tn"], c["fn"]])
    return {"columns": ["threshold"] + list(GRID_METRICS) + ["tp", "fp", "tn", "fn"],
            "rows": rows, "model_step": model_k, "log_lo": scale.lo, "log_hi": scale.hi}
