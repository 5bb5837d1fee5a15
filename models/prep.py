"""Which beats train, validate and test; and the scaler fitted on the training beats only."""
import numpy as np



def is_anomaly(labels, about):
    """1 where a label is not one of the dataset's normal classes (data/about.py), else 0."""
    return (~np.isin(np.asarray(labels), about["normal"])).astype(int)


def split(dataset, config, rng):
    """Indices for train / validation (into the pool) and test (into the test set).

    Training: at most `train_size` pool samples, `abnormal_pct` % of them anomalies
    (contamination); a dataset with fewer uses all it can at that share.
    Validation: `validation_pct` % carved out of those training samples, never from the test set.
    Test: at most `test_size` samples of the test set, kept in its order (all of them by default).
    """
    about = dataset["about"]
    anomaly = is_anomaly(dataset["train_y"], about)
    normal = np.flatnonzero(anomaly == 0)
    abnormal = np.flatnonzero(anomaly)
    n, share = config["train_size"], config["abnormal_pct"] / 100.0
    if share > 0 and abnormal.size == 0:
        raise ValueError("abnormal_pct is %s%%, but the training data has no labelled anomalies to mix in"
                         % config["abnormal_pct"] if about.get("labelled", True) else
                         "abnormal_pct must be 0: the data has no labels, so no sample is known to be abnormal")
    if normal.size == 0:
        raise ValueError("the training data has no samples of the normal class%s %s"
                         % ("es" if len(about["normal"]) > 1 else "", ", ".join(map(str, about["normal"]))))
    n = min(n, int(normal.size / (1 - share)), int(abnormal.size / share) if share > 0 else n)
    n_abn = min(int(round(n * share)), abnormal.size)
    n_norm = min(n - n_abn, normal.size)
    n = n_norm + n_abn
    chosen = np.r_[rng.permutation(normal)[:n_norm], rng.permutation(abnormal)[:n_abn]]
    chosen = rng.permutation(chosen)  # mix, so validation gets its share of anomalies
    n_val = int(round(n * config["validation_pct"] / 100.0))
    n_val = min(n_val, n - 1)  # keep at least one training sample
    n_test_all = len(dataset["test_y"])
    m = min(config["test_size"], n_test_all)
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
