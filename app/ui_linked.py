# Linked views (issue 18, MicroPython): a selection in the training view's charts (a histogram bin,
# an ROC point, a box brushed in the latent scatter: Altair parameters whose Vega signals
# static/charts.js forwards) or a confusion-matrix cell filters the gallery of test samples; the
# engine says which samples a selection picks (select_samples, models/selection.py). Hovering a
# sample in the gallery or the latent scatter highlights it in the histogram, the latent scatter
# and the timeline (Vega signals this module sets).
import asyncio
import json

from pyscript import document, window

from app.ui_common import call, el, framed, state, thousands
from app import ui_activity, ui_train

# chart -> (its selection parameter, the window event charts.js fires when it changes)
CHARTS = {"hist-chart": ("bin", "linkbin"), "roc-chart": ("rocpick", "linkroc"), "latent-chart": ("brush", "linkbrush")}
EVERY = {"kind": "all"}
linked = {"sel": EVERY, "source": None, "busy": False, "next": None, "shown": 0, "shown_sel": None,
          "hover": -1, "hover_busy": False, "hover_next": None}


def _selection(chart, value):
    """A chart's selection signal (Vega's resolved value: {field: [values]}) as a selection for
    the engine, or None when it is empty."""
    if not value:
        return None
    if chart == "hist-chart":
        return {"kind": "errors", "lo": value["lo"][0], "hi": value["hi"][0]}
    if chart == "roc-chart":  # the curve's start has no threshold (null), which Vega leaves out of the list
        return {"kind": "roc", "threshold": (value.get("threshold") or [None])[0]}
    return {"kind": "latent", "x": value["x"], "y": value["y"]}


def _on_chart(chart):
    def handler(event):
        sel = _selection(chart, json.loads(event.detail))
        if sel is None:
            if linked["source"] == chart:  # emptied in its own chart (not by another selection)
                clear()
            return
        _select(chart, sel)
    return handler


def on_cell(event):
    cell = event.currentTarget.getAttribute("data-cell")
    _select("cm", {"kind": "cell", "cell": cell})


def _select(source, sel):
    """One selection at a time: a new one empties the others."""
    previous = linked["source"]
    linked["source"] = source
    for chart, (param, _) in CHARTS.items():
        if chart != source and previous in (chart, None):
            window.charts.clearSelection(chart, param)
    for b in document.querySelectorAll(".cm-cell"):
        b.setAttribute("aria-pressed", "true" if source == "cm" and b.getAttribute("data-cell") == sel["cell"] else "false")
    _apply(sel)


def clear(event=None):
    """Every test sample again; the charts' selections emptied."""
    source = linked["source"]
    linked["source"] = None
    if source in CHARTS:
        window.charts.clearSelection(source, CHARTS[source][0])
    for b in document.querySelectorAll(".cm-cell"):
        b.setAttribute("aria-pressed", "false")
    _apply(EVERY)


def on_key(event):
    if event.key == "Escape" and linked["sel"]["kind"] != "all":
        clear()


def _apply(sel):
    linked["sel"] = sel
    linked["next"] = sel
    if not linked["busy"]:
        asyncio.create_task(_fetch())


async def _fetch():
    """Ask the engine for the selection's samples; a selection dragged meanwhile (a brush sends many)
    replaces the one waiting, so only the latest is asked for."""
    linked["busy"] = True
    try:
        while linked["next"] is not None:
            sel = linked["next"]
            linked["next"] = None
            if state["model"] is None:
                return
            reply = await call("select_samples", json.dumps(sel), 0)
            if linked["next"] is None:
                await _show(sel, reply)
    finally:
        linked["busy"] = False


def _status(sel, reply):
    count, total, what = reply["count"], reply["total"], reply["what"]
    if sel["kind"] == "all":
        return ("%s test samples (orange: flagged at the threshold). Click a histogram bin, a confusion-matrix "
                "cell or an ROC point, or drag a box in the latent scatter, to show only those." % thousands(total))
    if count == 0:
        return "No test sample matches: %s. Clear the selection, or pick another." % what
    return "%s of %s test samples: %s" % (thousands(count), thousands(total), what)


