"""Speed benchmark:  python -m models.bench

Time to train 20 epochs over 2600 float32 rows shaped like ECG5000's beats (float64 arithmetic, see
models/nn.py) at batch 256 for the n-15-7-2-7-15-n autoencoder with Adam, through the same Experiment code the app
uses (per-epoch bookkeeping included); median of 5 runs. Synthetic rows, so no data
files are needed (speed does not depend on the values).
"""
import statistics
import time

import numpy as np

from data import ecg5000
from data.about import describe
from models import kernels
from models.experiment import Experiment

# Spelled out in full (not left to defaults) because the TensorFlow.js reference in
# `python build.py bench` must match it: ReLU everywhere but a sigmoid output, TF.js's Adam.
CONFIG = {"encoder": [15, 7], "latent": 2, "activation": "relu", "output_activation": "sigmoid",
          "init": "glorot_uniform", "optimizer": "adam", "learning_rate": 0.01, "beta1": 0.9,
          "beta2": 0.999, "epsilon": 1e-7, "epochs": 20, "batch_size": 256,
          "train_size": 2600, "validation_pct": 0.0, "abnormal_pct": 0.0}


def synthetic(n=2600, steps=ecg5000.STEPS, seed=0):
    """Random rows shaped like ECG5000's (the TensorFlow.js reference trains on the same shape),
    every one of them of the one normal class."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n + 500, steps)).astype(np.float32)
    y = np.zeros(n + 500, dtype=int)
    about = describe("synthetic", "row", steps, [[0, "Normal", "Normal"], [1, "Anomaly", "Anomaly"]], normal=[0])
    return {"train_x": x[:n], "train_y": y[:n], "test_x": x[n:], "test_y": y[n:], "about": about}


def run_once(dataset, seed):
    exp = Experiment(dict(CONFIG, seed=seed), dataset)
    t0 = time.perf_counter()
    exp.fit()
    return time.perf_counter() - t0


def evaluate_time(dataset, calls=10):
    """Seconds per Experiment.evaluate() (test errors, threshold, ROC and metrics: what the training
    view's charts show after each epoch) for the default experiment, trained: the mean of `calls`."""
    exp = Experiment({}, dataset)
    exp.fit()
    exp.evaluate()
    t0 = time.perf_counter()
    for _ in range(calls):
        exp.evaluate()
    return (time.perf_counter() - t0) / calls


def main(runs=5):
    dataset = synthetic()
    times = [run_once(dataset, seed) for seed in range(runs)]
    n = ecg5000.STEPS
    print("train 20 epochs, 2600x%d (float32 data, float64 arithmetic), batch 256, %d-15-7-2-7-15-%d, adam: "
          "median %.3f s (runs %s; %s kernels)"
          % (n, n, n, statistics.median(times), ", ".join("%.3f" % t for t in times), kernels.KIND))


if __name__ == "__main__":
    main()
