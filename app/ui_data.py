# Your own data (MicroPython): drop, pick or paste a file; the engine reads it (data/user_file.py)
# and this panel shows what it read before anything trains: rows, length, the labels found, the
# warnings and a few samples drawn. "Train on this file" makes it the dataset (settings
# dataset=file and the file's name, sha256 and parse options: a link holds those, never the data).
# A link naming a file asks for it, and checks it is the same one. The file's bytes go from the
# browser to the engine through static/userdata.js, never through this module; everything the file
# says (its name, header, labels) is shown as text only.
import asyncio
import json

from pyscript import window

from data import limits
from models import settings

from app.ui_common import el, esc, framed, say, state, text, thousands
from app import control_text, ui_activity, ui_config, ui_train

FILE_KEYS = [s["key"] for s in settings.SETTINGS if s["group"] == "file" and s["kind"] == "choice"
             or s["key"] in ("value_column", "label_column")]
panel = {"found": None, "busy": False}


def _status(message, error=False):
    node = el("data-status")
    node.textContent = message
    node.className = "note error" if error else "note"


def render_options():
    """The parse options as controls (from the settings table), shown once a file was read."""
    html = []
    for key in FILE_KEYS:
        s = settings.BY_KEY[key]
        if s["kind"] == "choice":
            opts = "".join('<option value="%s">%s</option>' % (c, esc(c)) for c in s["choices"])
            field = '<select id="opt-%s">%s</select>' % (key, opts)
        else:
            field = '<input id="opt-%s" type="text" inputmode="numeric" autocomplete="off">' % key
        html.append('<div class="field" data-setting="%s"><label for="opt-%s">%s</label>%s</div>'
                    % (key, key, esc(s["label"]), field))
    el("data-options").innerHTML = '<div class="fields">%s</div>' % "".join(html)


def _chosen():
    """The options as the controls show them (the person may have changed some)."""
    out = {}
    for key in FILE_KEYS:
        out[key] = control_text.parse(key, el("opt-" + key).value)
    return out


def _show_options(found):
    for key in FILE_KEYS:
        el("opt-" + key).value = control_text.show(found[key])


def _summary(reply):
    p = reply["preview"]
    size = thousands(reply["bytes"]) + " bytes"
    if p["kind"] == "rows":
        if p["labels"] is None:
            labels = "no labels"
        else:
            labels = "labels: " + ", ".join("%s (%s)" % (t, thousands(n)) for t, n in p["labels"])
            if p["more"]:
                labels += " and %s more" % thousands(p["more"])
        return "%s (%s): %s samples of %s values each; %s." % (reply["name"], size, thousands(p["rows"]),
                                                              thousands(p["length"]), labels)
    marks = "no anomaly labels" if p["anomaly_points"] is None else "%s points labelled anomalous" % thousands(
        p["anomaly_points"])
    return ("%s (%s): one series of %s points; %s. It is cut into windows (Data: window length and "
            "stride); the first half trains, the second is tested." % (reply["name"], size, thousands(p["points"]), marks))


async def inspect(source, chosen=None):
    """Read a file (source "pick", "drop" or "paste") with the options chosen (None: detect)."""
    if state["engine"] is None or not ui_activity.ready():
        _status("The engine is not running: Retry it first, then choose the file again.", True)
        return None
    _status("Reading the file in the background…")
    el("data-progress").hidden = False  # indeterminate: NumPy reads it in one call
    try:
        raw = await window.userData.inspect(state["engine"], source, "data-file", "data-paste",
                                            json.dumps(chosen or {}), limits.MAX_FILE_BYTES)
    finally:
        el("data-progress").hidden = True
    reply, parts = framed(raw)
    if reply.get("error"):
        _status("Not read: %s. %s" % (reply["error"], "The data you train on is unchanged."), True)
        return None
    panel["found"] = reply["settings"]
    _show_options(reply["settings"])
    text("data-summary", _summary(reply))
    warnings = el("data-warnings")
    warnings.innerHTML = ""
    for w in reply["preview"]["warnings"]:
        item = window.document.createElement("li")
        item.textContent = w
        warnings.appendChild(item)
    el("data-preview").hidden = False
    if not panel.get("chart"):  # embedded once visible: a hidden chart has no width
        panel["chart"] = True
        window.charts.show("preview-chart", "preview")
    _status("Read. Check what was read below, then press Train on this file.")
    await window.charts.replaceMany("preview-chart", parts["preview"])
    return reply


async def use():
    """Train on the file just read: it becomes the dataset, and a fresh model is built for it."""
    found = panel["found"]
    if found is None:
        return
    config = dict(state["config"])
    config.update(found)
    if state["config"]["dataset"] != "file" or state["config"]["file_sha256"] != found["file_sha256"]:
        config["normal"] = []  # classes of another dataset mean nothing here
    ui_config.apply_config(config)
    ui_activity.request_stop()
    async with ui_activity.turn("building") as work:
        if not work.ok:
            return
        say("Building a model for %s…" % found["file_name"])
        if await ui_train.rebuild():
            m = state["model"]
            say("Your file %s: %s training and %s test %s. A fresh %s model: press Train."
                % (found["file_name"], thousands(m["train_samples"] + m["val_samples"]),
                   thousands(m["test_samples"]), state["about"]["sample"] + "s", settings.shape_text(m["sizes"])))
            _status("Training on %s." % found["file_name"])


def wanted_by_link():
    """A link that trains on a file: say which one to choose (it never travels in the link)."""
    c = state["config"]
    if c["dataset"] != "file":
        return
    _status("This link trains on your file %s (sha256 %s…). Choose it: it is checked to be the same "
            "file, and never leaves your device." % (c["file_name"] or "(no name)", c["file_sha256"][:12]))
    el("data-panel").scrollIntoView()


async def _read(source):
    if panel["busy"]:
        _status("Still reading the file before; choose this one again in a moment.", True)
        return
    panel["busy"] = True
    try:
        c = state["config"]
        linked = c["dataset"] == "file" and state["built_config"] is not None and (
            state["built_config"]["dataset"] != "file")
        chosen = None
        if linked:  # it must be the link's file (the engine checks its sha256 first), read as the link says
            chosen = {"file_sha256": c["file_sha256"], "file_name": c["file_name"]}
            for key in FILE_KEYS:
                chosen[key] = c[key]
        reply = await inspect(source, chosen)
        if reply is not None and linked:
            await use()
    finally:
        panel["busy"] = False


def on_pick(event):
    el("data-file").click()


def on_file(event):
    asyncio.create_task(_read("pick"))


def on_drop(event):
    asyncio.create_task(_read("drop"))


def on_paste(event):
    asyncio.create_task(_read("paste"))


def on_reread(event):
    try:
        chosen = _chosen()
    except ValueError as e:
        _status("Not read again: %s" % e, True)
        return
    asyncio.create_task(_reread(chosen))


async def _reread(chosen):
    await inspect("again", chosen)


def on_use(event):
    asyncio.create_task(use())


def setup():
    text("data-max", "%d MB" % (limits.MAX_FILE_BYTES // 2 ** 20))
    render_options()
    el("data-pick").onclick = on_pick
    el("data-file").onchange = on_file
    el("data-paste-read").onclick = on_paste
    el("data-reread").onclick = on_reread
    el("data-use").onclick = on_use
    el("data-drop").addEventListener("datafile", on_drop)
    window.userData.listen("data-drop")
