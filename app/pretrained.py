"""The model the introduction view starts with, trained at build time in CPython.

`build.py` calls `build(data_bin_path, cache_dir, log)`. It trains the default configuration
(models.settings.defaults(), whose seed is fixed) on the same packed ECG5000 the browser loads,
and precomputes everything the introduction view shows, so the first screen needs no engine:

    pretrained/model.json    the trained model (Experiment.to_json); the engine loads it to score
                             heartbeats you draw
    pretrained/gallery.json  read by the UI thread (MicroPython): per gallery beat its class,
                             error and a sparkline path; the threshold explorer's table
    pretrained/beats.json    read by charts.js only (never parsed in MicroPython): the scaled
                             input and reconstruction of every gallery beat, and the error
                             histogram rows

Results are cached under the cache dir, keyed by a hash of models/*.py, the data and this file.
"""
import glob
import hashlib
import json
import math
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GALLERY_SIZE = 180         # beats shipped with the page (three pages of 60)
FIRST_PAGE = {1: 24, 2: 20, 3: 6, 4: 8, 5: 2}  # the first 60: every class visible at once
SPARK_W, SPARK_H = 140, 40  # sparkline viewBox
GRID_STEPS = 200           # threshold explorer: slider positions (log-spaced thresholds)
RAW_LO, RAW_HI = -5.5, 3.5  # the value range sparklines and the drawing pad show (ECG5000 units)


def _key(data_bin_path):
    h = hashlib.sha256()
    for path in sorted(glob.glob(os.path.join(ROOT, "models", "*.py"))) + [os.path.abspath(__file__),
                                                                            data_bin_path]:
        with open(path, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()[:16]


def build(data_bin_path, cache_dir, log):
    key = _key(data_bin_path)
    folder = os.path.join(cache_dir, "pretrained-" + key)
    names = ("model.json", "gallery.json", "beats.json")
    if not all(os.path.exists(os.path.join(folder, n)) for n in names):
        log("training the pretrained default model (CPython, fixed seed)")
        with open(data_bin_path, "rb") as f:
            from data import ecg5000
            dataset = ecg5000.from_bytes(f.read())
        outputs = train_and_describe(dataset)
        os.makedirs(folder + ".part", exist_ok=True)
        for name in names:
            with open(os.path.join(folder + ".part", name), "w") as f:
                f.write(outputs[name])
        if os.path.exists(folder):
            import shutil
            shutil.rmtree(folder)
        os.replace(folder + ".part", folder)
    return {"pretrained/" + n: os.path.join(folder, n) for n in names}


def _r(x, digits=4):
    return float(round(float(x), digits))


def sparkline(values, lo=RAW_LO, hi=RAW_HI):
    """An SVG path for a beat (original units): x = timestep, y downwards, in a
    SPARK_W x SPARK_H box with a 2-unit margin."""
    pts = []
    span = (hi - lo) or 1.0
    for t in range(0, len(values), 2):
        v = min(max((float(values[t]) - lo) / span, -0.1), 1.1)
        pts.append("%d %.1f" % (t, (1 - v) * (SPARK_H - 4) + 2))
    return "M" + "L".join(pts)


def gallery_order(labels):
    """Indices of test beats for the gallery: a first page showing every class, then the rest
    in file order."""
    first = []
    for cls, n in FIRST_PAGE.items():
        first += [int(i) for i in np.flatnonzero(labels == cls)[:n]]
    # interleave so neighbouring tiles differ: sort the first page by position in the file
    first.sort()
    rest = [i for i in range(len(labels)) if i not in set(first)]
    return (first + rest)[:GALLERY_SIZE]


def threshold_grid(y, errors, model_threshold):
    """Metrics at GRID_STEPS log-spaced thresholds spanning the errors (for the slider), plus the
    index of the grid point nearest the model's own threshold."""
    from models import metrics
    lo, hi = math.log10(max(errors.min(), 1e-9)), math.log10(max(errors.max(), 1e-9))
    lo, hi = lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)
    model_k = int(round((math.log10(model_threshold) - lo) / (hi - lo) * GRID_STEPS))
    model_k = max(0, min(GRID_STEPS, model_k))
    rows = []
    for k in range(GRID_STEPS + 1):
        thr = 10 ** (lo + (hi - lo) * k / GRID_STEPS)
        if k == model_k:
            thr = model_threshold  # the slider's step for the model's own threshold is exact
        m = metrics.metrics_at(y, errors, thr)
        c = m["confusion"]
        rows.append([float("%.6g" % thr), _r(m["accuracy"]), _r(m["precision"]), _r(m["recall"]),
                     _r(m["f1"]), _r(m["fpr"]), c["tp"], c["fp"], c["tn"], c["fn"]])
    return {"columns": ["threshold", "accuracy", "precision", "recall", "f1", "fpr", "tp", "fp", "tn", "fn"],
            "rows": rows, "model_step": model_k, "log_lo": lo, "log_hi": hi}


def train_and_describe(dataset):
    from data import ecg5000
    from models import settings
    from models.experiment import Experiment
    config = settings.defaults()
    exp = Experiment(config, dataset)
    last = exp.fit()
    ev = exp.evaluate()
    errors = np.asarray(ev["errors"])
    labels = np.asarray(ev["labels"])
    y = (labels != 1).astype(int)
    order = gallery_order(labels)
    scaler = exp.model.scaler
    raw_test = exp.x_test * scaler.scale + scaler.shift  # back to the units of the data files
    recon = exp.model.reconstruct(exp.x_test[order]) * scaler.scale + scaler.shift
    # the drawing pad's guide: an average normal training beat
    normal_mean = (exp.x_train * scaler.scale + scaler.shift).mean(axis=0)
    beats, signals = [], []
    for j, i in enumerate(order):
        beats.append({"i": i, "c": int(labels[i]), "e": float("%.6g" % errors[i]),
                      "p": sparkline(raw_test[i])})
        signals.append({"in": [_r(v, 3) for v in raw_test[i]], "out": [_r(v, 3) for v in recon[j]]})
    short = dict(ecg5000.CLASS_NAMES)
    short[3] = "SV ectopic"  # chart legends stay short on phones
    hist = [{"error": float("%.6g" % e), "cls": short[int(c)]} for e, c in zip(errors, labels)]
    gallery = {
        "config": config,
        "layers": [config["encoder"], config["latent"]],
        "epochs": last["epoch"],
        "auc": ev["auc"],
        "threshold": ev["threshold"],
        "threshold_rule": ev["threshold_rule"],
        "threshold_percentile": config["threshold_percentile"],
        "metrics": ev["metrics"],
        "n_test": int(len(labels)),
        "n_abnormal": int(y.sum()),
        "classes": {str(k): v for k, v in ecg5000.CLASS_NAMES.items()},
        "class_counts": {str(k): int((labels == k).sum()) for k in ecg5000.CLASS_NAMES},
        "beats": beats,
        "grid": threshold_grid(y, errors, ev["threshold"]),
        "guide": sparkline(normal_mean),
        "raw_range": [RAW_LO, RAW_HI],
        "guide_values": [_r(v, 3) for v in normal_mean],
        "spark": [SPARK_W, SPARK_H],
    }
    beats_js = {"signals": signals, "hist": hist, "threshold": ev["threshold"]}
    return {"model.json": exp.to_json(), "gallery.json": json.dumps(gallery, separators=(",", ":")),
            "beats.json": json.dumps(beats_js, separators=(",", ":"))}
