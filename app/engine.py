# The engine (Pyodide, in a web worker). It owns the data and the models and answers the
# commands of app/protocol.py, which names each one, its arguments and its reply's shape.
#
# Two experiments live here: "experiment" (the one the training view trains) and "intro" (the
# introduction's model, which scores samples people draw: the shipped pretrained one, or a
# model file loaded by the user); "intro_base" is the shipped one, kept for which test samples
# the introduction's gallery shows.
import json
import time
import traceback

from app import protocol

# "data" is the dataset the training view's model works on; "datasets" every one loaded, by its
# gallery key (data/gallery.py), and "intro_data" ECG5000, which the introduction's model scores.
# "file" is the user's own file, once opened: {"name", "sha256", "blob", "options", "parsed", "dataset"}.
state = {"data": None, "datasets": {}, "site": None, "intro_data": None, "file": None, "inspected": None,
         "experiment": None, "intro": None, "intro_base": None}


class NotReady(ValueError):
    """A command came before what it works on exists (the data, a model)."""


def _reply(obj):
    return json.dumps(obj, allow_nan=False)


def _framed(summary, parts):
    return protocol.frame(_reply(summary), [(name, _reply(rows)) for name, rows in parts.items()])


def _failure(e):
    """A command's failure as its reply: a ValueError (the input's fault) or an OSError (a download
    that failed) says what is wrong; anything else is a bug, said plainly with its details kept for
    the console."""
    if isinstance(e, (ValueError, OSError)):
        return _reply({"error": str(e)})
    return _reply({"error": "The engine hit an unexpected problem: %s: %s" % (type(e).__name__, e),
                   "trace": traceback.format_exc()[-2000:]})


def command(fn):
    """Commands never raise across the worker boundary: a failure is an {"error": ...} reply."""
    def wrapper(*args):
        try:
            return fn(*args)
        except Exception as e:
            return _failure(e)
    wrapper.__name__, wrapper.__wrapped__ = fn.__name__, fn
    return wrapper


def async_command(fn):
    """command() for a coroutine (start-up commands that download)."""
    async def wrapper(*args):
        try:
            return await fn(*args)
        except Exception as e:
            return _failure(e)
    wrapper.__name__, wrapper.__wrapped__ = fn.__name__, fn
    return wrapper


def _data():
    if state["data"] is None:
        raise NotReady("The data is not loaded yet.")
    return state["data"]


def _experiment():
    if state["experiment"] is None:
        raise NotReady("No model yet: the engine is still starting.")
    return state["experiment"]


def _intro():
    if state["intro"] is None:
        raise NotReady("The pretrained model is not loaded yet.")
    return state["intro"]


# ---- start-up ------------------------------------------------------------------------------

@async_command
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


@async_command
async def load_baselines():
    """scikit-learn and what it needs, on first use only: _load_baselines."""
    return _reply(await _load_baselines())


@async_command
async def prepare_baselines(step):
    """Loads scikit-learn ahead of Compare, on a visit where it is already in the offline cache
    (Compare was used before on this device): the page asks for it while it is idle
    (app/ui_compare.py), so that a Compare takes the detectors' own time, without the ~2 s of
    installing and importing scikit-learn. Step "load" installs and imports scikit-learn, or does
    nothing when it is not cached (a first Compare's download stays the user's choice); step
    "detectors" imports the five detectors' modules."""
    t = time.perf_counter()
    if step == "detectors":
        import sklearn  # noqa: F401  (step "load" first: a plain error, not a download, if it was not)
        from models import baselines
        baselines.import_sklearn()
        return _reply({"ok": True, "cached": True, "ms": (time.perf_counter() - t) * 1000})
    if step != "load":
        raise ValueError("prepare_baselines: no step %r" % step)
    try:
        import sklearn  # noqa: F401,F811
        return _reply({"ok": True, "cached": True, "ms": 0.0})
    except ImportError:
        pass
    cached = globals().get("baselines_cached")  # static/engine-worker.mjs; not in CPython
    if cached is None or not await cached():
        return _reply({"ok": False, "cached": False, "ms": (time.perf_counter() - t) * 1000})
    return _reply(dict(await _load_baselines(), cached=True))


