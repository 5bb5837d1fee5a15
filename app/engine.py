# The engine (Pyodide, in a web worker). It owns the data and the models and answers a small
# command API built on models.experiment.Experiment. Every reply is text: dicts do not cross to
# MicroPython as dicts.
#
# Small replies are JSON objects. Replies that carry chart rows are *framed* so the UI thread can
# hand the rows to charts.js without parsing them in MicroPython:
#     <summary JSON> RS <part name> US <JSON> RS <part name> US <JSON> ...
# (RS = "\x1e", US = "\x1f"; JSON text never contains these raw control characters.)
# Each part is {"<data source>": [rows], ...} for one chart kind: recon, roc, hist, latent.
#
# Two experiments live here: "pretrained" (the model shipped in dist/, used by the introduction
# to score heartbeats people draw) and "experiment" (the one the training view trains).
import json
import sys
import time
import traceback

# "pretrained": the introduction's model (the shipped one, or a model file loaded by the user);
# "intro_base": the shipped one, kept for which test beats the introduction's gallery shows.
state = {"data": None, "experiment": None, "config": None, "pretrained": None, "intro_base": None}

RS, US = "\x1e", "\x1f"
CLASS_NAMES = {1: "Normal", 2: "R-on-T PVC", 3: "SV ectopic", 4: "PVC", 5: "Unclassified"}
LIVE_KEYS = ("threshold_rule", "threshold_percentile", "threshold", "epochs")  # applied without a rebuild


def _reply(obj):
    return json.dumps(obj, allow_nan=False)


def _framed(summary, parts):
    out = [json.dumps(summary, allow_nan=False)]
    for name, sources in parts.items():
        out.append(name + US + json.dumps(sources, allow_nan=False))
    return RS.join(out)


def safe(fn):
    """Commands never raise across the worker boundary: a failure is an {"error": ...} reply."""
    def wrapper(*args):
        try:
            return fn(*args)
        except ValueError as e:
            return _reply({"error": str(e)})
        except Exception as e:  # a bug: say so plainly, keep the details for the console
            return _reply({"error": "The engine hit an unexpected problem: %s: %s" % (type(e).__name__, e),
                           "trace": traceback.format_exc()[-2000:]})
    wrapper.__name__ = fn.__name__
    return wrapper


def _async_safe(fn):
    async def wrapper(*args):
        try:
            return await fn(*args)
        except Exception as e:
            return _reply({"error": "%s: %s" % (type(e).__name__, e)})
    wrapper.__name__ = fn.__name__
    return wrapper


# ---- start-up ------------------------------------------------------------------------------

@_async_safe
async def load_numpy():
    t = time.perf_counter()
    install = globals().get("install_numpy")  # static/engine-worker.mjs: started as Pyodide came up
    if install is not None:
        await install()
    else:
        import pyodide_js
        await pyodide_js.loadPackage("numpy")
    import numpy
    return _reply({"numpy": numpy.__version__, "ms": (time.perf_counter() - t) * 1000})


async def _fetch_ok(url):
    from pyodide.http import pyfetch
    response = await pyfetch(url)
    if not response.ok:
        raise RuntimeError("could not download " + url + " (HTTP " + str(response.status) + ")")
    return response


def preload():
    """Imports what start-up runs, for the snapshot a warm visit restores (static/snapshot-worker.mjs).
    That snapshot is made without models/fastmath.wasm: its JavaScript objects cannot be kept."""
    from data import ecg5000  # noqa: F401
    from models import experiment, links, serialize  # noqa: F401
    # Not pyodide.http: it keeps JavaScript objects a snapshot cannot hold.


@_async_safe
async def load_data(url):
    from data import ecg5000
    from models import kernels
    kernels.use("fastest")  # "wasm" (models/fastmath) when it loads; after preload()'s snapshot too
    state["data"] = ecg5000.from_bytes(await (await _fetch_ok(url)).bytes())
    return _reply({"train_beats": len(state["data"]["train_y"]), "test_beats": len(state["data"]["test_y"]),
                   "kernels": kernels.KIND})


