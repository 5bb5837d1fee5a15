# The run history panel (MicroPython, issue 18). Every Train run that reaches its end (its epochs,
# early stopping, or divergence) is recorded in this browser (static/history.js, IndexedDB); a
# paused run is recorded once Train has taken it to its end. app/history_record.py says what a
# record holds and checks each one read back. The panel, collapsed at first, reads the records
# only when opened, a chunk per task (a history of 1,000 runs must not block the page), keeps one
# compact row per run, and shows the newest first, PAGE rows at a time. History is local: it never
# goes into a link, and `hide=history` hides the panel.
import asyncio
import json
import time

from pyscript import document, window

from data import gallery
from models import links, settings

from app.protocol import LIVE_KEYS
from app.ui_common import el, esc, state, text, yield_to_browser
from app import history_record as hr
from app import ui_compare, ui_train

STEP = 10       # records read from history.js at a time
SLICE_MS = 12   # work done in one task before the page gets the thread back (a 1,000-run history:
                # MicroPython parses and checks a record in ~1 ms; docs/bench.md, run history)
PAGE = 50       # table rows shown at first, and added by "Show more"
CHART_RUNS = 200  # the chart of a setting against AUC shows the newest runs (more dots are a blur, and slow)
MAX_CHOSEN = 4
hist = {"ok": None, "count": 0, "rows": None, "bad": [], "loading": False, "sort": ("id", True), "shown": PAGE,
        "chosen": [], "overlay_charts": False, "setting_chart": False, "seen": {}, "varying": {}, "points": 0}


class Slicer:
    """Long work cut into tasks: `await slicer.pause()` between steps yields to the browser once
    SLICE_MS have passed."""

    def __init__(self):
        self.t0 = time.ticks_ms()

    def due(self):
        return time.ticks_diff(time.ticks_ms(), self.t0) > SLICE_MS

    async def pause(self):
        if self.due():
            await yield_to_browser()
            self.t0 = time.ticks_ms()


def _status(message, error=False):
    node = el("history-status")
    node.textContent = message
    node.className = "note error" if error else "note"


def _summary_line():
    n = hist["count"]
    text("history-summary", "Show the %d run%s recorded in this browser" % (n, "" if n == 1 else "s")
         if n else "No run recorded yet in this browser")


async def start():
    """Whether this browser keeps a history here; how many runs it holds."""
    reply = json.loads(await window.runHistory.open())
    if reply.get("error"):
        hist["ok"] = False
        _status("Run history is off: this browser does not let the page keep data here (%s). Training works as "
                "usual; runs are just not recorded." % reply["error"], True)
        el("history-details").hidden = True
        return
    hist["ok"] = True
    hist["count"] = reply["count"]
    _summary_line()


# ---- recording a run ----------------------------------------------------------------------------

def _run_config():
    """The settings the model was trained with: those it was built from, with the live ones (the
    threshold, the epochs) as they are now."""
    config = dict(state["built_config"] or state["config"])
    for key in LIVE_KEYS:
        config[key] = state["config"][key]
    return config


def _baselines(config):
    """The scikit-learn detectors' AUCs when the comparison ran on this experiment."""
    if config.get("baselines") != "on":
        return None
    out = {}
    for r in ui_compare.compare["rows"]:
        if r["name"] != "autoencoder" and not r.get("error"):
            out[r["label"]] = r.get("auc")
    return out or None


def on_run_end(status, last):
    if not hist["ok"] or state["summary"] is None or state["model"] is None:
        return
    config = _run_config()
    title = gallery.title(config["dataset"])
    if config["dataset"] == gallery.FILE and config.get("file_name"):
        title = "%s (your file)" % config["file_name"]
    record = hr.make_record(config, links.encode(config), state["model"], state["summary"], status, state["epoch"],
                            ui_train.train.get("wall_ms", 0), window.Date.new().toISOString(), title,
                            last.get("loss"), last.get("val_loss"), _baselines(config))
    asyncio.create_task(_store(window.runHistory.add(json.dumps(record)), record))


