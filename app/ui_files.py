# Saving and loading model files, and downloading a run's report (MicroPython). The files' text
# goes between the engine and the browser's file APIs through share.js; this module only sees the
# engine's short replies, and hands the loss chart's rows (thinned by the engine) to charts.js
# without parsing them.
#
# Loading is all or nothing: the engine checks the whole file (models/serialize.py names the
# field that is wrong) before it replaces anything. A loaded model becomes the training view's
# model (its settings in every control and in the link, not stale) and the introduction's.
import asyncio
import json

from pyscript import window

from data import gallery
from models import links, settings

from app.ui_common import el, framed, say, state, thousands
from app import ui_activity, ui_config, ui_intro, ui_links, ui_train

MAX_BYTES = 64 * 1000 * 1000  # the largest model the composer allows is about 26 MB of JSON


def refresh_buttons():
    ready = ui_activity.ready()
    el("model-save").disabled = el("report-save").disabled = not ready or state["model"] is None
    for b in (el("model-load"), el("intro-load")):
        b.disabled = not ready


def _say_file(message, error=False):
    for id_ in ("model-file-status", "intro-load-status"):
        node = el(id_)
        node.textContent = message
        node.className = "note error" if error else "note"


def on_save(event):
    asyncio.create_task(_save())


async def _save():
    m = state["model"]
    name = "anomaly-model-%s-epoch%d.json" % (settings.shape_text(m["sizes"]), state["epoch"])
    el("model-save").disabled = True
    _say_file("Writing the model file…")
    try:
        reply = json.loads(await window.share.saveModel(state["engine"], name))
    finally:
        refresh_buttons()
    if reply.get("error"):
        _say_file("Could not save the model: " + reply["error"], True)
    else:
        _say_file("Saved %s (%d KB): the weights, the scaler and every setting. Load it here later to "
                  "explore it again." % (name, max(1, reply["bytes"] // 1000)))


def on_report(event):
    asyncio.create_task(_report())


async def _report():
    """The run's report (models/report.py, built by the engine), downloaded as one HTML file."""
    built = state["built_config"] or state["config"]
    name = "anomaly-report-%s-epoch%d.html" % (built["dataset"], state["epoch"])
    el("report-save").disabled = True
    _say_file("Writing the report…")
    try:
        reply = json.loads(await window.share.saveReport(state["engine"], name, state["sample"]))
    finally:
        refresh_buttons()
    if reply.get("error"):
        _say_file("Could not write the report: " + reply["error"], True)
    else:
        _say_file("Saved %s (%d KB): settings, link, metrics and charts with their data, in one page that "
                  "opens in any browser, offline." % (name, max(1, reply["bytes"] // 1000)))


def on_pick(event):
    if not ui_activity.ready():
        return
    el("model-file").click()


def on_file(event):
    asyncio.create_task(_load())


async def _load():
    ui_activity.request_stop()  # a run in progress stops after its current epoch
    _say_file("Checking the model file…")
    async with ui_activity.turn("loading") as work:
        if not work.ok:
            _say_file("Not loaded: the engine is not running. Retry it first.", True)
            return
        reply, parts = framed(await window.share.loadModel(state["engine"], "model-file", MAX_BYTES))
        if reply.get("error"):
            name = reply.get("name")
            _say_file("Not loaded%s: %s. Your current model is unchanged."
                      % (" (" + name + ")" if name else "", reply["error"]), True)
            return
        await _use(reply, parts)


async def restore_kept_model():
    """After the engine restarted: the model kept after its last run (ui_train.keep_model) becomes
    the training view's model again. True when it did."""
    if not window.share.hasKeptModel():
        return False
    reply, parts = framed(await window.share.restoreModel(state["engine"]))
    if reply.get("error"):
        _say_file("Your last trained model could not be brought back: %s." % reply["error"], True)
        return False
    await _use(reply, parts, keep=False)
    return True


async def _use(reply, parts, keep=True):
    config = links.decode(reply["link"])[0]  # exact floats (MicroPython's JSON floats are not)
    state["built_config"] = dict(config)
    ui_config.apply_config(config)  # every control, the composer and the link; not stale
    state["model"] = reply["model"]
    state["epoch"] = reply["model"]["epoch"]
    state["run_target"] = None
    state["diverged"] = False
    await window.charts.replaceMany("loss-chart", parts["loss"])  # training on appends to these rows
    await ui_train.refresh()
    ui_train.show_progress()
    ui_links.write_now()
    if keep:
        ui_train.keep_model()
    shape = settings.shape_text(state["model"]["sizes"])
    epochs = thousands(state["epoch"])
    thinned = ""
    if reply["loss_thinned"]:
        thinned = (" (its loss curve: %s epochs, drawn from %s points per series, each stretch of epochs by "
                   "its lowest and highest loss)" % (epochs, thousands(reply["loss_points"])))
    message = ("Loaded %s: a %s model trained %s epochs%s. Its settings are in the controls and the link%s."
               % (reply["name"], shape, epochs, thinned,
                  "; the introduction uses it too" if reply["intro"] else
                  " (it is for %s: the introduction keeps the model of %s)"
                  % (gallery.title(config["dataset"]), gallery.title(gallery.DEFAULT))))
    _say_file(message)
    say(message)
    if reply["intro"]:
        await ui_intro.use_loaded_model()


def setup():
    el("model-save").onclick = on_save
    el("report-save").onclick = on_report
    el("model-load").onclick = on_pick
    el("intro-load").onclick = on_pick
    el("model-file").onchange = on_file
    refresh_buttons()
    ui_activity.listen(refresh_buttons)
