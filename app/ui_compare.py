# The compare panel (MicroPython): scikit-learn's classical detectors beside the autoencoder, on the
# same samples (models/baselines.py runs them in the worker). scikit-learn is loaded on first use
# only; then each detector runs as a command of its own, so training epochs sent meanwhile run in
# between and the page never waits. The autoencoder's row follows its training (every refresh of
# the training view); the detectors run again only when the samples or their settings change
# (the engine keeps their results). A link with baselines=on runs the comparison when it opens.
import asyncio

from pyscript import window

from models import detectors

from app.ui_common import call, call_json, el, framed, pct, state, text, thousands
from app import ui_activity, ui_links, ui_train

compare = {"busy": False, "loaded": False, "prepared": False, "rows": [], "best": None, "sort": None,
           "charts": False}


def _status(message, error=False):
    node = el("compare-status")
    node.textContent = message
    node.className = "note error" if error else "note"


def refresh_buttons():
    el("compare-run").disabled = compare["busy"] or not ui_activity.ready() or state["model"] is None


async def run():
    """Load scikit-learn if needed, run every detector whose result is not known yet, show the table."""
    if compare["busy"] or state["engine"] is None:
        return
    compare["busy"] = True
    refresh_buttons()
    try:
        if not compare["loaded"]:
            _status("Loading scikit-learn (once per visit; downloaded only the first time)…")
            el("compare-progress").hidden = False
            try:
                reply = await call_json("load_baselines")
            finally:
                el("compare-progress").hidden = True
            if reply.get("error"):
                _status("%s. The autoencoder works on; Compare tries again." % reply["error"], True)
                return
            compare["loaded"] = True
        n = len(detectors.DETECTORS)
        for k, d in enumerate(detectors.DETECTORS):
            _status("Running %s (%d of %d)…" % (d["label"], k + 1, n))
            reply = await call_json("baseline", d["name"])
            if reply.get("error"):  # the command itself failed (no model, a dead engine)
                _status("The comparison stopped: %s" % reply["error"], True)
                return
        _status("")
        await show()
    finally:
        compare["busy"] = False
        refresh_buttons()


async def show():
    """The table and the curves of what is known now (the autoencoder as trained now)."""
    summary, parts = framed(await call("compare_view"))
    if summary.get("error"):
        return
    compare["rows"], compare["best"] = summary["rows"], summary["best"]
    _table()
    _verdict(summary)
    if not compare["charts"]:  # embedded once the panel has something to show
        compare["charts"] = True
        window.charts.show("compare-roc", "compare_roc")
        window.charts.show("compare-pr", "compare_pr")
    await window.charts.replaceMany("compare-roc", parts["compare_roc"])
    await window.charts.replaceMany("compare-pr", parts["compare_pr"])


def _number(v, as_pct=False):
    if v is None:
        return "–"
    return pct(v) if as_pct else "%.4f" % v


def _ms(row):
    return (row["fit_ms"] or 0) + (row["score_ms"] or 0)


def _sort_value(row, key):
    if key == "label":
        return row["label"]
    v = _ms(row) if key == "ms" else row.get(key)
    return -1e300 if v is None else v


def _table():
    rows = list(compare["rows"])
    key = compare["sort"]
    if key is not None:
        rows.sort(key=lambda r: _sort_value(r, key), reverse=key != "label" and key != "ms")
    body = el("compare-rows")
    body.innerHTML = ""
    doc = window.document
    for r in rows:
        tr = doc.createElement("tr")
        tr.dataset.detector = r["name"]
        tr.dataset.auc = "" if r.get("auc") is None else repr(r["auc"])  # tests compare it with CPython's
        tr.dataset.ms = repr(_ms(r))  # the benchmark reads it
        if r["name"] == compare["best"]:
            tr.className = "best"
        cells = [r["label"] + (" ★" if r["name"] == compare["best"] else "")]
        if r.get("error"):
            cells.append(r["error"])
        else:
            cells += [_number(r["auc"]), _number(r["ap"]), _number(r["precision"], True), _number(r["recall"], True),
                      _number(r["f1"], True), "%s%s" % (thousands(int(round(_ms(r)))),
                                                       "" if r["fit_ms"] is not None else " (scoring)")]
        for k, value in enumerate(cells):
            td = doc.createElement("td")
            td.textContent = value  # text only
            if r.get("error") and k == 1:
                td.colSpan = 6
                td.className = "failed"
            if k == 0 and r.get("note"):
                td.title = r["note"]
            tr.appendChild(td)
        body.appendChild(tr)
    el("compare-table").hidden = False