async def _store(adding, record):
    reply = json.loads(await adding)
    el("history-retry").hidden = not reply.get("error")
    if reply.get("error"):
        what = ("this browser's storage for the page is full" if reply.get("quota")
                else "the browser refused to store it")
        _status("The run that just ended (epoch %d, AUC %s) was not recorded: %s (%s). The run itself is unaffected "
                "and stays on the page: delete or export old runs, then press \u201cRecord it again\u201d."
                % (record["epochs"], "–" if record["auc"] is None else "%.4f" % record["auc"], what, reply["error"]),
                True)
        return
    hist["count"] += 1
    _summary_line()
    _status("Run %d recorded (%d in this browser)." % (reply["id"], hist["count"]))
    if hist["rows"] is not None and "kind" in record:
        record["id"] = reply["id"]
        hist["rows"].append(hr.row(record))
        hr.note_settings(hist["seen"], hist["varying"], record)
        await _after_change()
    elif hist["rows"] is not None:  # a run recorded again: read it back with the others
        hist["rows"] = None
        asyncio.create_task(load())


def on_retry(event):
    asyncio.create_task(_store(window.runHistory.retry(), {"epochs": state["epoch"], "auc": None}))


# ---- reading the history ------------------------------------------------------------------------

async def load():
    """Every stored run, checked, as compact rows; the newest shown as soon as they are read."""
    if hist["loading"] or not hist["ok"]:
        return
    hist["loading"] = True
    try:
        reply = json.loads(await window.runHistory.list())
        if reply.get("error"):
            _status("The history could not be read: %s." % reply["error"], True)
            return
        n = reply["count"]
        rows, bad, seen, varying = [], [], {}, {}
        hist["rows"], hist["bad"], hist["seen"], hist["varying"] = rows, bad, seen, varying
        offset, shown, slicer = 0, False, Slicer()
        while offset < n:
            for key, value, problem in json.loads(await window.runHistory.page(offset, STEP)):
                record, why = (None, problem) if value is None else hr.check(value)
                if record is None:
                    bad.append((key, why))
                else:
                    rows.append(hr.row(record))
                    hr.note_settings(seen, varying, record)
            offset += STEP
            if slicer.due():
                if not shown and len(rows) >= PAGE:  # the newest, at once
                    shown = True
                    _table()
                text("history-summary", "Reading the history: %d of %d runs…" % (offset, n))
            await slicer.pause()
        hist["count"] = len(rows)
        _summary_line()
        await _after_change()
        _report_bad()
    finally:
        hist["loading"] = False


def _report_bad():
    bad = hist["bad"]
    node = el("history-bad")
    node.hidden = not bad
    el("history-drop-bad").hidden = not bad
    if bad:
        shown = ", ".join(["%s (%s)" % (key, why) for key, why in bad[:5]])
        node.textContent = ("%d stored record%s could not be read and %s left out: %s%s."
                            % (len(bad), "" if len(bad) == 1 else "s", "is" if len(bad) == 1 else "are",
                               shown, " and %d more" % (len(bad) - 5) if len(bad) > 5 else ""))


async def _after_change(settings_changed=False):
    if settings_changed:  # a run deleted may have been the only one with another value
        await _note_all()
    _table()
    await yield_to_browser()
    _setting_options()
    await _overlay()


async def _note_all():
    seen, varying, slicer = {}, {}, Slicer()
    for r in hist["rows"] or []:
        hr.note_settings(seen, varying, r["record"])
        await slicer.pause()
    hist["seen"], hist["varying"] = seen, varying


# ---- the table ----------------------------------------------------------------------------------

def _head():
    cells = ['<th scope="col"><span class="sr-only">Overlay</span></th>']
    for key, title in hr.COLUMNS:
        cells.append('<th scope="col"><button type="button" data-sort="%s">%s</button></th>' % (key, esc(title)))
    cells.append('<th scope="col">Run</th>')
    el("history-head").innerHTML = "<tr>" + "".join(cells) + "</tr>"


def _table():
    rows = hist["rows"] or []
    key, descending = hist["sort"]
    ordered = hr.sort_rows(rows, key, descending)
    shown = ordered[:hist["shown"]]
    html = []
    for r in shown:  # every cell escaped: a file name is the user's text
        rid = r["id"]
        html.append('<tr data-id="%d" data-auc="%s"><td><input type="checkbox" data-id="%d" aria-label="Overlay run %d"%s></td>'
                    % (rid, "" if r["auc"] is None else repr(r["auc"]), rid, rid, " checked" if rid in hist["chosen"] else ""))
        for k, cell in enumerate(hr.cells(r)):
            html.append('<td%s>%s</td>' % (' class="status-%s"' % r["status"] if k == 5 else
                                           ' class="nowrap"' if k in (1, 3) else "", esc(cell)))
        html.append('<td class="acts"><button type="button" class="mini" data-act="restore" data-id="%d">Restore</button>'
                    '<button type="button" class="mini" data-act="delete" data-id="%d" aria-label="Delete run %d">Delete</button>'
                    '</td></tr>' % (rid, rid, rid))
    el("history-rows").innerHTML = "".join(html)
    el("history-table").hidden = not rows
    more = len(ordered) - len(shown)
    el("history-more").hidden = more <= 0
    if more > 0:
        text("history-more", "Show %d more (of %d)" % (min(PAGE, more), len(ordered)))
    for b in document.querySelectorAll("#history-head button"):
        b.className = "sorted" if b.getAttribute("data-sort") == key else ""
    empty = not rows and not hist["loading"]
    for id_ in ("history-csv", "history-json", "history-clear"):
        el(id_).disabled = empty