async def _load_baselines():
    """scikit-learn and what it needs (scipy, joblib, threadpoolctl, openblas), on first use only
    (never on a first visit: builder/dist.py keeps their files lazy): installed by the worker's fast
    path (static/pyodide-fast-paths.mjs installPackages) when it runs, else by pyodide.loadPackage.
    Each file is checked against the sha256 of Pyodide's lock; a failed or tampered download is
    said, and the rest of the app works on. (No progress messages: the page's progress events
    belong to training epochs, which may run meanwhile; the page shows an indeterminate bar.)"""
    t = time.perf_counter()
    try:
        import sklearn  # noqa: F401  (loaded before; always in CPython)
        return {"ok": True, "ms": 0.0, "loaded": []}
    except ImportError:
        pass
    from pyodide.ffi import to_js
    problems, loaded = [], []
    install = globals().get("install_packages")  # static/engine-worker.mjs, with its fast paths
    if install is not None:
        try:
            loaded = list((await install(to_js(["scikit-learn"]))).to_py())
        except Exception as e:  # a failed or tampered download: said below; nothing was installed
            problems.append(str(e).removeprefix("Error: "))
    else:
        await _load_package("scikit-learn", loaded, problems)
    try:
        import sklearn  # noqa: F401,F811
    except ImportError as e:
        missing = [p for p in ("scikit-learn", "scipy", "joblib", "threadpoolctl", "openblas") if p not in loaded]
        raise OSError("scikit-learn could not be loaded (%s; not loaded: %s)"
                      % ("; ".join(problems[-3:]) or e, ", ".join(missing))) from None
    return {"ok": True, "ms": (time.perf_counter() - t) * 1000, "loaded": loaded}


async def _load_package(name, loaded, problems):
    """pyodide.loadPackage(name), adding the packages it loaded to `loaded` and what it reported
    wrong to `problems`."""
    import pyodide_js
    from pyodide.ffi import create_proxy, to_js

    def on_message(text):
        text = str(text)
        if text.startswith("Loaded "):
            loaded.extend(package.strip() for package in text[len("Loaded "):].split(","))

    def on_error(text):
        text = str(text).strip()
        if text and not text.endswith(":"):  # Pyodide says "The following error occurred…:" first
            problems.append(text)
    callbacks = [create_proxy(on_message), create_proxy(on_error)]
    try:
        await pyodide_js.loadPackage(to_js([name]), to_js(
            {"messageCallback": callbacks[0], "errorCallback": callbacks[1]}, dict_converter=_js_object))
    except Exception as e:  # a rejected load: said by the caller, with what Pyodide reported
        problems.append(str(e))
    finally:
        for c in callbacks:
            c.destroy()


def _js_object(pairs):
    from js import Object
    return Object.fromEntries(pairs)


async def download(url):
    """A file's bytes (tests running the engine in CPython put a reader of local files here)."""
    from pyodide.http import pyfetch
    response = await pyfetch(url)
    if not response.ok:
        raise ConnectionError("could not download " + url + " (HTTP " + str(response.status) + ")")
    return await response.bytes()


def preload():
    """Imports what start-up runs, for the snapshot a warm visit restores (static/snapshot-worker.mjs).
    That snapshot is made without models/fastmath.wasm: its JavaScript objects cannot be kept."""
    from data import about, ecg5000, pack, windows  # noqa: F401
    from models import experiment, links, serialize, thinning  # noqa: F401
    # Not pyodide.http: it keeps JavaScript objects a snapshot cannot hold.


@async_command
async def load_data(url):
    """The default dataset (ECG5000): the introduction's, and the training view's until the
    settings name another (configure loads it beside this one's url)."""
    from data import pack
    from models import kernels
    kernels.use("fastest")  # "wasm" (models/fastmath) when it loads; after preload()'s snapshot too
    data = pack.from_bytes(await download(url))
    state["site"] = url.rsplit("/", 2)[0] + "/"  # <site>/data/ecg5000.bin: the others lie beside it
    state["datasets"][data["key"]] = state["data"] = state["intro_data"] = data
    return _reply({"train_samples": len(data["train_y"]), "test_samples": len(data["test_y"]),
                   "kernels": kernels.KIND, "about": data["about"]})


