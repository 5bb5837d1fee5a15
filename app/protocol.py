"""What the UI thread may ask the engine worker, and what comes back: every command, its
arguments and the shape of its reply, in one table both sides import (the UI under MicroPython,
the engine under Pyodide, the tests under CPython: core builtins only).

Replies are text (dicts do not cross to MicroPython as dicts):
- "json": one JSON object.
- "framed": a summary and chart rows that the UI hands to charts.js without parsing them:
      <summary JSON> RECORD <part name> UNIT <JSON> RECORD <part name> UNIT <JSON> ...
  Each part is {"<chart data source>": [rows], ...} for one chart. JSON text never holds these two
  raw control characters.
- "model_file": a model file's JSON text (models/serialize.py), which goes to the browser's file
  APIs (static/share.js) without passing through MicroPython.
- "html": a report's page (models/report.py), which goes to a download the same way.
Any command may reply {"error": "...", "trace": "..."} instead (a "trace" only for a bug): it
failed, and changed nothing. When the engine itself cannot answer (static/engine.js: its worker
died, or a command outlived its time-out), the reply is {"error": "...", "engine": "dead"}.
"""
RECORD, UNIT = "\x1e", "\x1f"


def _command(args, reply, keys=(), parts=(), seconds=30):
    return {"args": args, "reply": reply, "keys": keys, "parts": parts, "seconds": seconds}


# name -> what it takes (argument names, all text or numbers but a file's bytes) and the keys of its reply (of its
# summary, for a framed reply), the chart parts a framed reply carries, and how long the engine
# may take before the page gives it up for dead (counted from when the worker starts it, not while
# it waits behind other commands). They are generous: a time-out is for a hung engine, not a slow
# one (an epoch of the largest network at batch size 1 takes ~20 s on a two-core laptop).
# "sample_where" says where in a sample its error is (models/error_strip.describe: {"first",
# "last", "share", "named", "text"}); a "recon" part is that chart's rows and the stretch named
# ({"recon": [{t, input, output, error}, ...], "stretch": [{t0, t1}] or []}).
COMMANDS = {
    # start-up, in this order (static/engine-worker.mjs runs them early, as it starts)
    "load_numpy": _command((), "json", ("numpy", "ms"), seconds=180),
    "load_data": _command(("url",), "json", ("train_samples", "test_samples", "kernels", "about"), seconds=180),
    "load_pretrained": _command(("url",), "json", ("threshold", "sizes"), seconds=180),
    "warm_up": _command((), "json", ("ok",)),
    # the training view's model
    "configure": _command(("settings_link",), "json", ("ok", "config", "model"), seconds=120),
    "set_live": _command(("settings_link",), "json", ("ok",)),
    "train_epoch": _command((), "json", ("epoch", "loss", "val_loss", "ms", "stopped", "message"), seconds=600),
    "training_view": _command(("sample",), "framed", (
        "epoch", "auc", "threshold", "threshold_rule", "uses_labels", "metrics", "err_min", "err_max",
        "sample", "sample_class", "sample_error", "sample_where", "latent_method", "latent_explained", "model",
        "timeline"),
        ("roc", "hist", "latent", "recon", "timeline", "timeline_errors"), seconds=180),
    "test_sample": _command(("sample",), "framed", ("sample", "sample_class", "sample_error", "sample_where", "verdicts"),
                            ("recon",)),
    "metrics_at": _command(("threshold",), "framed", ("threshold", "metrics"),
                           ("roc", "hist", "timeline", "timeline_errors")),
    # linked views (issue 18): the test samples a selection in the charts picks, a page of gallery tiles
    # (framed: the tiles and every index go to static/charts.js, unparsed here)
    "select_samples": _command(("selection_json", "offset"), "framed", ("count", "total", "what", "offset", "spark", "epoch"),
                               ("tiles",)),
    # the introduction's model
    "reconstruct_drawn": _command(("values_json",), "framed", ("sample_error", "sample_where", "threshold"), ("recon",)),
    "intro_results": _command(("indices_json",), "framed", (
        "config", "epochs", "auc", "threshold", "metrics", "n_test", "n_abnormal", "errors", "grid", "sizes", "wheres"),
        ("beats",), seconds=180),
    # your own file: read and kept (not trained on) until the settings name it (dataset "file")
    "inspect_file": _command(("name", "blob", "chosen_json"), "framed", ("ok", "name", "bytes", "settings", "preview"),
                             ("preview",), seconds=120),
    # scikit-learn's baselines (issue 16): scikit-learn loaded on first use
    "load_baselines": _command((), "json", ("ok", "ms", "loaded"), seconds=300),
    # ahead of Compare, when scikit-learn is in the offline cache: step "load", then "detectors"
    "prepare_baselines": _command(("step",), "json", ("ok", "cached", "ms"), seconds=300),
    "baseline": _command(("name",), "json", ("name", "label", "auc", "problem", "cached"), seconds=300),
    "compare_view": _command((), "framed", ("rows", "best", "labelled"), ("compare_roc", "compare_pr"), seconds=120),
    # model files
    "export_model": _command((), "model_file", seconds=120),
    # a report of the run (models/report.py): the page's address, the chart specs and the Vega
    # runtime's scripts (static/share.js fetches them from the site), and the test sample selected, in;
    # the HTML out
    "report": _command(("page_url", "specs_json", "vega_js", "vega_embed_js", "sample"), "html", seconds=120),
    # the loss chart's rows: every epoch of the file's history, or at most models/thinning.py's
    # MAX_POINTS per series ("loss_thinned"; "loss_points": the most one series draws)
    "load_model": _command(("model_file_text",), "framed", ("ok", "link", "model", "intro", "loss_points", "loss_thinned"),
                           ("loss",), seconds=180),
}

# Settings applied to the model in training without building it again (set_live).
LIVE_KEYS = ("threshold_rule", "threshold_percentile", "threshold", "epochs")


def timeouts():
    """{command: seconds}, for static/engine.js."""
    out = {}
    for name, command in COMMANDS.items():
        out[name] = command["seconds"]
    return out


def check_call(name, args):
    """Raise ValueError unless `name` is a command and `args` fit it (the UI checks every call)."""
    command = COMMANDS.get(name)
    if command is None:
        raise ValueError("the engine has no command %r" % (name,))
    if len(args) != len(command["args"]):
        raise ValueError("%s takes %d argument(s) (%s), got %d"
                         % (name, len(command["args"]), ", ".join(command["args"]), len(args)))


def frame(summary_json, parts_json):
    """A framed reply from the summary's JSON text and [(part name, JSON text), ...]."""
    out = [summary_json]
    for name, body in parts_json:
        out.append(name + UNIT + body)
    return RECORD.join(out)


def unframe(reply):
    """(summary JSON text, {part name: JSON text}) of a framed reply; an error reply is all summary."""
    pieces = reply.split(RECORD)
    parts = {}
    for piece in pieces[1:]:
        name, _, body = piece.partition(UNIT)
        parts[name] = body
    return pieces[0], parts
