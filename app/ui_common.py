# Shared by the UI-thread modules (MicroPython): the one state dict, DOM helpers, engine calls.
import json

from pyscript import document, window

from app import protocol

# The whole UI state. state["config"] is always a complete, settings.validate-able dict: the
# controls and the composer show it, links encode it, the engine is built from it.
state = {
    "engine": None,          # the worker proxy once it answered
    "about": None,           # the dataset's description (data/about.py): sample length, classes
    "config": None,          # what the controls show
    "hide": [],              # classroom mode: names (links.HIDE_NAMES) of controls the link hides
    "built_config": None,    # what the engine's training model was built from
    "stale": False,          # config differs from built_config in a setting that needs a rebuild
    "model": None,           # the engine's model info: sizes, params, epoch
    "run_target": None,      # the epoch a run of `epochs` epochs ends at
    "epoch": 0,
    "diverged": False,
    "sample": 0,             # the training view's selected test sample
    "summary": None,         # the last training_view summary
    "gallery": None,         # pretrained/gallery.json (small: no signals)
}


def el(id_):
    return document.getElementById(id_)


def text(id_, value):
    e = el(id_)
    if e is not None:
        e.textContent = value


def esc(s):
    """Text made safe inside markup we build (only ever our own strings and numbers)."""
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def say(message, error=False):
    """The status line: what happened and what to do next."""
    status = el("engine-status")
    status.textContent = message
    status.className = "error" if error else ""


def framed(reply):
    """Split a framed engine reply into (summary dict, {part name: JSON text})."""
    summary, parts = protocol.unframe(reply)
    return json.loads(summary), parts


def send(name, *args):
    """Send an engine command (app/protocol.py) without waiting: its reply text, to await later."""
    protocol.check_call(name, args)
    return getattr(state["engine"], name)(*args)


async def call(name, *args):
    """Call an engine command; returns its reply text (JSON or framed)."""
    return await send(name, *args)


async def call_json(name, *args):
    return json.loads(await call(name, *args))


def fmt(x, digits=3):
    if x is None:
        return "–"
    return ("%." + str(digits) + "f") % x


def pct(x):
    if x is None:
        return "–"
    return "%.1f%%" % (100 * x)


def thousands(n):
    s = str(int(n))
    out = ""
    while len(s) > 3:
        out = "," + s[-3:] + out
        s = s[:-3]
    return s + out


def sig(x):
    """A threshold or error, short: 0.0149, 1.23e-05."""
    if x is None:
        return "–"
    if x != 0 and (abs(x) < 0.001 or abs(x) >= 1000):
        return "%.3g" % x
    return "%.4f" % x


def to_js(obj):
    """Values for JS go as JSON text (MicroPython lists and dicts do not convert cleanly)."""
    return json.dumps(obj)


async def yield_to_browser():
    """End the current task here and continue in a new one (see charts.js nextTask)."""
    await window.nextTask()


def after(ms, fn):
    window.setTimeout(fn, ms)
