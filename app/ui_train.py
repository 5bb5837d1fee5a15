# The training view (MicroPython): play / pause / step / reset, live charts, metric tiles, the
# threshold slider and the selected test beat. Numbers come from the engine; chart rows go from
# the engine's framed replies straight to charts.js without being parsed here.
import asyncio
import json
import time

from pyscript import document, window

from data import about
from models import exact_numbers, links, settings
from models.threshold_scale import LogScale

from app.protocol import LIVE_KEYS
from app.ui_common import (call, el, fmt, framed, pct, say, send, sig, state, text, thousands, yield_to_browser)
from app import ui_activity, ui_controls, ui_links

CHARTS_EVERY_MS = 400  # heavy charts (ROC, histogram, latent, sample) refresh at most this often
# While training, a chart is drawn again only once this many times as long as its last drawing took
# has passed: the page spends at most about a fifth of the run drawing, in any browser (WebKit on
# this machine drew an epoch in ~150 ms, Chromium in ~40), and the engine keeps the cores.
DRAWING_SPACING = 4
SLIDER_STEPS = 1000
CHART_OF_PART = {"roc": "roc-chart", "hist": "hist-chart", "latent": "latent-chart", "recon": "recon-chart",
                 "timeline": "timeline-chart", "timeline_errors": "timeline-errors"}
TILES = ("accuracy", "precision", "recall", "f1", "fpr", "fnr")
# "beat_shown" counts the test samples whose texts were shown: a reply's sample chart is drawn only
# while its texts are the newest (a refresh in flight when a sample is picked must not draw over it).
train = {"last_charts": 0, "charts_ms": 0, "losses_at": 0, "losses_ms": 0, "thr_busy": False, "thr_next": None,
         "beat_shown": 0}
# Panels that follow the training view register here (imports run one way: they import this module):
after_refresh = []   # called after every refresh of the training view (app/ui_compare.py)
verdicts_text = []   # verdicts -> the sample line's text about other detectors (app/ui_compare.py)
after_run = []       # called with (how it ended, the last epoch's reply) once a Train run ends (app/ui_history.py)


def now_ms():
    return time.ticks_ms()


def _due(last_at, took_ms, at_least_ms):
    """Whether a chart drawn at `last_at` in `took_ms` may be drawn again now (DRAWING_SPACING)."""
    return time.ticks_diff(now_ms(), last_at) >= max(at_least_ms, DRAWING_SPACING * took_ms)


def _buttons():
    stale = state["stale"]
    training = ui_activity.mode() == "training"
    b = el("train")
    if training:
        b.textContent = "Pausing after this epoch…" if ui_activity.stopping() else "Pause"
    else:
        b.textContent = "Rebuild & train" if stale else "Train"
    b.disabled = not (ui_activity.idle() or (training and not ui_activity.stopping()))
    el("step").disabled = not ui_activity.idle()
    el("reset").disabled = not ui_activity.ready()
    el("step").textContent = "Rebuild & step" if stale else "Step 1 epoch"
    for node in document.querySelectorAll(".stale-note"):
        node.hidden = not stale
    comp = el("composer")
    if stale:
        comp.classList.add("is-stale")
    else:
        comp.classList.remove("is-stale")


def refresh_buttons():
    _buttons()


def on_engine_progress(event):
    """A long epoch's batches (static/engine.js): the run is visibly alive, and Pause says when it acts."""
    if ui_activity.mode() in ("training", "stepping"):
        step, steps = str(event.detail).split("/")
        text("progress", "Epoch %d of %d: batch %s of %s%s"
             % (state["epoch"] + 1, max(state["run_target"] or 0, state["epoch"] + 1), step, steps,
                " (pausing once this epoch ends)" if ui_activity.stopping() else ""))


