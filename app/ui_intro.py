# The introduction view (MicroPython): gallery, one heartbeat's reconstruction, drawing your
# own heartbeat, and the threshold explorer. Everything except scoring a drawing works from the
# pretrained model's precomputed results (dist/pretrained/), before the engine has loaded.
import asyncio
import json

from pyscript import document, window

from data import about
from models import settings

from app.ui_common import call, el, esc, fmt, framed, pct, sig, state, text, yield_to_browser
from app import drawing, ui_activity

PAGE = 60
RARE = 0.02  # the threshold explorer's "what if anomalies were rare" share
intro = {"shown": 0, "selected": None, "pending_drawing": None, "grid_cols": None}


def class_name(c):
    return about.class_name(state["gallery"]["about"], c)


def _abnormal(c):
    return not about.is_normal(state["gallery"]["about"], c)


def verdict_html(error, threshold, true_class=None):
    """The verdict box: error vs threshold, NORMAL / ABNORMAL, and the truth when known."""
    abnormal = error > threshold
    word = "ABNORMAL" if abnormal else "NORMAL"
    rows = ['<p class="verdict %s" id="intro-verdict-word">%s</p>' % ("bad" if abnormal else "good", word),
            '<dl class="facts"><dt>Reconstruction error</dt><dd id="intro-error">%s</dd>' % sig(error),
            '<dt>Threshold</dt><dd id="intro-threshold">%s</dd>' % sig(threshold)]
    if true_class is not None:
        truly = _abnormal(true_class)
        right = truly == abnormal
        rows.append('<dt>True class</dt><dd id="intro-class">%s (%s)</dd>'
                    % (esc(class_name(true_class)), "abnormal" if truly else "normal"))
        rows.append('<dt>Model was</dt><dd class="%s">%s</dd>' % ("good" if right else "bad",
                                                                  "right" if right else "wrong"))
    else:
        rows.append('<dt>True class</dt><dd id="intro-class">unknown: you drew it</dd>')
    rows.append("</dl>")
    why = ("The error is above the threshold, so the model calls it abnormal."
           if abnormal else "The error is below the threshold, so the model calls it normal.")
    rows.append('<p class="why">%s</p>' % why)
    return "".join(rows)


# ---- gallery -------------------------------------------------------------------------------------

def _tile(j, b):
    name = class_name(b["c"])
    width, height = state["gallery"]["spark"]
    return ('<button type="button" class="beat c%d" data-n="%d" aria-pressed="false" '
            'title="Test beat %d: %s, error %s" aria-label="Test beat %d, %s">'
            '<svg viewBox="0 0 %d %d" preserveAspectRatio="none" aria-hidden="true"><path d="%s"/></svg>'
            '</button>' % (b["c"], j, b["i"], esc(name), sig(b["e"]), b["i"], esc(name), width, height, b["p"]))


def show_more(event=None):
    beats = state["gallery"]["beats"]
    start = intro["shown"]
    end = min(len(beats), start + PAGE)
    el("gallery").insertAdjacentHTML("beforeend", "".join(_tile(j, beats[j]) for j in range(start, end)))
    intro["shown"] = end
    more = el("gallery-more")
    if end >= len(beats):
        more.hidden = True
    text("gallery-count", "Showing %d of %d test heartbeats." % (end, len(beats)))


def _legend():
    g = state["gallery"]
    shipped = {}
    for b in g["beats"]:
        shipped[b["c"]] = shipped.get(b["c"], 0) + 1
    chips = []
    for c in about.labels(g["about"]):
        chips.append('<button type="button" class="chip c%d" data-c="%d" aria-pressed="true">'
                     '<span class="swatch" aria-hidden="true"></span>%s <small>(%d)</small></button>'
                     % (c, c, esc(class_name(c)), shipped.get(c, 0)))
    el("legend").innerHTML = "".join(chips)


def on_legend(event):
    chip = event.target.closest("button.chip")
    if chip is None:
        return
    c = chip.getAttribute("data-c")
    on = chip.getAttribute("aria-pressed") == "true"
    chip.setAttribute("aria-pressed", "false" if on else "true")
    g = el("gallery")
    if on:
        g.classList.add("hide-c" + c)
    else:
        g.classList.remove("hide-c" + c)


def on_gallery(event):
    tile = event.target.closest("button.beat")
    if tile is not None:
        show_beat(int(tile.getAttribute("data-n")))