def warm_up():
    """Let the browser compile the training path with its optimizing tier while the user reads:
    the first training run is then twice as fast. Called once after Ready."""
    from models import experiment
    experiment.warm_up()
    return _reply({"ok": True})


@_async_safe
async def load_pretrained(url):
    """The introduction's model (trained at build time) for scoring drawn heartbeats."""
    from models.experiment import Experiment
    text = await (await _fetch_ok(url)).string()
    exp = Experiment.from_json(text, state["data"])
    if exp.model.threshold is None:
        exp.evaluate()
    state["pretrained"] = state["intro_base"] = exp
    return _reply({"threshold": exp.model.threshold, "sizes": _sizes(exp)})


# ---- building and training -----------------------------------------------------------------

def _sizes(exp):
    layers = exp.model.net.layers
    return [int(layers[0].W.shape[0])] + [int(l.W.shape[1]) for l in layers]


def _info(exp):
    return {"sizes": _sizes(exp), "params": int(exp.model.net.flat.size), "epoch": exp.epoch,
            "train_beats": int(len(exp.x_train)), "val_beats": int(len(exp.x_val)),
            "test_beats": int(len(exp.x_test))}


def _config(text):
    """Settings from the UI: link text (links.encode: exact floats, which MicroPython's own
    float text is not) or a JSON object. Raises ValueError for a bad setting."""
    from models import links, settings
    if text.lstrip().startswith("{"):
        return settings.validate(json.loads(text))
    config, hide, rejected = links.decode(text)
    if rejected:
        raise ValueError(links.describe(rejected))
    return config


@safe
def configure(config_text):
    """Build a fresh experiment from settings (link or JSON text); a bad setting is an error reply."""
    from models.experiment import Experiment
    if state["data"] is None:
        return _reply({"error": "The data is not loaded yet."})
    config = _config(config_text)
    state["experiment"] = Experiment(config, state["data"])
    state["config"] = config
    return _reply({"ok": True, "config": config, "model": _info(state["experiment"])})


@safe
def set_live(config_text):
    """Apply settings that need no rebuild (threshold rule and value, epochs per run)."""
    config = _config(config_text)
    exp = state["experiment"]
    if exp is None:
        return _reply({"error": "No model yet."})
    for key in LIVE_KEYS:
        exp.config[key] = config[key]
    return _reply({"ok": True})


@safe
def train_epoch():
    """One epoch. "stopped" is "diverged" or "early_stopping" when training must stop; the UI
    decides when a run of N epochs is complete."""
    exp = state["experiment"]
    if exp is None:
        return _reply({"error": "No model yet: the engine is still starting."})
    r = exp.train_epoch()
    stopped = r.get("stopped")
    if stopped == "diverged" or (stopped == "early_stopping" and r.get("message")):
        pass
    else:
        r["stopped"] = None
    r["ms"] = float(r["ms"])
    return _reply(r)


# ---- looking at the model ------------------------------------------------------------------

def _raw(exp, scaled):
    scaler = exp.model.scaler
    return scaled * scaler.scale + scaler.shift


def _recon_rows(exp, scaled_in, scaled_out):
    import numpy as np
    a = _raw(exp, np.asarray(scaled_in, dtype=np.float32))
    b = _raw(exp, np.asarray(scaled_out, dtype=np.float32))
    b = np.nan_to_num(b, nan=0.0, posinf=1e6, neginf=-1e6)
    return [{"t": t, "input": round(float(x), 4), "output": round(float(y), 4)} for t, (x, y) in enumerate(zip(a, b))]


def _point(m):
    return [{"fpr": m["fpr"], "tpr": m["tpr"]}]


