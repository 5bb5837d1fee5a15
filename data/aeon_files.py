"""Gallery datasets read from the files of the pinned aeon wheel (data/gallery.py says which).

    load(key, wheel) -> a dataset dict: "rows" (train_x, train_y, test_x, test_y, about) or
                        "series" (series, anomaly, train_end, about)

The archive's own split is kept: a classification set's TRAIN file is the training pool and its
TEST file the test set; an anomaly-archive series trains on its first part (its TRAIN file).
"""
import csv
import io
import zipfile

import numpy as np

from data import gallery, ucr_ts


def _read(z, path):
    return z.read(gallery.AEON_DATA + path).decode("utf-8")


def _labels(texts, entry, name):
    known = {str(row[0]): row[0] for row in entry["classes"]}
    unknown = sorted(set(texts) - set(known))
    if unknown:
        raise ValueError("%s: labels %s are not among the gallery's classes" % (name, unknown))
    return np.array([known[t] for t in texts], dtype=np.int64)


def _series_csv(text, name):
    rows = list(csv.reader(io.StringIO(text)))
    if rows[0] != ["timestamp", "value", "is_anomaly"]:
        raise ValueError("%s: expected the columns timestamp,value,is_anomaly, got %s" % (name, rows[0]))
    table = np.array(rows[1:], dtype=np.float64)
    if not np.array_equal(table[:, 0], np.arange(len(table))):
        raise ValueError("%s: timestamps are not 0, 1, 2, ..." % name)
    return table[:, 1].astype(np.float32), table[:, 2].astype(np.int64)


def load(key, wheel):
    entry = gallery.BY_KEY[key]
    with zipfile.ZipFile(wheel) as z:
        texts = [_read(z, path) for path in entry["files"]]
    names = [path.split("/")[-1] for path in entry["files"]]
    if entry["kind"] == "rows":
        (train_x, train_t), (test_x, test_t) = [ucr_ts.parse(t, n) for t, n in zip(texts, names)]
        if not train_x.shape[1] == test_x.shape[1] == entry["length"]:
            raise ValueError("%s: series of %d values, the gallery says %d" % (names[0], train_x.shape[1], entry["length"]))
        return {"kind": "rows", "key": key, "about": gallery.describe(key, train_x.shape[1]),
                "train_x": train_x, "train_y": _labels(train_t, entry, names[0]),
                "test_x": test_x, "test_y": _labels(test_t, entry, names[1])}
    (train, train_flags), (whole, flags) = [_series_csv(t, n) for t, n in zip(texts, names)]
    # the TEST file is the whole series; its TRAIN file is the start of it
    if not np.array_equal(whole[:len(train)], train) or train_flags.any():
        raise ValueError("%s: the TRAIN file is not the normal start of the TEST series" % names[0])
    return {"kind": "series", "key": key, "about": gallery.describe(key), "series": whole, "anomaly": flags,
            "train_end": len(train)}