def show_progress(ms=None):
    target = state["run_target"] or (state["epoch"] + state["config"]["epochs"])
    t = "Epoch %d of %d" % (state["epoch"], max(target, state["epoch"]))
    if ms is not None:
        t += " · %d ms per epoch" % int(ms)
    text("progress", t)


def _model_line():
    m = state["model"]
    if not m:
        return
    shape = settings.shape_text(m["sizes"])
    el("engine-model").dataset.shape = shape
    el("engine-model").dataset.params = str(m["params"])
    text("engine-model", "Model in training: %s, %s parameters, %s training / %s validation / %s test %s."
         % (shape, thousands(m["params"]), thousands(m["train_samples"]), thousands(m["val_samples"]),
            thousands(m["test_samples"]), about.samples(state["about"])))


def _tiles(summary):
    m = summary["metrics"]
    c = m["confusion"]
    # without labels nothing is known to be an anomaly: the views that need labels say so, empty
    labelled = state["about"].get("labelled", True)
    auc = summary.get("auc") if labelled else None
    if auc is not None or "auc" in summary or not labelled:
        t = el("tile-auc")
        t.dataset.value = "" if auc is None else repr(auc)
        if labelled:
            t.classList.remove("na")
        else:
            t.classList.add("na")
        text("tile-auc-v", fmt(auc) if labelled else "needs labels")
        if labelled:
            text("roc-auc", fmt(auc) if auc is not None else "n/a (needs test samples of both classes)")
        else:
            text("roc-auc", "n/a: your data has no labels, so no sample is known to be an anomaly (ROC, AUC "
                 "and the counts below need them). At this threshold %s of %s test %s are flagged."
                 % (thousands(c["tp"] + c["fp"]), thousands(c["tp"] + c["fp"] + c["tn"] + c["fn"]),
                    about.samples(state["about"])))
    for key in TILES:
        t = el("tile-" + key)
        t.dataset.value = repr(m[key]) if labelled else ""
        text("tile-%s-v" % key, pct(m[key]) if labelled else "needs labels")
        if labelled:
            t.classList.remove("na")
        else:
            t.classList.add("na")
    for key in ("tp", "fp", "tn", "fn"):
        text("cm-" + key, str(c[key]) if labelled else "—")
    thr = summary["threshold"]
    el("thr-value").dataset.threshold = repr(thr)
    text("thr-value", sig(thr))


def _slider_scale():
    s = state["summary"]
    return LogScale(s["err_min"], s["err_max"], SLIDER_STEPS)


def _slider_from_threshold(thr):
    if state["summary"]:
        el("thr-slider").value = str(_slider_scale().step(thr))


def _threshold_from_slider():
    v = _slider_scale().value(int(el("thr-slider").value))
    return exact_numbers.parse_number("%.6g" % min(v, 10.0))[0] * 1.0  # exact (MicroPython's float() is not)


def _rule_note(summary):
    cfg = dict(state["config"])
    cfg["threshold_rule"] = summary["threshold_rule"]
    text("thr-rule", "Threshold: %s." % settings.threshold_rule_text(cfg, about.samples(state["about"])))


async def _push_parts(parts, beat=None):
    """Charts' rows to their charts; the sample's ("recon") only if `beat` (what _beat_info returned
    for them) is still the sample whose texts are shown."""
    for name, body in parts.items():
        chart = CHART_OF_PART.get(name)
        if name == "recon" and beat != train["beat_shown"]:
            continue
        if chart and body != "{}":  # a dataset of samples has no timeline
            await window.charts.replaceMany(chart, body)


async def _push_parts_then_mark(parts, epoch, about_now, beat):
    await _show_classes(about_now)
    domain = train.get("time_domain")
    if domain is not None and train.get("time_domain_shown") != domain:
        train["time_domain_shown"] = domain
        for chart in ("timeline-chart", "timeline-errors"):
            await window.charts.setSignal(chart, "timeDomain", json.dumps(domain))
    await _push_parts(parts, beat)
    el("train-view").dataset.epoch = str(epoch)