@safe
def snapshot(beat):
    """Everything the training view's charts show, for the current model (framed reply)."""
    exp = state["experiment"]
    if exp is None:
        return _reply({"error": "No model yet."})
    ev = exp.evaluate()
    beat = max(0, min(int(beat), len(exp.x_test) - 1))
    rec = exp.reconstruct(beat)
    lat = exp.latent()
    labels = ev["labels"]
    errors = ev["errors"]
    positive = [e for e in errors if e > 0]
    summary = {
        "epoch": exp.epoch, "auc": ev["auc"], "threshold": ev["threshold"],
        "threshold_rule": ev["threshold_rule"], "uses_labels": ev["uses_labels"], "metrics": ev["metrics"],
        "err_min": min(positive) if positive else 1e-6, "err_max": max(errors) if errors else 1.0,
        "beat": beat, "beat_class": CLASS_NAMES[labels[beat]], "beat_error": rec["error"],
        "latent_method": lat["method"], "latent_explained": lat["explained"], "model": _info(exp),
    }
    parts = {
        "roc": {"roc": [{"fpr": a, "tpr": b} for a, b in ev["roc"]], "roc_point": _point(ev["metrics"])},
        "hist": {"errors": [{"error": e, "cls": CLASS_NAMES[c]} for e, c in zip(errors, labels)],
                 "threshold": [{"threshold": ev["threshold"]}]},
        "latent": {"latent": [{"x": p[0], "y": p[1], "cls": CLASS_NAMES[c], "i": i}
                              for i, (p, c) in enumerate(zip(lat["points"], labels))]},
        "recon": {"recon": _recon_rows(exp, rec["input"], rec["output"])},
    }
    return _framed(summary, parts)


@safe
def beat(i):
    """One test beat of the training view's model: its reconstruction (framed reply)."""
    exp = state["experiment"]
    i = max(0, min(int(i), len(exp.x_test) - 1))
    rec = exp.reconstruct(i)
    summary = {"beat": i, "beat_class": CLASS_NAMES[int(exp.test_labels[i])], "beat_error": rec["error"]}
    return _framed(summary, {"recon": {"recon": _recon_rows(exp, rec["input"], rec["output"])}})


@safe
def metrics_at(threshold):
    """Test metrics when flagging errors above `threshold` (framed: the threshold marks)."""
    exp = state["experiment"]
    m = exp.metrics_at(float(threshold))
    return _framed({"threshold": float(threshold), "metrics": m},
                   {"roc": {"roc_point": _point(m)}, "hist": {"threshold": [{"threshold": float(threshold)}]}})


@safe
def reconstruct_drawn(values_json):
    """A heartbeat someone drew (140 values in data units) through the pretrained model."""
    exp = state["pretrained"]
    if exp is None:
        return _reply({"error": "The pretrained model is not loaded yet."})
    values = json.loads(values_json)
    rec = exp.reconstruct_signal(values)
    summary = {"recon_error": rec["error"], "threshold": exp.model.threshold}
    return _framed(summary, {"recon": {"recon": _recon_rows(exp, rec["input"], rec["output"])}})


# ---- model files ---------------------------------------------------------------------------

@safe
def export_model():
    """The training view's model as a model file (models/serialize.py's JSON format)."""
    exp = state["experiment"]
    if exp is None:
        return _reply({"error": "No model yet."})
    if exp.model.threshold is None:
        exp.evaluate()
    return exp.to_json()


def _open_model_file(text):
    """A model file -> an Experiment around it; ValueError naming what is wrong."""
    from models import serialize
    from models.experiment import Experiment
    if not isinstance(text, str):
        raise serialize.ModelFileError("model file: not text")
    model = serialize.load_model(text)
    n = int(len(state["data"]["test_x"][0]))
    if model.n_features != n:
        raise serialize.ModelFileError("model file: n_features must be %d (a heartbeat here has %d samples), got %d"
                                       % (n, n, model.n_features))
    exp = Experiment(model.config, state["data"], model=model)
    if exp.epoch >= exp.config["epochs"]:
        exp.stopped = "done"
    return exp


@safe
def load_model(text):
    """Load a model file: it becomes the training view's model and the introduction's. A bad
    file changes nothing and the reply's error says what is wrong with it."""
    from models import links
    if state["data"] is None:
        return _reply({"error": "The data is not loaded yet."})
    exp = _open_model_file(text)
    intro = _open_model_file(text)  # its own copy: training on in the training view leaves it alone
    intro.evaluate()  # its threshold under its own rule
    state["experiment"], state["config"], state["pretrained"] = exp, exp.config, intro
    return _reply({"ok": True, "link": links.encode(exp.config), "model": _info(exp),
                   "history": exp.history})


