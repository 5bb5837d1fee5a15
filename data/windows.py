"""One long series cut into windows of `window` values, one every `stride` values.

A series dataset (data/gallery.py "series", or a user's file) holds the series, its anomaly flags
per point (or None: unlabelled) and `train_end`: the points before it train, in time order, like
the UCR anomaly archive's files. Every window start s = 0, stride, 2*stride, ... is cut; a window
lying wholly before train_end joins the training pool, every other window the test set, so the
two together cover the whole series (the timeline shows all of them). A window is abnormal (label
1) if it overlaps a labelled anomalous point.
"""
import numpy as np

from data import about as about_mod


class WindowError(ValueError):
    pass


def starts(n_points, window, stride):
    if window > n_points:
        raise WindowError("a window of %d values is longer than the series (%d values)" % (window, n_points))
    return np.arange(0, n_points - window + 1, stride)


def cut(series_ds, window, stride):
    """-> a rows dataset (train_x, train_y, test_x, test_y, about) plus each window's start:
    "train_start", "test_start" (indices into the series)."""
    series = np.asarray(series_ds["series"], dtype=np.float32)
    s = starts(len(series), window, stride)
    train_end = series_ds["train_end"]
    pool = s + window <= train_end
    if not pool.any():
        raise WindowError("a window of %d values does not fit in the %d training values" % (window, train_end))
    if pool.all():
        raise WindowError("every window lies in the training part: nothing is left to test")
    x = np.lib.stride_tricks.sliding_window_view(series, window)[s]
    flags = series_ds.get("anomaly")
    if flags is None:
        y = np.zeros(len(s), dtype=np.int64)
    else:
        # a window is abnormal if any of its points is: a running count answers each in O(1)
        count = np.r_[0, np.cumsum(np.asarray(flags) != 0)]
        y = (count[s + window] - count[s] > 0).astype(np.int64)
    old = series_ds["about"]
    about = about_mod.describe(old["name"], old["sample"], int(window), old["classes"], old["normal"],
                               old.get("labelled", True))
    return {"kind": "rows", "about": about,
            "train_x": np.ascontiguousarray(x[pool]), "train_y": y[pool], "train_start": s[pool],
            "test_x": np.ascontiguousarray(x[~pool]), "test_y": y[~pool], "test_start": s[~pool]}