def on_sort(event):
    key = event.target.getAttribute("data-sort")
    if not key:
        return
    old, descending = hist["sort"]
    # the same column again flips it; a new one starts with the most useful end (best, newest)
    hist["sort"] = (key, not descending) if key == old else (key, key not in ("dataset", "architecture", "key_settings", "wall_ms"))
    _table()


def on_more(event):
    hist["shown"] += PAGE
    _table()


def on_rows_click(event):
    t = event.target
    act = t.getAttribute("data-act")
    if not act:
        return
    rid = int(t.getAttribute("data-id"))
    if act == "restore":
        asyncio.create_task(_restore(rid))
    elif act == "delete":
        asyncio.create_task(_delete([rid]))


def on_rows_change(event):
    t = event.target
    if t.getAttribute("type") != "checkbox":
        return
    rid = int(t.getAttribute("data-id"))
    if t.checked:
        if len(hist["chosen"]) >= MAX_CHOSEN:
            t.checked = False
            text("history-overlay-note", "Overlay at most four runs: untick one first.")
            return
        hist["chosen"].append(rid)
    elif rid in hist["chosen"]:
        hist["chosen"].remove(rid)
    asyncio.create_task(_overlay())


# ---- actions ------------------------------------------------------------------------------------

async def _restore(rid):
    reply = json.loads(await window.runHistory.get(rid))
    if reply.get("error"):
        _status("Run %d could not be restored: %s." % (rid, reply["error"]), True)
        return
    record, why = hr.check(reply["value"])
    if record is None:
        _status("Run %d could not be restored: its record is %s." % (rid, why), True)
        return
    config, _, rejected = links.decode(record["link"])
    # the classroom's hidden parts stay hidden; the page reads the new hash like any edited link
    window.location.hash = "#" + links.encode(config, state["hide"])
    _status("Restored the settings of run %d%s. Press Train to run it again." % (
        rid, " (%s)" % links.describe(rejected) if rejected else ""))


async def _delete(ids):
    reply = json.loads(await window.runHistory.remove(json.dumps(ids)))
    if reply.get("error"):
        _status("Could not delete: %s." % reply["error"], True)
        return
    gone = set(ids)
    hist["rows"] = [r for r in (hist["rows"] or []) if r["id"] not in gone]
    hist["bad"] = [b for b in hist["bad"] if b[0] not in gone]
    hist["chosen"] = [i for i in hist["chosen"] if i not in gone]
    hist["count"] = len(hist["rows"])
    _summary_line()
    _report_bad()
    await _after_change(True)
    _status("Deleted run %d." % ids[0] if len(ids) == 1 else "Deleted %d records." % len(ids))


def on_drop_bad(event):
    asyncio.create_task(_delete([b[0] for b in hist["bad"]]))


def on_clear(event):
    n = hist["count"]
    if not window.confirm("Delete all %d recorded runs from this browser? This cannot be undone "
                          "(export them first to keep them)." % n):
        return
    asyncio.create_task(_clear())


async def _clear():
    reply = json.loads(await window.runHistory.clear())
    if reply.get("error"):
        _status("Could not clear the history: %s." % reply["error"], True)
        return
    hist["rows"], hist["bad"], hist["chosen"], hist["count"] = [], [], [], 0
    _summary_line()
    _report_bad()
    await _after_change(True)
    _status("The history is cleared.")


def _today():
    return window.Date.new().toISOString()


async def _export_csv():
    reply = json.loads(await window.runHistory.list())
    if reply.get("error"):
        _status("Could not export: %s." % reply["error"], True)
        return
    keys = [s["key"] for s in settings.SETTINGS]
    lines, offset = [hr.csv_header(keys)], 0
    while offset < reply["count"]:
        for _, value, _ in json.loads(await window.runHistory.page(offset, STEP)):
            record, _ = (None, None) if value is None else hr.check(value)
            if record is not None:
                lines.append(hr.csv_line(record, keys))
        offset += STEP
    window.runHistory.download(hr.file_name(_today(), "csv"), "".join(lines), "text/csv")
    _status("Exported %d runs as CSV." % (len(lines) - 1))