def _rule_text(config):
    rule = config["threshold_rule"]
    if rule == "percentile":
        return "the %gth percentile of its errors on validation beats" % config["threshold_percentile"]
    if rule == "manual":
        return "set by hand"
    return "the one with the %s on the test labels" % ("best F1" if rule == "best_f1" else "best accuracy")


def _threshold_grid(y, errors, model_threshold, steps=200):
    """The introduction's threshold explorer table (as app/pretrained.py builds it at build time)."""
    import math
    from models import metrics
    lo, hi = math.log10(max(errors.min(), 1e-9)), math.log10(max(errors.max(), 1e-9))
    lo, hi = lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)
    if hi <= lo:
        hi = lo + 1
    model_k = int(round((math.log10(max(model_threshold, 1e-12)) - lo) / (hi - lo) * steps))
    model_k = max(0, min(steps, model_k))
    rows = []
    for k in range(steps + 1):
        thr = 10 ** (lo + (hi - lo) * k / steps)
        if k == model_k:
            thr = model_threshold
        m = metrics.metrics_at(y, errors, thr)
        c = m["confusion"]
        rows.append([float("%.6g" % thr)] + [round(float(m[key]), 4) for key in ("accuracy", "precision", "recall", "f1", "fpr")]
                    + [c["tp"], c["fp"], c["tn"], c["fn"]])
    return {"rows": rows, "model_step": model_k}


@safe
def intro_results(indices_json):
    """The introduction's numbers for its current model (after a model file was loaded): the
    same fields as pretrained/gallery.json (errors of the gallery beats `indices`, threshold,
    metrics, threshold table) and, as the framed part "beats", pretrained/beats.json's content."""
    import numpy as np
    from models import metrics
    exp, base = state["pretrained"], state["intro_base"]
    if exp is None or base is None:
        return _reply({"error": "The pretrained model is not loaded yet."})
    data = state["data"]
    test = base.split["test"]  # the beats the gallery shows, in its order
    raw = np.asarray(data["test_x"], dtype=np.float32)[test]
    labels = np.asarray(data["test_y"])[test].astype(int)
    y = (labels != 1).astype(int)
    xs = exp.model.scaler.transform(raw).astype(np.float64)
    errors = exp.model.errors(xs)
    if exp.model.threshold is None:
        exp.evaluate()
    thr = float(exp.model.threshold)
    fpr, tpr, _ = metrics.roc_curve(y, errors)
    indices = [int(i) for i in json.loads(indices_json)]
    recon = exp.model.reconstruct(xs[indices]) * exp.model.scaler.scale + exp.model.scaler.shift
    signals = [{"in": [round(float(v), 3) for v in raw[i]], "out": [round(float(v), 3) for v in out]}
               for i, out in zip(indices, recon)]
    cfg = exp.config
    summary = {"config": cfg, "epochs": exp.epoch, "auc": metrics.auc(fpr, tpr), "threshold": thr,
               "threshold_rule": cfg["threshold_rule"], "threshold_percentile": cfg["threshold_percentile"],
               "rule_text": _rule_text(cfg), "metrics": metrics.metrics_at(y, errors, thr),
               "n_test": int(len(labels)), "n_abnormal": int(y.sum()),
               "errors": [float("%.6g" % errors[i]) for i in indices],
               "grid": _threshold_grid(y, errors, thr), "sizes": _sizes(exp)}
    beats = {"signals": signals, "threshold": thr,
             "hist": [{"error": float("%.6g" % e), "cls": CLASS_NAMES[int(c)]} for e, c in zip(errors, labels)]}
    return _framed(summary, {"beats": beats})


__export__ = ["load_numpy", "load_data", "warm_up", "load_pretrained", "configure", "set_live", "train_epoch",
              "snapshot", "beat", "metrics_at", "reconstruct_drawn", "export_model", "load_model",
              "intro_results"]