async def _show(sel, reply, more=False):
    summary, parts = framed(reply)
    gallery = el("train-gallery")
    status = el("sel-status")
    if summary.get("error"):  # the gallery keeps what it showed
        status.textContent = "Cannot select these samples: " + summary["error"]
        status.className = "note error"
        for b in document.querySelectorAll(".cm-cell"):
            b.setAttribute("aria-pressed", "false")
        return
    width, height = summary["spark"]
    shown = await window.charts.tiles("train-gallery", parts["tiles"], more, width, height, state["sample"])
    if not more and linked.get("shown_sel") is not sel:  # a new selection starts at the top; a refresh stays put
        gallery.scrollTop = 0
    linked["shown_sel"] = sel
    status.className = "note strong"
    status.textContent = _status(sel, summary)
    linked["shown"] = summary["offset"] + shown
    gallery.dataset.count = str(summary["count"])
    gallery.dataset.epoch = str(summary["epoch"])  # the model's epoch whose samples these are (tests read it)
    gallery.dataset.kind = sel["kind"]
    el("sel-clear").hidden = sel["kind"] == "all"
    more_button = el("sel-more")
    more_button.hidden = linked["shown"] >= summary["count"]
    more_button.textContent = "Show more (%s of %s shown)" % (thousands(linked["shown"]), thousands(summary["count"]))


async def _more():
    sel = linked["sel"]
    reply = await call("select_samples", json.dumps(sel), linked["shown"])
    if linked["sel"] is sel:
        await _show(sel, reply, True)


def on_more(event):
    if ui_activity.ready():
        asyncio.create_task(_more())


def on_gallery_click(event):
    tile = event.target.closest("button.sample")
    if tile is None or not ui_activity.ready():
        return
    i = int(tile.getAttribute("data-i"))
    for b in document.querySelectorAll("#train-gallery button.sample[aria-pressed=true]"):
        b.setAttribute("aria-pressed", "false")
    tile.setAttribute("aria-pressed", "true")
    ui_train.show_sample(i)


# ---- hover: one sample highlighted everywhere ---------------------------------------------------

def _hover(i, error):
    if i == linked["hover"]:
        return
    linked["hover"] = i
    for b in document.querySelectorAll("#train-gallery button.sample.hovered"):
        b.classList.remove("hovered")
    if i >= 0:
        tile = document.querySelector('#train-gallery button.sample[data-i="%d"]' % i)
        if tile is not None:
            tile.classList.add("hovered")
    linked["hover_next"] = (i, error)
    if not linked["hover_busy"]:
        asyncio.create_task(_set_hover())


async def _set_hover():
    linked["hover_busy"] = True
    try:
        while linked["hover_next"] is not None:
            i, error = linked["hover_next"]
            linked["hover_next"] = None
            await window.charts.setSignal("hist-chart", "hoverError", json.dumps(error))
            await window.charts.setSignal("hist-chart", "hoverSample", str(i))
            await window.charts.setSignal("latent-chart", "hoverSample", str(i))
            if not el("timeline-panel").hidden:
                await window.charts.setSignal("timeline-errors", "hoverSample", str(i))
    finally:
        linked["hover_busy"] = False


def on_gallery_over(event):
    tile = event.target.closest("button.sample")
    if tile is None:
        return
    i = int(tile.getAttribute("data-i"))
    _hover(i, float(tile.getAttribute("data-e")))


def on_gallery_out(event):
    _hover(-1, 0)


def on_latent_hover(event):
    value = json.loads(event.detail)
    if value and value.get("i") and value.get("error"):
        _hover(int(value["i"][0]), value["error"][0])
    else:
        _hover(-1, 0)


def on_threshold_set(event):
    """The threshold slider let go: which samples are flagged (a confusion cell's) has changed."""
    if state["model"] is not None:
        _apply(linked["sel"])


def after_refresh():
    """The model changed (an epoch, a rebuild, a new threshold): the same selection, its samples now;
    during a run of epochs, once it stops (the engine's time goes to training meanwhile)."""
    if ui_activity.mode() == "training":
        linked["behind"] = True
        return
    _apply(linked["sel"])


def on_mode():
    if linked.get("behind") and ui_activity.idle():
        linked["behind"] = False
        _apply(linked["sel"])


def setup():
    for chart, (param, event_name) in CHARTS.items():
        window.charts.listen(chart, param, event_name)
        window.addEventListener(event_name, _on_chart(chart))
    window.charts.listen("latent-chart", "hoverpick", "linkhover")
    window.addEventListener("linkhover", on_latent_hover)
    for b in document.querySelectorAll(".cm-cell"):
        b.onclick = on_cell
    el("sel-clear").onclick = clear
    el("sel-more").onclick = on_more
    gallery = el("train-gallery")
    gallery.onclick = on_gallery_click
    gallery.onmouseover = on_gallery_over
    gallery.onmouseleave = on_gallery_out
    window.addEventListener("keydown", on_key)
    el("thr-slider").addEventListener("change", on_threshold_set)
    ui_train.after_refresh.append(after_refresh)
    ui_activity.listen(on_mode)