async def _dataset(key, config=None):
    """A gallery dataset by key, downloaded the first time (data/gallery.py); "file": the user's
    open file, read as `config`'s file settings say."""
    from data import gallery, pack
    if state["site"] is None:
        raise NotReady("The data is not loaded yet.")
    if key == gallery.FILE:
        return _file_dataset(config)
    if key not in state["datasets"]:
        if key not in gallery.BY_KEY:
            raise ValueError("there is no dataset %r in the gallery" % key)
        state["datasets"][key] = pack.from_bytes(await download(state["site"] + gallery.data_path(key)))
    return state["datasets"][key]


@command
def warm_up():
    """Let the browser compile the training path with its optimizing tier while the user reads:
    the first training run is then twice as fast. Called once after Ready."""
    from models import experiment
    experiment.warm_up(_data()["about"]["length"])
    return _reply({"ok": True})


@async_command
async def load_pretrained(url):
    """The introduction's model (trained at build time) for scoring drawn samples."""
    from models.experiment import Experiment
    text = (await download(url)).decode("utf-8")
    exp = Experiment.from_json(text, state["intro_data"])
    if exp.model.threshold is None:
        exp.evaluate()
    state["intro"] = state["intro_base"] = exp
    return _reply({"threshold": exp.model.threshold, "sizes": _sizes(exp)})


# ---- your own file -------------------------------------------------------------------------

def _bytes(blob):
    """A file's bytes: a JavaScript Uint8Array in the browser (copied once), bytes in CPython."""
    return blob if isinstance(blob, (bytes, bytearray)) else blob.to_bytes()


@command
def inspect_file(name, blob, chosen_json):
    """Read a user's file (data/user_file.py) with the options chosen so far (file settings, JSON;
    the rest detected; with "file_sha256" it must be that file; blob None: the file read last) and keep it, without training: the preview says what was read, and
    "settings" are the file settings a link to it holds. A bad file changes nothing."""
    from data import file_settings, user_file
    if blob is None:  # the file read last, with other options
        kept = state["inspected"] or state["file"]
        if kept is None:
            raise NotReady("No file was read yet.")
        name, blob = kept["name"], kept["blob"]
    blob = _bytes(blob)
    chosen = json.loads(chosen_json)
    expected = chosen.pop("file_sha256", None)  # a link's file: checked before it is read
    if expected and file_settings.sha256(blob) != expected:
        raise ValueError("%s is not the file this link names (%s): its sha256 differs"
                         % (name, chosen.pop("file_name", None) or "no name"))
    chosen.pop("file_name", None)
    parsed = user_file.parse(blob, str(name), file_settings.partial_options(chosen))
    preview = user_file.preview(parsed)
    step = preview.pop("step")
    if parsed["kind"] == "rows":
        labels = parsed["labels"] or [None] * len(preview["samples"])
        lines = [("row %d" % (k + 1) if label is None else "row %d (%s)" % (k + 1, label[:30]), values)
                 for k, (label, values) in enumerate(zip(labels, preview.pop("samples")))]
    else:
        head = preview.pop("head")
        lines = [("the first %d points" % min(len(parsed["values"]), len(head) * step), head)]
    rows = [{"sample": line, "t": i * step, "value": v} for line, values in lines for i, v in enumerate(values)]
    found = file_settings.to_settings(parsed["options"], str(name), blob)
    # kept apart from the file in use until the settings name it (a Reset meanwhile keeps the old one)
    state["inspected"] = {"name": str(name), "sha256": found["file_sha256"], "blob": blob,
                          "options": parsed["options"], "parsed": parsed, "dataset": None}
    return _framed({"ok": True, "name": str(name), "bytes": len(blob), "settings": found, "preview": preview},
                   {"preview": {"samples": rows}})