async def _show_classes(about_now):
    """The class charts colour the model's dataset's classes (before its rows arrive)."""
    if train.get("classes") == about_now["classes"]:
        return
    train["classes"] = about_now["classes"]
    names = json.dumps([about.class_name(about_now, label, True) for label in about.labels(about_now)])
    for chart in ("hist-chart", "latent-chart"):
        await window.charts.setSignal(chart, "classNames", names)


async def refresh(charts_later=False, sent=None):
    """Ask the engine for every chart of the current model and show it. charts_later: return once
    the numbers are shown and let the four charts fill in after (data-epoch is set once they have).
    sent: the reply of a snapshot command already sent (send_build)."""
    reply = await (sent if sent is not None else call("training_view", state["sample"]))
    summary, parts = framed(reply)
    if summary.get("error"):
        engine_problem(summary)
        return
    state["summary"] = summary
    state["model"] = summary["model"]
    width = state["about"]["length"]
    state["about"] = summary["model"]["about"]  # the samples the model works on (a series: its windows)
    if state["about"]["length"] != width:  # your file's samples: their length is known now
        ui_controls.render_composer()
    text("beat-label", "Test " + about.samples(state["about"], 1))
    el("beat-index").max = str(summary["model"]["test_samples"] - 1)
    train["last_charts"] = now_ms()
    _tiles(summary)
    _slider_from_threshold(summary["threshold"])
    _rule_note(summary)
    beat = _beat_info(summary)
    if summary["latent_method"] == "pca":
        ex = summary["latent_explained"]
        text("latent-note", "The bottleneck has %d units: shown are its first two principal components "
             "(%s and %s of the variance)." % (summary["model"]["sizes"][len(state["config"]["encoder"]) + 1],
                                              pct(ex[0]), pct(ex[1])))
    else:
        text("latent-note", "Each dot is a test %s at its bottleneck code." % about.samples(state["about"], 1))
    _model_line()
    _show_timeline(summary["timeline"])
    if charts_later:
        asyncio.create_task(_push_parts_then_mark(parts, summary["epoch"], state["about"], beat))
    else:
        await _push_parts_then_mark(parts, summary["epoch"], state["about"], beat)
        train["charts_ms"] = time.ticks_diff(now_ms(), train["last_charts"])
    for fn in after_refresh:
        fn()


def _beat_info(summary):
    """The selected test sample's texts: its verdict and where its error is. Returns their number
    (train["beat_shown"]), which its chart's rows must carry to be drawn (_push_parts)."""
    thr = summary["threshold"]
    err = summary["sample_error"]
    word = "ABNORMAL" if err > thr else "NORMAL"
    el("beat-index").value = str(summary["sample"])
    el("beat-info").dataset.error = exact_numbers.format_float(err)  # full precision, for tests
    el("beat-info").dataset.beat = str(summary["sample"])
    text("beat-info", "%s %s · error %s · threshold %s → %s"
         % (summary["sample_class"], about.samples(state["about"], 1), sig(err), sig(thr), word))
    where = summary["sample_where"]
    text("beat-where", where["text"])  # the engine's sentence (models/error_strip.py), as text
    train["beat_shown"] += 1
    return train["beat_shown"]


def engine_problem(reply):
    """An engine command failed: say so plainly, stop training, offer a retry."""
    if reply.get("engine") == "dead":  # main.on_engine_died has said what happened
        _buttons()
        return
    msg = reply.get("error") or "unknown problem"
    if reply.get("trace"):
        window.console.warn(reply["trace"])
        el("engine-error").hidden = False
        text("engine-error-text", msg + " The introduction still works. Retry rebuilds the model.")
    say(msg, True)
    _buttons()


def send_build(config=None):
    """Send the engine the build of a fresh model from the current settings (or `config`), and the
    request for its charts, without waiting: rebuild(sent=...) takes the replies."""
    config = dict(config or state["config"])
    # settings travel as link text: exact floats, the same numbers a shared link gives CPython
    return (config, send("configure", links.encode(config)), send("training_view", state["sample"]))


