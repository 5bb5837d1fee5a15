"""Which beats train, validate and test; and the scaler fitted on the training beats only."""
import numpy as np



def is_anomaly(labels, about):
    """1 where a label is not one of the dataset's normal classes (data/about.py), else 0."""
    return (~np.isin(np.asarray(labels), about["normal"])).astype(int)


def split(dataset, config, rng):
    """Indices for train / validation (into the pool) and test (into the test file).

    Training: `train_size` pool beats, `abnormal_pct` % of them anomalies (contamination).
    Validation: `validation_pct` % carved out of those training beats, never from the test set.
    Test: `test_size` beats of the test file, kept in file order (all of them by default).
    """
    anomaly = is_anomaly(dataset["train_y"], dataset["about"])
    normal = np.flatnonzero(anomaly == 0)
    abnormal = np.flatnonzero(anomaly)
    n = config["train_size"]
    n_abn = int(round(n * config["abnormal_pct"] / 100.0))
    n_norm = n - n_abn
    if n_norm > normal.size or n_abn > abnormal.size:
        raise ValueError("train_size %d with abnormal_pct %s needs %d normal and %d abnormal beats; "
                         "the data has %d and %d" % (n, config["abnormal_pct"], n_norm, n_abn,
                                                     normal.size, abnormal.size))
    chosen = np.r_[rng.permutation(normal)[:n_norm], rng.permutation(abnormal)[:n_abn]]
    chosen = rng.permutation(chosen)  # mix, so validation gets its share of anomalies
    n_val = int(round(n * config["validation_pct"] / 100.0))
    n_val = min(n_val, n - 1)  # keep at least one training beat
    n_test_all = len(dataset["test_y"])
    m = config["test_size"]
    if m > n_test_all:
        raise ValueError("test_size %d is larger than the %d test beats" % (m, n_test_all))
    test = np.arange(n_test_all) if m == n_test_all else np.sort(rng.choice(n_test_all, m, replace=False))
    return {"train": chosen[n_val:], "val": chosen[:n_val], "test": test}


class Scaler:
    """Per-timestep affine scaling x' = (x - shift) / scale.
    minmax: shift = min, scale = max - min; zscore: shift = mean, scale = std.
    A constant timestep gets scale 1 (avoids dividing by zero)."""

    def __init__(self, kind, shift, scale):
        self.kind = kind
        self.shift = np.asarray(shift, dtype=np.float32)
        self.scale = np.asarray(scale, dtype=np.float32)

    @classmethod
    def fit(cls, kind, x):
        x = np.asarray(x, dtype=np.float64)
        if kind == "minmax":
            shift, scale = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
        elif kind == "zscore":
            shift, scale = x.mean(axis=0), x.std(axis=0)
        else:
            raise ValueError("scaling must be minmax or zscore, got %r" % kind)
        scale = np.where(scale > 0, scale, 1.0)
        return cls(kind, shift, scale)

    def transform(self, x):
        return ((np.asarray(x, dtype=np.float32) - self.shift) / self.scale).astype(np.float32, copy=False)

    def to_dict(self):
        return {"kind": self.kind, "shift": _floats(self.shift), "scale": _floats(self.scale)}


def _floats(a):
    """float32 array -> list of Python floats with the shortest text that round-trips."""
    return [float(str(v)) for v in np.asarray(a, dtype=np.float32).ravel()]