def _file_dataset(config):
    from data import file_settings, user_file
    new = state.get("inspected")
    if new is not None and config is not None and config["file_sha256"] == new["sha256"]:
        state["file"], state["inspected"] = new, None
    f = state["file"]
    if f is None:
        raise NotReady("No file is open: choose your file to train on it.")
    if config is not None and config["file_sha256"] and config["file_sha256"] != f["sha256"]:
        raise ValueError("these settings are for the file %s (sha256 %s…), but the open file is %s (sha256 %s…): "
                         "not the same file" % (config["file_name"], config["file_sha256"][:12], f["name"], f["sha256"][:12]))
    if config is not None:
        options = file_settings.to_options(config)
        if options != f["options"]:  # read again, the way the settings say
            parsed = user_file.parse(f["blob"], f["name"], options)
            f.update(parsed=parsed, options=parsed["options"], dataset=None)
    if f["dataset"] is None:
        f["dataset"] = dict(user_file.to_dataset(f["parsed"], f["name"]), key="file")
    return f["dataset"]


# ---- building and training -----------------------------------------------------------------

def _sizes(exp):
    layers = exp.model.net.layers
    return [int(layers[0].W.shape[0])] + [int(l.W.shape[1]) for l in layers]


def _info(exp):
    return {"sizes": _sizes(exp), "params": int(exp.model.net.flat.size), "epoch": exp.epoch,
            "train_samples": int(len(exp.x_train)), "val_samples": int(len(exp.x_val)),
            "test_samples": int(len(exp.x_test)), "about": exp.about}


def _settings(text):
    """Settings from the UI as link text (links.encode: exact floats, which MicroPython's own
    float text is not). Raises ValueError for a bad setting."""
    from models import links
    config, hide, rejected = links.decode(text)
    if rejected:
        raise ValueError(links.describe(rejected))
    return config


@async_command
async def configure(settings_link):
    """Build a fresh experiment from settings, on their dataset (downloaded the first time it is
    used); a bad setting is an error reply, and changes nothing."""
    from models.experiment import Experiment
    config = _settings(settings_link)
    data = await _dataset(config["dataset"], config)
    exp = Experiment(config, data)
    state["experiment"], state["data"] = exp, data
    return _reply({"ok": True, "config": exp.config, "model": _info(exp)})


@command
def set_live(settings_link):
    """Apply settings that need no rebuild (protocol.LIVE_KEYS)."""
    config = _settings(settings_link)
    exp = _experiment()
    for key in protocol.LIVE_KEYS:
        exp.config[key] = config[key]
    return _reply({"ok": True})


PROGRESS_EVERY_S = 0.25


def _progress_reporter(post):
    """An on_step for Experiment.train_epoch that tells the page how far a long epoch has got
    (at most every PROGRESS_EVERY_S: a short epoch says nothing)."""
    last = [time.perf_counter()]

    def on_step(step):
        now = time.perf_counter()
        if now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            post(step["step"], step["steps"])
    return on_step


@command
def train_epoch():
    """One epoch. "stopped" is "diverged" or "early_stopping" when training must stop; the UI
    decides when a run of `epochs` epochs is complete."""
    post = globals().get("post_progress")  # static/engine-worker.mjs: a message to the page
    return _reply(_experiment().train_epoch(on_step=_progress_reporter(post) if post else None))


# ---- looking at the model ------------------------------------------------------------------

def _recon(exp, rec, first_step=0):
    from models import error_strip
    return error_strip.reconstruction_chart(exp, rec, first_step)


def _first_step(exp, i):
    from data import samples
    return samples.first_step(state["data"], exp.config, exp.split["test"][i])


def _point(m):
    return [{"fpr": m["fpr"], "tpr": m["tpr"]}]


def _class(exp, label):
    from data import about
    return about.class_name(exp.about, int(label), short=True)


def _sample_index(exp, i):
    return max(0, min(int(i), len(exp.x_test) - 1))