async def rebuild(charts_later=False, sent=None):
    """A fresh model from the current settings (Reset, or Play after a change); charts_later as
    in refresh(); sent: what send_build() returned."""
    config, configured, snapshot = sent or send_build()
    reply = json.loads(await configured)
    if reply.get("error"):
        say("Cannot build this model: " + reply["error"], True)
        return False
    state["built_config"] = config
    # settings changed while it was being built (a link edited meanwhile) leave it stale
    state["stale"] = bool([k for k in config if k not in LIVE_KEYS and state["config"][k] != config[k]])
    state["diverged"] = False
    state["model"] = reply["model"]
    state["epoch"] = 0
    state["run_target"] = None
    train["wall_ms"] = 0  # the time spent training this model, over all its runs
    el("engine-error").hidden = True
    cleared = window.charts.replace("loss-chart", "losses", "[]")
    if not charts_later:  # else it is cleared when embedded, and before any epoch's loss is added
        await cleared
    await refresh(charts_later, snapshot)
    show_progress()
    _buttons()
    return True


async def train_loop(max_epochs=None):
    """Train epoch by epoch until the run's target, a pause, divergence or early stopping, in a
    turn of its own ("stepping" for max_epochs, else "training", claimed by the click)."""
    async with ui_activity.turn("stepping" if max_epochs else "training") as work:
        if work.ok:
            await _train(max_epochs)
    if ui_activity.ready() and not state["diverged"]:
        keep_model()


async def _train(max_epochs):
    if state["stale"]:
        say("Rebuilding the model with your new settings…")
        if not await rebuild():
            return
    if state["diverged"]:
        say("This model diverged. Press Reset to start again (try a smaller learning rate).", True)
        return
    if state["run_target"] is None or state["epoch"] >= state["run_target"]:
        state["run_target"] = state["epoch"] + state["config"]["epochs"]
    stop_at = state["epoch"] + max_epochs if max_epochs else state["run_target"]
    _buttons()
    last_ms = None
    started, r = now_ms(), {}
    # The next epoch is asked for as soon as a reply says the run goes on, before this one is drawn
    # (and, when the heavy charts are due, right after their numbers): the engine trains while the
    # page draws. So a pause clicked while an epoch is drawn takes effect after the one already
    # asked for: the epoch in progress, as the page says.
    def goes_on():
        return not ui_activity.stopping() and state["epoch"] < stop_at

    waiting = []  # loss rows not drawn yet

    async def draw_losses():
        began = now_ms()
        await window.charts.insert("loss-chart", "losses", json.dumps(waiting))
        train["losses_ms"], train["losses_at"] = time.ticks_diff(now_ms(), began), began
        waiting.clear()

    pending = send("train_epoch") if goes_on() else None
    while pending is not None:
        r = json.loads(await pending)
        # a reply that came while the last epoch was drawn resumes this in the same task: end it,
        # as the round trip to the engine did before, so drawing epochs never adds up to a long task
        await yield_to_browser()
        pending = view = None
        if r.get("error"):
            engine_problem(r)
            break
        if r.get("stopped") == "diverged":
            state["diverged"] = True
            say((r.get("message") or "Training diverged.") + " Press Reset to start again.", True)
            break
        state["epoch"] = r["epoch"]
        last_ms = r["ms"]
        if not r.get("stopped") and goes_on():
            if _due(train["last_charts"], train["charts_ms"], CHARTS_EVERY_MS):
                view = send("training_view", state["sample"])  # this epoch's charts, before the next one
            pending = send("train_epoch")
        waiting.append({"epoch": r["epoch"], "series": "train", "loss": r["loss"]})
        if r.get("val_loss") is not None:
            waiting.append({"epoch": r["epoch"], "series": "validation", "loss": r["val_loss"]})
        if pending is None or view is not None or _due(train["losses_at"], train["losses_ms"], 0):
            await draw_losses()
        show_progress(last_ms)
        if r.get("stopped") == "early_stopping":
            state["run_target"] = state["epoch"]
            say(r.get("message") or "Stopped early.")
            break
        if view is not None:
            await yield_to_browser()  # the heavy charts in a task of their own
            await refresh(sent=view)
    if waiting:
        await draw_losses()
    if r.get("error"):
        return
    train["wall_ms"] = train.get("wall_ms", 0) + time.ticks_diff(now_ms(), started)
    if not ui_activity.ready():  # the engine died meanwhile: its message stays (main.on_engine_died)
        return
    await refresh()
    ended = "diverged" if state["diverged"] else ("early_stopping" if r.get("stopped") == "early_stopping" else (
        "finished" if state["epoch"] >= (state["run_target"] or 0) else None))
    if ended and not max_epochs and ui_activity.ready():  # a Train run that reached its end (not a pause, not a step)
        for fn in after_run:
            fn(ended, r)
    if not state["diverged"] and ui_activity.ready():
        if state["epoch"] >= (state["run_target"] or 0):
            s = state["summary"]
            say("Trained %d epochs: AUC %s. Move the threshold slider to trade missed anomalies "
                "against false alarms, click Train for %d more epochs, or change the model and rebuild."
                % (state["epoch"], fmt(s.get("auc")), state["config"]["epochs"]))
        elif max_epochs:
            say("Stepped to epoch %d. Step again, or Train to continue the run." % state["epoch"])
        else:
            say("Paused after epoch %d. Press Train to continue." % state["epoch"])


