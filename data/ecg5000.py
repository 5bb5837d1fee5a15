"""ECG5000 (UCR archive): read, validate, and pack for the browser.

The UCR split is used the way Anomagram uses it, so results compare on the same beats:
the 4500-beat ECG5000_TEST.txt is the pool we train from, the 500-beat ECG5000_TRAIN.txt
is the test set (Anomagram's pretrained model scores AUC 0.960 on it).
"""
import hashlib
import math
import os

import numpy as np

from data import gallery

STEPS = gallery.BY_KEY["ecg5000"]["length"]  # samples per heartbeat
POOL_FILE = "ECG5000_TEST.txt"   # 4500 beats: training pool
TEST_FILE = "ECG5000_TRAIN.txt"  # 500 beats: test set
EXPECTED_ROWS = {POOL_FILE: 4500, TEST_FILE: 500}
ABOUT = gallery.describe("ecg5000", STEPS)
_CLASSES = [row[0] for row in ABOUT["classes"]]
# The introduction gallery's first page of 60 test beats: every class visible at once.
GALLERY_FIRST_PAGE = {1: 24, 2: 20, 3: 6, 4: 8, 5: 2}
# Identity of the original archive files (git blob ids, see shared/data/ecg5000/SOURCE.md).
ORIGINAL_BLOBS = {TEST_FILE: "7f0d711c984c79616e09a430dbd2c5d89fed2416",
                  POOL_FILE: "305ae1c597012624060310dbc529484767b2b2e3"}


class DataError(ValueError):
    """A data file is not what we need; the message says which file, which line and why."""


def parse_ucr(text, name="<text>", expected_rows=None):
    """Parse UCR text (label then 140 values per line) into float32 beats and int labels."""
    rows, labels = [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != STEPS + 1:
            raise DataError(f"{name}, line {lineno}: expected {STEPS + 1} columns (label + {STEPS} samples), "
                            f"found {len(fields)}")
        try:
            values = [float(f) for f in fields]
        except ValueError:
            bad = next(f for f in fields if not _is_float(f))
            raise DataError(f"{name}, line {lineno}: '{bad[:20]}' is not a number") from None
        label = values[0]
        if label not in _CLASSES:
            raise DataError(f"{name}, line {lineno}: label {fields[0]} is not a class 1..5")
        if not all(math.isfinite(v) for v in values[1:]):
            col = next(i for i, v in enumerate(values[1:], 2) if not math.isfinite(v))
            raise DataError(f"{name}, line {lineno}, column {col}: value {fields[col - 1]} is not finite")
        labels.append(int(label))
        rows.append(values[1:])
    if not rows:
        raise DataError(f"{name}: no heartbeats found (empty file)")
    if expected_rows is not None and len(rows) != expected_rows:
        raise DataError(f"{name}: expected {expected_rows} heartbeats, found {len(rows)} (truncated or wrong file?)")
    return np.asarray(rows, dtype=np.float32), np.asarray(labels, dtype=np.int64)


def _is_float(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def load_ucr(path, expected_rows=None):
    with open(path, encoding="ascii", errors="replace") as f:
        return parse_ucr(f.read(), os.path.basename(path), expected_rows)


def load_folder(folder):
    """Both ECG5000 files from a folder -> dict(train_x, train_y, test_x, test_y, about)."""
    out = {"about": ABOUT, "kind": "rows", "key": "ecg5000"}
    for key, name in (("train", POOL_FILE), ("test", TEST_FILE)):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            raise DataError(f"{path}: file not found (need {POOL_FILE} and {TEST_FILE} in {folder})")
        out[key + "_x"], out[key + "_y"] = load_ucr(path, EXPECTED_ROWS[name])
    return out


def git_blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