@command
def training_view(sample):
    """Everything the training view's charts show for the current model, with test sample
    `sample` selected (framed reply)."""
    exp = _experiment()
    ev = exp.evaluate()
    i = _sample_index(exp, sample)
    rec = exp.reconstruct(i)
    lat = exp.latent()
    labels = ev["labels"]
    errors = ev["errors"]
    positive = [e for e in errors if e > 0]
    summary = {
        "epoch": exp.epoch, "auc": ev["auc"], "threshold": ev["threshold"],
        "threshold_rule": ev["threshold_rule"], "uses_labels": ev["uses_labels"], "metrics": ev["metrics"],
        "err_min": min(positive) if positive else 1e-6, "err_max": max(errors) if errors else 1.0,
        "sample": i, "sample_class": _class(exp, labels[i]), "sample_error": rec["error"],
        "latent_method": lat["method"], "latent_explained": lat["explained"], "model": _info(exp),
    }
    summary["sample_where"], recon = _recon(exp, rec, _first_step(exp, i))
    parts = {
        "roc": {"roc": [{"fpr": a, "tpr": b, "threshold": t} for (a, b), t in zip(ev["roc"], ev["roc_thresholds"])],
                "roc_point": _point(ev["metrics"])},
        "hist": {"errors": [{"error": e, "cls": _class(exp, c), "i": k} for k, (e, c) in enumerate(zip(errors, labels))],
                 "threshold": [{"threshold": ev["threshold"]}]},
        "latent": {"latent": [{"x": p[0], "y": p[1], "cls": _class(exp, c), "i": k, "error": e}
                              for k, (p, c, e) in enumerate(zip(lat["points"], labels, errors))]},
        "recon": recon,
    }
    summary["timeline"], charts = _timeline(exp, ev)
    parts.update(charts)
    return _framed(summary, parts)


GALLERY_PAGE = 60  # tiles of the training view's gallery per reply


@command
def select_samples(selection_json, offset):
    """The test samples a selection in the charts picks (models/selection.py): how many, what it is
    in words (summary), and the gallery's tiles for indices[offset:offset + GALLERY_PAGE] with every
    index (framed part "tiles", which the page draws without parsing it in MicroPython)."""
    import numpy as np
    from models import selection
    exp = _experiment()
    sel = selection.parse(selection_json)
    errors = exp.test_errors()
    threshold, _ = exp.choose_threshold(errors)
    if sel["kind"] == "cell" and not exp.about.get("labelled", True):
        raise ValueError("the confusion matrix needs labels, and these samples have none")
    points = exp.latent()["points"] if sel["kind"] == "latent" else None
    picked = selection.indices(sel, errors, exp.y_test, threshold, points)
    start = max(0, int(offset))
    lo, hi = (float(v) for v in np.percentile(exp.x_test, [0.5, 99.5]))  # an outlier flattens no tile
    width = exp.x_test.shape[1]
    tiles = [{"i": i, "cls": _class(exp, exp.test_labels[i]), "e": float(errors[i]), "flagged": bool(errors[i] > threshold),
              "p": selection.sparkline(exp.x_test[i], lo, hi, width)} for i in picked[start:start + GALLERY_PAGE]]
    return _framed({"count": len(picked), "total": len(errors), "what": selection.describe(sel), "offset": start,
                    "epoch": exp.epoch,
                    "spark": [width, 40]}, {"tiles": {"tiles": tiles, "indices": picked}})


def _windows(exp):
    """A long series' windows the experiment works on, or None for a dataset of samples."""
    from data import samples
    data = state["data"]
    return samples.for_config(data, exp.config) if data.get("kind") == "series" else None


def _timeline(exp, ev):
    """A long series' timeline (models/timeline.py): None and empty parts for a dataset of samples."""
    from models import timeline
    rows = _windows(exp)
    if rows is None:
        return None, {"timeline": {}, "timeline_errors": {}}
    return timeline.timeline(exp, state["data"], rows, ev["errors"])


@command
def test_sample(sample):
    """One test sample of the training view's model: its reconstruction (framed reply)."""
    exp = _experiment()
    i = _sample_index(exp, sample)
    rec = exp.reconstruct(i)
    where, recon = _recon(exp, rec, _first_step(exp, i))
    summary = {"sample": i, "sample_class": _class(exp, exp.test_labels[i]), "sample_error": rec["error"],
               "sample_where": where, "verdicts": _verdicts(exp, i)}
    return _framed(summary, {"recon": recon})


@command
def metrics_at(threshold):
    """Test metrics when flagging errors above `threshold` (framed: the threshold marks)."""
    from models import timeline
    exp = _experiment()
    m = exp.metrics_at(float(threshold))
    parts = {"roc": {"roc_point": _point(m)}, "hist": {"threshold": [{"threshold": float(threshold)}]},
             "timeline": {}, "timeline_errors": {}}
    rows = _windows(exp)
    if rows is not None:  # the stretches the new threshold flags
        flagged = timeline.flagged_stretches(exp, rows, exp.test_errors(), float(threshold))
        parts["timeline"] = {"flagged": [{"t0": a, "t1": b} for a, b in flagged]}
        parts["timeline_errors"] = {"threshold": [{"threshold": float(threshold)}]}
    return _framed({"threshold": float(threshold), "metrics": m}, parts)