def keep_model():
    """Keep the model's file in the page (static/share.js), so that a restarted engine gets it back."""
    window.share.keepModel(state["engine"])


def on_train(event):
    if ui_activity.mode() == "training":
        ui_activity.request_stop()
        say("Pausing: the epoch in progress finishes first.")
        return
    if not ui_activity.claim("training"):
        return
    say("Training on normal %s…" % about.samples(state["about"]))
    asyncio.create_task(train_loop())


def on_step(event):
    if not ui_activity.claim("stepping"):
        return
    say("Training one epoch…")
    asyncio.create_task(train_loop(1))


async def reset():
    """A fresh model from the current settings, once the run in progress has stopped."""
    ui_activity.request_stop()
    async with ui_activity.turn("building") as work:
        if not work.ok:
            return
        say("Rebuilding the model…")
        if await rebuild():
            say("Model rebuilt with fresh weights: %s. Press Train." % settings.shape_text(state["model"]["sizes"]))


def on_reset(event):
    asyncio.create_task(reset())


# ---- the threshold slider ---------------------------------------------------------------------

def on_slider(event):
    if not state["summary"]:
        return
    thr = _threshold_from_slider()
    cfg = state["config"]
    cfg["threshold_rule"] = "manual"
    cfg["threshold"] = thr
    el("set-threshold_rule").value = "manual"
    el("set-threshold").value = exact_numbers.format_float(thr)
    ui_controls.update_applicability()
    ui_links.schedule_write()
    train["thr_next"] = thr
    if not train["thr_busy"]:
        asyncio.create_task(_apply_slider())


async def _apply_slider():
    train["thr_busy"] = True
    try:
        while train["thr_next"] is not None:
            thr = train["thr_next"]
            train["thr_next"] = None
            await call("set_live", links.encode(state["config"]))
            summary, parts = framed(await call("metrics_at", thr))
            if summary.get("error"):
                return
            summary["threshold_rule"] = "manual"
            summary["auc"] = state["summary"].get("auc")
            state["summary"]["threshold"] = thr
            _tiles(summary)
            _rule_note(summary)
            await _push_parts(parts)
    finally:
        train["thr_busy"] = False