def on_csv(event):
    asyncio.create_task(_export_csv())


def on_json(event):
    ids = [r["id"] for r in hr.sort_rows(hist["rows"] or [], "id", False)]
    asyncio.create_task(_export_json(ids))


async def _export_json(ids):
    date = _today()
    reply = json.loads(await window.runHistory.exportJson(hr.file_name(date, "json"), json.dumps(hr.export_header(date)),
                                                          json.dumps(ids)))
    if reply.get("error"):
        _status("Could not export: %s." % reply["error"], True)
    else:
        _status("Exported %d runs as JSON." % len(ids))


# ---- the charts ---------------------------------------------------------------------------------

async def _overlay():
    """The loss and ROC curves of the chosen runs, one colour per run."""
    chosen = hr.sort_rows([r for r in (hist["rows"] or []) if r["id"] in hist["chosen"]], "id", False)
    panel = el("history-overlay")
    if len(chosen) < 2:
        panel.hidden = True
        text("history-overlay-note", "Tick two to four runs to overlay their loss curves and ROC curves.")
        return
    panel.hidden = False
    if not hist["overlay_charts"]:  # embedded once visible: a hidden chart has no width
        hist["overlay_charts"] = True
        window.charts.show("history-loss", "history_loss")
        window.charts.show("history-roc", "history_roc")
    reply = json.loads(await window.runHistory.overlay(json.dumps([r["id"] for r in chosen]),
                                                      json.dumps([hr.label(r["record"]) for r in chosen])))
    if reply.get("error"):
        text("history-overlay-note", "The curves could not be read: %s." % reply["error"])
    elif reply["missing"]:
        text("history-overlay-note", "No curves are stored for run%s %s." % (
            "" if len(reply["missing"]) == 1 else "s", ", ".join([str(i) for i in reply["missing"]])))
    else:
        text("history-overlay-note", "Runs %s overlaid: solid lines train, dashed validation." % ", ".join(
            [str(r["id"]) for r in chosen]))
    panel.dataset.runs = ",".join([str(r["id"]) for r in chosen])  # tests read it


def _setting_options():
    keys = hr.ordered_settings(hist["seen"], hist["varying"])
    select = el("history-setting-key")
    current = select.value
    select.innerHTML = "".join(['<option value="%s">%s</option>' % (esc(k), esc(settings.BY_KEY[k]["label"]
                                                                              if k in settings.BY_KEY else k))
                                for k in keys])
    box = el("history-setting")
    if not keys:
        box.hidden = True
        text("history-setting-note", "")
        return
    box.hidden = False
    select.value = current if current in keys else keys[0]
    asyncio.create_task(_setting_chart())


async def _setting_chart():
    key = el("history-setting-key").value
    if not key:
        return
    if not hist["setting_chart"]:
        hist["setting_chart"] = True
        window.charts.show("history-setting-chart", "history_setting")
    rows = [r for r in hr.sort_rows(hist["rows"] or [], "id", True) if r["auc"] is not None][:CHART_RUNS]
    points = hr.setting_points(rows, key)
    total = len([r for r in hist["rows"] or [] if r["auc"] is not None])
    text("history-setting-note", "%d run%s with an AUC%s." % (
        len(points), "" if len(points) == 1 else "s", " (the newest of %d)" % total if total > len(points) else ""))
    await window.charts.replace("history-setting-chart", "points", json.dumps(points))


def on_setting(event):
    asyncio.create_task(_setting_chart())


def on_toggle(event):
    if el("history-details").open and hist["rows"] is None:
        asyncio.create_task(load())


def setup():
    _head()
    el("history-details").ontoggle = on_toggle
    el("history-head").onclick = on_sort
    el("history-rows").onclick = on_rows_click
    el("history-rows").onchange = on_rows_change
    el("history-more").onclick = on_more
    el("history-csv").onclick = on_csv
    el("history-json").onclick = on_json
    el("history-clear").onclick = on_clear
    el("history-retry").onclick = on_retry
    el("history-drop-bad").onclick = on_drop_bad
    el("history-setting-key").onchange = on_setting
    ui_train.after_run.append(on_run_end)
    asyncio.create_task(start())