def show_beat(j):
    g = state["gallery"]
    b = g["beats"][j]
    old = intro["selected"]
    if old is not None:
        prev = document.querySelector('#gallery button[data-n="%d"]' % old)
        if prev is not None:
            prev.setAttribute("aria-pressed", "false")
    tile = document.querySelector('#gallery button[data-n="%d"]' % j)
    if tile is not None:
        tile.setAttribute("aria-pressed", "true")
    intro["selected"] = j
    text("intro-recon-title", "Test heartbeat #%d" % b["i"])
    el("intro-verdict").innerHTML = verdict_html(b["e"], g["threshold"], b["c"])
    text("intro-where", b["w"])
    asyncio.create_task(_chart_beat(j, b["i"]))


async def _chart_beat(j, i):
    await window.charts.showSignal("intro-recon", "beats", "signals", j)
    el("intro-recon").dataset.beat = str(i)


# ---- drawing your own heartbeat -----------------------------------------------------------------

def on_stroke(event):
    points = json.loads(event.detail)
    if len(points) < 2:
        return
    xs = [p[0] for p in points]
    width, height = state["gallery"]["spark"]
    if max(xs) - min(xs) < width / 2:
        text("draw-status", "Draw across the box from left to right (at least half its width), then let go.")
        return
    lo, hi = state["gallery"]["raw_range"]
    values = drawing.resample(points, lo, hi, state["gallery"]["about"]["length"], width, height)
    intro["pending_drawing"] = values
    if not ui_activity.ready():
        text("draw-status", "Got it. Your heartbeat will be scored as soon as the Python engine has "
                            "loaded (see the status at the top).")
        return
    asyncio.create_task(score_drawing())


async def score_drawing():
    values = intro["pending_drawing"]
    if values is None or not ui_activity.ready():
        return
    intro["pending_drawing"] = None
    text("draw-status", "Scoring your heartbeat… (once the engine has finished the epoch it is training)"
         if ui_activity.mode() in ("training", "stepping") else "Scoring your heartbeat…")
    reply = await call("reconstruct_drawn", json.dumps(values))
    summary, parts = framed(reply)
    if summary.get("error"):
        text("draw-status", "Could not score it: " + summary["error"])
        return
    old = intro["selected"]
    if old is not None:
        prev = document.querySelector('#gallery button[data-n="%d"]' % old)
        if prev is not None:
            prev.setAttribute("aria-pressed", "false")
    intro["selected"] = None
    text("intro-recon-title", "Your heartbeat")
    el("intro-verdict").innerHTML = verdict_html(summary["sample_error"], summary["threshold"])
    text("intro-where", summary["sample_where"]["text"])
    await window.charts.replaceMany("intro-recon", parts["recon"])
    el("intro-recon").dataset.beat = "drawn"
    err = summary["sample_error"]
    verdict = "ABNORMAL" if err > summary["threshold"] else "NORMAL"
    text("draw-status", "Scored: %s (error %s, threshold %s). See the chart and verdict above. Clear to draw again."
         % (verdict, sig(err), sig(summary["threshold"])))


def on_clear(event):
    window.drawPad.clear("pad")
    intro["pending_drawing"] = None
    text("draw-status", "Draw a heartbeat: press and drag across the box.")


def engine_ready():
    """Called once the engine has loaded the pretrained model."""
    text("draw-note", "")
    if intro["pending_drawing"] is not None:
        asyncio.create_task(score_drawing())


# ---- threshold explorer ---------------------------------------------------------------------------

def on_threshold(event=None):
    g = state["gallery"]["grid"]
    k = int(el("intro-thr").value)
    row = g["rows"][k]
    thr, acc, prec, rec, f1, fpr, tp, fp, tn, fn = row
    text("intro-thr-value", sig(thr))
    el("intro-thr-value").dataset.threshold = str(thr)
    for name, v in (("acc", acc), ("prec", prec), ("rec", rec), ("fpr", fpr)):
        text("ix-" + name, pct(v))
    text("ix-cm", "%d caught · %d missed · %d false alarms · %d correctly passed" % (tp, fn, fp, tn))
    rare_acc = (1 - RARE) * (1 - fpr) + RARE * rec
    text("ix-rare", "If only 1 beat in 50 were abnormal, this threshold would score %s accuracy, and a "
                    "detector that never flags anything would score %s. Accuracy alone hides the "
                    "anomalies it misses: look at recall (how many anomalies are caught) and the "
                    "false-alarm rate too." % (pct(rare_acc), pct(1 - RARE)))
    model_k = g["model_step"]
    text("intro-thr-note", "This is the model's own threshold: %s." % _rule_text() if k == model_k
         else "The model's own threshold is %s." % sig(g["rows"][model_k][0]))
    window.charts.replace("intro-hist", "threshold", json.dumps([{"threshold": thr}]))