async def apply_live():
    """A threshold or epochs setting changed in the controls: no rebuild, just re-score."""
    if not ui_activity.ready() or state["model"] is None:
        return
    await call("set_live", links.encode(state["config"]))
    if ui_activity.idle():
        await refresh()


# ---- a long series' timeline -------------------------------------------------------------------

def _stretches(pairs):
    return ", ".join("%s–%s" % (thousands(a), thousands(b - 1)) for a, b in pairs)


def _show_timeline(t):
    """The timeline panel: shown for a long series only (the engine's summary says where)."""
    panel = el("timeline-panel")
    panel.hidden = t is None
    if t is None:
        return
    if not train.get("timeline_embedded"):  # embedded once visible: a hidden chart has no width
        train["timeline_embedded"] = True
        window.charts.show("timeline-chart", "timeline")
        window.charts.show("timeline-errors", "timeline_errors")
        window.charts.listen("timeline-errors", "pick", "timelinepick")
    train["time_domain"] = [0, t["points"]]
    note = ("%s points, cut into windows of %d; the first %s train. "
            % (thousands(t["points"]), t["window"], thousands(t["train_end"])))
    if t["flagged_count"]:
        more = " and %s more" % thousands(t["flagged_count"] - len(t["flagged"])) if t["flagged_count"] > len(t["flagged"]) else ""
        note += "The threshold flags %s stretch%s: %s%s. " % (
            thousands(t["flagged_count"]), "" if t["flagged_count"] == 1 else "es", _stretches(t["flagged"]), more)
    else:
        note += "The threshold flags no stretch. "
    if t["labelled"]:
        note += "Labelled anomalous: %s." % _stretches(t["labelled"])
    text("timeline-note", note.strip())


def on_timeline_pick(event):
    """A test window clicked on the timeline: its reconstruction below (a training window has none)."""
    picked = json.loads(event.detail) or {}
    i = picked.get("i")
    if isinstance(i, list):
        i = i[0] if i else None
    if i is None or not ui_activity.ready():
        return
    if i < 0:
        say("That window is in the training part: click a test window (blue) to see its reconstruction.")
        return
    asyncio.create_task(_show_beat(int(i)))


# ---- selected test beat -------------------------------------------------------------------------

async def _show_beat(i):
    state["sample"] = i  # picked now: a refresh sent before the reply asks for it too
    summary, parts = framed(await call("test_sample", i))
    if summary.get("error") or not state["summary"]:
        return
    summary["threshold"] = state["summary"]["threshold"]
    beat = _beat_info(summary)
    text("beat-verdicts", " ".join(fn(summary["verdicts"]) for fn in verdicts_text))
    await _push_parts(parts, beat)


def show_sample(i):
    """Test sample i in the reconstruction chart (picked elsewhere: the linked gallery)."""
    asyncio.create_task(_show_beat(int(i)))


def on_beat(event):
    if not ui_activity.ready():
        return
    t = event.target
    act = t.getAttribute("data-act")
    i = state["sample"]
    if act == "prev":
        i -= 1
    elif act == "next":
        i += 1
    else:
        try:
            i = int(float(el("beat-index").value))
        except ValueError:
            return
    n = (state["model"] or {}).get("test_samples", 1)
    i = max(0, min(n - 1, i))
    asyncio.create_task(_show_beat(i))


def setup():
    el("train").onclick = on_train
    el("step").onclick = on_step
    el("reset").onclick = on_reset
    el("thr-slider").oninput = on_slider
    el("beat-prev").onclick = on_beat
    el("beat-next").onclick = on_beat
    el("beat-index").onchange = on_beat
    for b in document.querySelectorAll(".rebuild-now"):
        b.onclick = on_reset
    show_progress()
    _buttons()
    ui_activity.listen(_buttons)
    window.addEventListener("engineprogress", on_engine_progress)
    window.addEventListener("timelinepick", on_timeline_pick)