def _verdict(summary):
    rows = {r["name"]: r for r in summary["rows"]}
    ae = rows.get("autoencoder")
    best = rows.get(summary["best"]) if summary["best"] else None
    if not summary["labelled"]:
        text("compare-verdict", "These samples have no labelled anomalies on both sides, so nothing can be ranked: "
             "the scores and thresholds are computed, but AUC and precision need labels.")
    elif best is None or ae is None or ae.get("auc") is None:
        text("compare-verdict", "")
    elif best["name"] == "autoencoder":
        text("compare-verdict", "The autoencoder ranks the test samples best here (AUC %.4f)." % ae["auc"])
    else:
        text("compare-verdict", (
            "%s ranks the test samples better than the autoencoder here (AUC %.4f against %.4f). That "
            "happens on small, clean, well-separated data: an unusual sample lies far from every normal "
            "one, and a distance to the training samples finds it without learning anything, while the "
            "autoencoder has to learn the normal shape first. More epochs or another network may close "
            "the gap; on larger, noisier data the autoencoder often wins.") % (best["label"], best["auc"], ae["auc"]))


def on_sort(event):
    key = event.target.getAttribute("data-sort")
    if key:
        compare["sort"] = key
        _table()


def on_run(event):
    if state["config"]["baselines"] != "on":  # the link says the comparison ran
        state["config"]["baselines"] = "on"
        ui_links.schedule_write()
    asyncio.create_task(run())


def after_refresh():
    """The training view was refreshed: the autoencoder's row follows it; with baselines on, the
    detectors run for samples they have not seen (a link that says so, other data settings)."""
    if state["config"]["baselines"] != "on" or compare["busy"] or not ui_activity.ready():
        return
    asyncio.create_task(_follow())


async def _follow():
    if compare["loaded"] and len(compare["rows"]) == len(detectors.DETECTORS) + 1 and compare["rows"][0]:
        await show()  # cheap: the detectors' results are kept; only the autoencoder's is new
        if len(compare["rows"]) == len(detectors.DETECTORS) + 1:
            return
    await run()


def _on_mode():
    refresh_buttons()
    if ui_activity.mode() == "starting":  # a new engine (Retry): scikit-learn is not in it
        compare["loaded"] = compare["prepared"] = False
        el("compare-run").removeAttribute("data-prepared")
    elif ui_activity.idle() and not compare["prepared"]:
        compare["prepared"] = True
        asyncio.create_task(_prepare())


async def _prepare():
    """On a visit where scikit-learn is in the offline cache (Compare was used on this device), load
    it while the page is idle, so that Compare then takes the detectors' own time (~1.3 s on the
    default experiment) without the ~2 s of installing and importing scikit-learn. In two steps,
    each sent only while the page is idle, so that training waits for one step at most; nothing is
    said: a Compare loads it itself, and says what went wrong. Not before the training view has
    drawn its charts (or ~10 s have passed): installing scikit-learn compiles its libraries on both
    cores, and the charts' first drawing beside it made tasks of 150-250 ms instead of 30-90."""
    for _ in range(20):
        if el("train-view").hasAttribute("data-epoch"):
            break
        await asyncio.sleep(0.5)
    for step in ("load", "detectors"):
        while not ui_activity.idle():
            if ui_activity.mode() in ("starting", "failed"):
                return
            await asyncio.sleep(0.5)
        if compare["busy"]:  # Compare was pressed: it loads scikit-learn itself
            return
        reply = await call_json("prepare_baselines", step)
        if not reply.get("ok"):
            return
        compare["loaded"] = True
    el("compare-run").dataset.prepared = "1"  # for the benchmark: Compare now runs only the detectors


def verdicts_text(verdicts):
    """The detectors' verdicts on one test sample, for the sample line (ui_train)."""
    if not verdicts:
        return ""
    return "Detectors: " + "; ".join("%s %s" % (v["label"], "ABNORMAL" if v["flagged"] else "normal")
                                     for v in verdicts) + "."


def setup():
    el("compare-run").onclick = on_run
    for b in window.document.querySelectorAll("#compare-table th button"):
        b.onclick = on_sort
    ui_activity.listen(_on_mode)
    ui_train.after_refresh.append(after_refresh)
    ui_train.verdicts_text.append(verdicts_text)
    refresh_buttons()