@command
def reconstruct_drawn(values_json):
    """A sample someone drew (one value per time step, in data units) through the introduction's model."""
    exp = _intro()
    rec = exp.reconstruct_signal(json.loads(values_json))
    where, recon = _recon(exp, rec)
    summary = {"sample_error": rec["error"], "sample_where": where, "threshold": exp.model.threshold}
    return _framed(summary, {"recon": recon})


# ---- scikit-learn's baselines -----------------------------------------------------------------

def _baseline_key(config, name):
    """What a baseline's result depends on: the samples (data settings, seed), its own settings and
    the threshold percentile; not the autoencoder's, so a Reset does not run it again."""
    from models import settings
    keys = [s["key"] for s in settings.SETTINGS if s["group"] in ("data", "file", "baselines")]
    keys += ["seed", "threshold_percentile"]
    return (name,) + tuple(json.dumps(config[k]) for k in keys if k != "baselines")


def _baselines_done(exp):
    """The detectors' results already computed for this experiment, in the table's order."""
    from models import detectors
    done = state.setdefault("baselines", {})
    out = []
    for d in detectors.DETECTORS:
        result = done.get(_baseline_key(exp.config, d["name"]))
        if result is not None:
            out.append(result)
    return out


@command
def baseline(name):
    """Run one detector (models/baselines.py) on the training view's experiment, unless its result
    for these samples and settings is known. One detector per command: the page sends them one by
    one, so that training epochs queued meanwhile run in between."""
    from models import baselines, detectors
    exp = _experiment()
    if name not in detectors.BY_NAME:
        raise ValueError("there is no detector %r" % (name,))
    import sklearn  # noqa: F401  (load_baselines first: a plain error, not a download, if it was not)
    done = state.setdefault("baselines", {})
    key = _baseline_key(exp.config, name)
    cached = key in done
    if not cached:
        done[key] = baselines.run_one(exp, name)
    r = done[key]
    # "problem": the detector could not run (said in its row); an "error" reply is the command failing
    return _reply({"name": name, "label": r["label"], "auc": r.get("auc"), "problem": r.get("error"), "cached": cached})


def _short(r):
    """A table row: no per-sample scores or curves."""
    row = {}
    for key in ("name", "label", "auc", "ap", "threshold", "threshold_rule", "fit_ms", "score_ms", "note", "error"):
        row[key] = r.get(key)
    m = r.get("metrics") or {}
    for key in ("precision", "recall", "f1"):
        row[key] = m.get(key)
    return row


@command
def compare_view():
    """The compare panel: the autoencoder's row (as trained now) and every detector's result known
    for these samples (framed: ROC and precision-recall curves of each)."""
    from models import baselines
    exp = _experiment()
    rows = [baselines.autoencoder_row(exp)] + _baselines_done(exp)
    roc, pr = [], []
    for r in rows:
        roc.extend({"detector": r["label"], "fpr": a, "tpr": b} for a, b in r.get("roc") or [])
        pr.extend({"detector": r["label"], "recall": a, "precision": b} for a, b in r.get("pr") or [])
    ranked = [r for r in rows if r.get("auc") is not None]
    best = max(ranked, key=lambda r: r["auc"])["name"] if ranked else None
    summary = {"rows": [_short(r) for r in rows], "best": best, "labelled": bool(ranked)}
    return _framed(summary, {"compare_roc": {"roc": roc}, "compare_pr": {"pr": pr}})


def _verdicts(exp, i):
    """Each detector's verdict on test sample i, where its result is known."""
    out = []
    for r in _baselines_done(exp):
        if "test_scores" in r:
            score = r["test_scores"][i]
            out.append({"label": r["label"], "score": score, "threshold": r["threshold"],
                        "flagged": score > r["threshold"]})
    return out


# ---- model files ---------------------------------------------------------------------------

