"""The model the introduction view starts with, trained at build time in CPython.

`build.py` calls `build(data_bin_path, cache_dir, log)`. It trains the default configuration
(models.settings.defaults(), whose seed is fixed) on the same packed ECG5000 the browser loads,
and precomputes everything the introduction view shows, so the first screen needs no engine:

    pretrained/model.json    the trained model (Experiment.to_json); the engine loads it to score
                             heartbeats you draw
    pretrained/gallery.json  read by the UI thread (MicroPython): per gallery beat its class,
                             error, a sparkline path and where its error is (a sentence); the
                             threshold explorer's table
    pretrained/beats.json    read by charts.js only (never parsed in MicroPython): the input and
                             reconstruction of every gallery beat (in the data's units), each
                             step's error and the stretch the sentence names, and the error
                             histogram rows

Results are cached under the cache dir, keyed by a hash of models/*.py, the data and this file.
"""
import glob
import hashlib
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GALLERY_SIZE = 180         # beats shipped with the page (three pages of 60)
SPARK_H = 40               # sparkline viewBox height; its width is the sample's length (x = time step)
RAW_LO, RAW_HI = -5.5, 3.5  # the value range sparklines and the drawing pad show (ECG5000 units)


def _key(data_bin_path):
    h = hashlib.sha256()
    code = glob.glob(os.path.join(ROOT, "models", "*.py")) + glob.glob(os.path.join(ROOT, "data", "*.py"))
    for path in sorted(code) + [os.path.abspath(__file__), data_bin_path]:
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
            from data import pack
            dataset = pack.from_bytes(f.read())
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


def sparkline(values, lo=RAW_LO, hi=RAW_HI):
    """An SVG path for a beat (original units): x = timestep, y downwards, in a
    len(values) x SPARK_H box with a 2-unit margin."""
    pts = []
    span = (hi - lo) or 1.0
    for t in range(0, len(values), 2):
        v = min(max((float(values[t]) - lo) / span, -0.1), 1.1)
        pts.append("%d %.1f" % (t, (1 - v) * (SPARK_H - 4) + 2))
    return "M" + "L".join(pts)


def gallery_order(labels, first_page):
    """Indices of test beats for the gallery: a first page showing every class ({label: how many},
    from the data layer), then the rest in file order."""
    first = []
    for cls, n in first_page.items():
        first += [int(i) for i in np.flatnonzero(labels == cls)[:n]]
    # interleave so neighbouring tiles differ: sort the first page by position in the file
    first.sort()
    rest = [i for i in range(len(labels)) if i not in set(first)]
    return (first + rest)[:GALLERY_SIZE]


def train_and_describe(dataset):
    from data import about, ecg5000
    from models import error_strip, metrics, prep, settings
    from models.experiment import Experiment
    config = settings.defaults()
    exp = Experiment(config, dataset)
    last = exp.fit()
    ev = exp.evaluate()
    errors = np.asarray(ev["errors"])
    labels = np.asarray(ev["labels"])
    info = dataset["about"]
    y = prep.is_anomaly(labels, info)
    order = gallery_order(labels, ecg5000.GALLERY_FIRST_PAGE)
    scaler = exp.model.scaler
    raw_test = exp.x_test * scaler.scale + scaler.shift  # back to the units of the data files
    signals, wheres = error_strip.stored_signals(exp.model, raw_test[order], exp.x_test[order], info["sample"])
    # the drawing pad's guide: an average normal training beat
    normal_mean = (exp.x_train * scaler.scale + scaler.shift).mean(axis=0)
    beats = []
    for j, i in enumerate(order):
        beats.append({"i": i, "c": int(labels[i]), "e": float("%.6g" % errors[i]),
                      "p": sparkline(raw_test[i]), "w": wheres[j]})
    hist = [{"error": float("%.6g" % e), "cls": about.class_name(info, int(c), short=True)}
            for e, c in zip(errors, labels)]
    gallery = {
        "config": config,
        "epochs": last["epoch"],
        "sizes": [exp.model.n_features] + [int(layer.W.shape[1]) for layer in exp.model.net.layers],
        "auc": ev["auc"],
        "threshold": ev["threshold"],
        "metrics": ev["metrics"],
        "n_test": int(len(labels)),
        "n_abnormal": int(y.sum()),
        "about": info,
        "beats": beats,
        "grid": metrics.threshold_grid(y, errors, ev["threshold"]),
        "guide": sparkline(normal_mean),
        "raw_range": [RAW_LO, RAW_HI],
        "spark": [info["length"], SPARK_H],
    }
    beats_js = {"signals": signals, "hist": hist, "threshold": ev["threshold"]}
    return {"model.json": exp.to_json(), "gallery.json": json.dumps(gallery, separators=(",", ":")),
            "beats.json": json.dumps(beats_js, separators=(",", ":"))}
