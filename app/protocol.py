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
Any command may reply {"error": "...", "trace": "..."} instead (a "trace" only for a bug): it
failed, and changed nothing.
"""
RECORD, UNIT = "\x1e", "\x1f"


def _command(args, reply, keys=(), parts=()):
    return {"args": args, "reply": reply, "keys": keys, "parts": parts}


_MODEL_INFO = ("sizes", "params", "epoch", "train_samples", "val_samples", "test_samples")

# name -> what it takes (argument names, all text or numbers) and the keys of its reply (of its
# summary, for a framed reply) and the chart parts a framed reply carries.
COMMANDS = {
    # start-up, in this order (static/engine-worker.mjs runs them early, as it starts)
    "load_numpy": _command((), "json", ("numpy", "ms")),
    "load_data": _command(("url",), "json", ("train_samples", "test_samples", "kernels", "about")),
    "load_pretrained": _command(("url",), "json", ("threshold", "sizes")),
    "warm_up": _command((), "json", ("ok",)),
    # the training view's model
    "configure": _command(("settings_link",), "json", ("ok", "config", "model")),
    "set_live": _command(("settings_link",), "json", ("ok",)),
    "train_epoch": _command((), "json", ("epoch", "loss", "val_loss", "ms", "stopped", "message")),
    "training_view": _command(("sample",), "framed", (
        "epoch", "auc", "threshold", "threshold_rule", "uses_labels", "metrics", "err_min", "err_max",
        "sample", "sample_class", "sample_error", "latent_method", "latent_explained", "model"),
        ("roc", "hist", "latent", "recon")),
    "test_sample": _command(("sample",), "framed", ("sample", "sample_class", "sample_error"), ("recon",)),
    "metrics_at": _command(("threshold",), "framed", ("threshold", "metrics"), ("roc", "hist")),
    # the introduction's model
    "reconstruct_drawn": _command(("values_json",), "framed", ("sample_error", "threshold"), ("recon",)),
    "intro_results": _command(("indices_json",), "framed", (
        "config", "epochs", "auc", "threshold", "metrics", "n_test", "n_abnormal", "errors", "grid", "sizes"),
        ("beats",)),
    # model files
    "export_model": _command((), "model_file"),
    "load_model": _command(("model_file_text",), "json", ("ok", "link", "model", "history")),
}

# Settings applied to the model in training without building it again (set_live).
LIVE_KEYS = ("threshold_rule", "threshold_percentile", "threshold", "epochs")


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