@command
def export_model():
    """The training view's model as a model file (models/serialize.py's JSON format)."""
    exp = _experiment()
    if exp.model.threshold is None:
        exp.evaluate()
    return exp.to_json()


@command
def report(page_url, specs_json, vega_js, vega_embed_js, sample):
    """The training view's run as a self-contained HTML report (models/report.py), with the
    Compare panel's rows when a detector has run and test sample `sample` rebuilt; the page
    downloads it."""
    from models import baselines, report as report_
    exp = _experiment()
    done = _baselines_done(exp)
    rows = [baselines.autoencoder_row(exp)] + done if done else None
    data = report_.gather(exp, rows, {"in": "browser", "app_url": str(page_url) or None}, state["data"],
                          _sample_index(exp, sample))
    return report_.to_html(data, json.loads(specs_json), {"vega": vega_js, "vega-embed": vega_embed_js})


@async_command
async def load_model(model_file_text):
    """Load a model file: it becomes the training view's model and the introduction's. All or
    nothing: the file is read and checked whole, and the reply written, before anything changes;
    a bad file changes nothing and the reply's error says what is wrong with it. Framed: the loss
    chart's rows, thinned (models/thinning.py), go to the chart unparsed by the UI thread, whose
    MicroPython took seconds over a long history."""
    import copy
    from models import links, serialize, thinning
    from models.experiment import Experiment
    if not isinstance(model_file_text, str):
        raise serialize.ModelFileError("model file: not text")
    _data()
    model = serialize.load_model(model_file_text)
    data = await _dataset(model.config["dataset"], model.config)
    exp = Experiment(model.config, data, model=model)
    intro = None
    if data is state["intro_data"]:  # the introduction shows ECG5000's model: one for it replaces it
        # the introduction's own copy: training on in the training view leaves it alone
        intro = Experiment(model.config, data, model=copy.deepcopy(model))
        intro.evaluate()  # its threshold under its own rule
    rows, points, thinned = thinning.loss_rows(exp.history)
    reply = _framed({"ok": True, "link": links.encode(exp.config), "model": _info(exp), "intro": intro is not None,
                     "loss_points": points, "loss_thinned": thinned}, {"loss": {"losses": rows}})
    state["experiment"], state["data"] = exp, data
    if intro is not None:
        state["intro"] = intro
    return reply


@command
def intro_results(indices_json):
    """The introduction's numbers for its current model (after a model file was loaded): the
    same fields as pretrained/gallery.json (errors of the gallery samples `indices`, threshold,
    metrics, threshold table) and, as the framed part "beats", pretrained/beats.json's content."""
    import numpy as np
    from models import error_strip, metrics, prep
    exp, base = _intro(), state["intro_base"]
    data = state["intro_data"]
    test = base.split["test"]  # the samples the gallery shows, in its order
    raw = np.asarray(data["test_x"], dtype=np.float32)[test]
    labels = np.asarray(data["test_y"])[test].astype(int)
    y = prep.is_anomaly(labels, data["about"])
    xs = exp.model.scaler.transform(raw).astype(np.float64)
    errors = exp.model.errors(xs)
    if exp.model.threshold is None:
        exp.evaluate()
    thr = float(exp.model.threshold)
    fpr, tpr, _ = metrics.roc_curve(y, errors)
    indices = [int(i) for i in json.loads(indices_json)]
    signals, wheres = error_strip.stored_signals(exp.model, raw[indices], xs[indices], exp.about["sample"])
    summary = {"config": exp.config, "epochs": exp.epoch, "auc": metrics.auc(fpr, tpr), "threshold": thr,
               "metrics": metrics.metrics_at(y, errors, thr), "n_test": int(len(labels)), "n_abnormal": int(y.sum()),
               "errors": [float("%.6g" % errors[i]) for i in indices],
               "grid": metrics.threshold_grid(y, errors, thr), "sizes": _sizes(exp), "wheres": wheres}
    beats = {"signals": signals, "threshold": thr,
             "hist": [{"error": float("%.6g" % e), "cls": _class(exp, c)} for e, c in zip(errors, labels)]}
    return _framed(summary, {"beats": beats})


__export__ = list(protocol.COMMANDS)