def _rule_text():
    g = state["gallery"]
    return settings.threshold_rule_text(g["config"], about.samples(g["about"]))


def on_thr_reset(event):
    el("intro-thr").value = str(state["gallery"]["grid"]["model_step"])
    on_threshold()


# ---- start ---------------------------------------------------------------------------------------

async def start():
    """Load the precomputed results and draw the introduction (no engine needed)."""
    try:
        resp = await window.fetch("pretrained/gallery.json")
        if not resp.ok:
            raise RuntimeError("HTTP %d" % resp.status)
        state["gallery"] = json.loads(await resp.text())
        beats_loaded = window.charts.load("beats", "pretrained/beats.json")
    except Exception as e:
        text("intro-model", "The pretrained model's results could not be loaded (%s). Reload the page to try again." % e)
        return
    await yield_to_browser()
    g = state["gallery"]
    _describe_model()
    _legend()
    el("legend").onclick = on_legend
    el("gallery").onclick = on_gallery
    el("gallery-more").onclick = show_more
    show_more()
    await yield_to_browser()
    el("pad").setAttribute("viewBox", "0 0 %d %d" % tuple(g["spark"]))
    el("pad-guide").setAttribute("d", g["guide"])
    el("pad").addEventListener("stroke", on_stroke)
    el("pad-clear").onclick = on_clear
    window.drawPad.attach("pad")
    slider = el("intro-thr")
    slider.oninput = on_threshold
    el("intro-thr-reset").onclick = on_thr_reset
    await beats_loaded
    await _show_results()
    el("intro").dataset.ready = "1"


async def _show_results():
    """Everything that depends on the introduction's model: the threshold explorer, its
    histogram and the selected beat (the first abnormal one to start with: the interesting case)."""
    g = state["gallery"]
    slider = el("intro-thr")
    slider.max = str(len(g["grid"]["rows"]) - 1)
    slider.value = str(g["grid"]["model_step"])
    await window.charts.replaceFrom("intro-hist", "errors", "beats", "hist")
    on_threshold()
    j = intro["selected"]
    if j is None:
        j = 0
        for k, b in enumerate(g["beats"]):
            if _abnormal(b["c"]):
                j = k
                break
    show_beat(j)


def _describe_model():
    g = state["gallery"]
    m = g["metrics"]
    shape = settings.shape_text(g["sizes"])
    who = ("Your loaded model (layers %s, trained %d epochs)" if g.get("loaded")
           else "The pretrained model (layers %s, trained %d epochs on normal beats)") % (shape, g["epochs"])
    rule = _rule_text()
    text("intro-model", "%s scores AUC %s on the %d test heartbeats (%d of them abnormal). Its threshold is "
         "%s: %s. At that threshold it catches %s of the anomalies with %s false alarms."
         % (who, fmt(g["auc"]), g["n_test"], g["n_abnormal"], rule, sig(g["threshold"]), pct(m["recall"]),
            pct(m["fpr"])))
    el("intro").dataset.model = "loaded" if g.get("loaded") else "pretrained"


async def use_loaded_model():
    """A model file was loaded: the gallery, the beat view, the threshold explorer and drawing
    now use it (the engine computes what the build precomputed for the pretrained model)."""
    g = state["gallery"]
    if g is None:
        return
    indices = [b["i"] for b in g["beats"]]
    summary, parts = framed(await call("intro_results", json.dumps(indices)))
    if summary.get("error"):
        text("intro-model", "The loaded model's results could not be computed: " + summary["error"])
        return
    for b, e, w in zip(g["beats"], summary["errors"], summary["wheres"]):
        b["e"], b["w"] = e, w
    for key in ("config", "epochs", "auc", "threshold", "metrics", "n_test", "n_abnormal", "sizes"):
        g[key] = summary[key]
    g["grid"]["rows"] = summary["grid"]["rows"]
    g["grid"]["model_step"] = summary["grid"]["model_step"]
    g["loaded"] = True
    window.charts.put("beats", parts["beats"])
    box = el("gallery")  # the tiles' titles carry each beat's error
    box.innerHTML = "".join(_tile(j, g["beats"][j]) for j in range(intro["shown"]))
    _describe_model()
    drawn = el("intro-recon").dataset.beat == "drawn"
    await _show_results()
    if drawn:
        text("draw-status", "The model changed: draw again to have the loaded model judge your heartbeat.")
