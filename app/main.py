# The UI thread (MicroPython). It renders and reacts; it never computes: every number comes from
# the engine worker (as JSON text) or from the pretrained model's precomputed files, and every
# chart update goes through charts.js.
#
# The page:  ui_intro.py (introduction view, works without the engine), ui_controls.py (settings
# controls and the model composer, generated from models/settings.py), ui_train.py (training view),
# ui_links.py (the URL hash, classroom mode, copy link), ui_files.py (save and load model files).
# One config dict (state["config"]) feeds everything; ui_config.py is where every change of it
# arrives and is shown everywhere; ui_activity.py holds what the page is doing with the engine.
import asyncio
import json

from pyscript import document, window

from data import about, gallery

from models import settings

from app import protocol
from app.ui_common import call_json, el, say, send, state, text, yield_to_browser
from app import (ui_activity, ui_compare, ui_config, ui_controls, ui_data, ui_files, ui_history, ui_intro, ui_linked,
                 ui_links, ui_train)


def initial_config():
    """The configuration the page opens with: the link's (defaults for a plain URL)."""
    return ui_links.read_location()


def mark_step(name, cls):
    for li in document.querySelectorAll("#engine-steps li"):
        if li.dataset.step == name:
            li.className = cls


async def start_engine():
    """Start the worker and load NumPy, the data and the models; any failure is said plainly."""
    step = "runtime"
    ui_activity.starting()
    el("engine-error").hidden = True
    try:
        mark_step("runtime", "active")
        say("Starting the Python runtime in a background worker…")
        # a fresh worker unless one is running (static/engine.js); every call it answers settles
        state["engine"] = await window.startEngine(json.dumps(protocol.timeouts()))
        if window.engineProblem():
            raise RuntimeError(window.engineProblem())
        mark_step("runtime", "done")
        # The whole start-up is sent at once, your model's build last: the worker runs it in order
        # (static/engine-worker.mjs), each step as soon as the one before is done.
        loading = (send("load_numpy"), send("load_data", _url("data/ecg5000.bin")),
                   send("load_pretrained", _url("pretrained/model.json")))
        # a link naming your own file starts on the default dataset: the file is asked for (ui_data)
        stand_in = dict(state["config"], dataset=gallery.DEFAULT) if state["config"]["dataset"] == gallery.FILE else None
        build = ui_train.send_build(stand_in)
        step = "numpy"
        mark_step("numpy", "active")
        say("Loading NumPy…")
        _check(json.loads(await loading[0]))
        mark_step("numpy", "done")
        step = "data"
        mark_step("data", "active")
        say("Loading ECG heartbeats…")
        info = _check(json.loads(await loading[1]))
        state["about"] = info["about"]
        document.body.dataset.kernels = info["kernels"]  # which matrix kernels the engine uses (tests read it)
        mark_step("data", "done")
        step = "model"
        mark_step("model", "active")
        say("Loading the pretrained model and building yours…")
        _check(json.loads(await loading[2]))
        # Ready once your model is built and its numbers shown: the training view's four charts
        # (below the fold) fill in just after, which took ~0.1 s before Ready said so.
        if not await ui_train.rebuild(charts_later=True, sent=build):
            raise RuntimeError(el("engine-status").textContent)
        restored = await ui_files.restore_kept_model()  # after a restart: the last trained weights
        if window.engineProblem():  # it died on the way (a reply it could not give says so, not Ready)
            raise RuntimeError(window.engineProblem())
        mark_step("model", "done")
    except Exception as e:  # the page must say what broke, never just stall
        ui_activity.failed()
        mark_step(step, "failed")
        say("The engine could not start (" + step + "): " + str(e), True)
        el("engine-error").hidden = False
        text("engine-error-text", "The Python engine could not start while loading " + step + ": " + str(e)
             + ". The introduction above still works; drawing and training need the engine.")
        text("draw-note", "Drawing needs the Python engine, which could not start.")
        window.charts.showLater()
        return
    ui_activity.started()
    ui_intro.engine_ready()
    ui_data.wanted_by_link()
    window.charts.showLater()
    if state["config"]["dataset"] == gallery.FILE and state["built_config"]["dataset"] != gallery.FILE:
        say("Ready. This link trains on your own file %s: choose it in Your data, above the composer."
            % (state["config"]["file_name"] or "(no name)"))
    elif restored:
        say("Ready again, with your settings and your model as it was after its last run (%s, epoch %d)."
            % (settings.shape_text(state["model"]["sizes"]), state["epoch"]))
    else:
        m = state["model"]
        say("Ready. %s: %d training and %d test %s. Press Train to fit the autoencoder to normal %s."
            % (gallery.title(state["config"]["dataset"]), m["train_samples"] + m["val_samples"],
               m["test_samples"], about.samples(state["about"]), about.samples(state["about"])))
    asyncio.create_task(call_json("warm_up"))
    ui_compare.after_refresh()  # a link with baselines=on: the comparison runs now
    window.registerOfflineCache()  # static/sw-register.js: only now, not during start-up


def _url(path):
    return window.URL.new(path, document.baseURI).href


def _check(reply):
    if reply.get("error"):
        raise RuntimeError(reply["error"])
    return reply


def on_retry(event):
    say("Retrying…")  # at once, so nobody reads the old error as the new state
    el("engine-error").hidden = True
    if ui_activity.ready():
        asyncio.create_task(ui_train.reset())
    elif ui_activity.mode() == "failed":
        asyncio.create_task(start_engine())


def on_engine_died(event):
    """The engine's worker died (static/engine.js says why): whatever waited on it has had an error
    reply; say what happened, keep everything the page holds, and offer Retry."""
    ui_activity.failed()
    kept = " and your last trained model" if window.share.hasKeptModel() else ""
    say("The Python engine stopped: %s." % event.detail, True)
    mark_step("runtime", "failed")
    el("engine-error").hidden = False
    text("engine-error-text", "The Python engine stopped: %s. Your settings%s are kept: Retry starts the "
         "engine again." % (event.detail, kept))


def show_charts():
    """The introduction's charts at once; the training view's (below the fold) once the engine is
    ready or they scroll into view (static/charts.js), so they do not slow the engine's start-up."""
    for chart_id, spec in (("intro-recon", "recon"), ("intro-hist", "hist")):
        window.charts.show(chart_id, spec)
    for chart_id, spec in (("loss-chart", "loss"), ("roc-chart", "roc"), ("hist-chart", "hist_linked"),
                           ("recon-chart", "recon"), ("latent-chart", "latent")):
        window.charts.show(chart_id, spec, True)


def on_nav(event):
    """The header's view buttons scroll; they never touch the URL hash (it holds the experiment)."""
    target = el(event.currentTarget.getAttribute("data-view"))
    target.scrollIntoView()
    heading = target.querySelector("h2")
    heading.focus()


async def main():
    # Each stage runs in a task of its own, so start-up never blocks input for long (Lighthouse
    # TBT); the engine starts last, once the page is built (static/engine-worker.mjs says why),
    # and runs its start-up on its own: start_engine follows it step by step.
    state["about"] = json.loads(el("dataset-about").textContent)  # the build's dataset, until the engine says
    state["config"] = settings.validate(initial_config())
    await yield_to_browser()
    show_charts()
    await yield_to_browser()
    asyncio.create_task(ui_intro.start())
    await yield_to_browser()
    ui_controls.render_controls("controls")
    await yield_to_browser()
    ui_config.apply_config(state["config"])
    ui_config.setup()
    await yield_to_browser()
    ui_train.setup()
    ui_links.setup()
    ui_files.setup()
    ui_data.setup()
    ui_compare.setup()
    ui_history.setup()
    ui_linked.setup()
    for b in document.querySelectorAll("nav button[data-view]"):
        b.onclick = on_nav
    el("engine-retry").onclick = on_retry
    window.addEventListener("enginedied", on_engine_died)
    await yield_to_browser()
    asyncio.create_task(start_engine())


asyncio.create_task(main())
