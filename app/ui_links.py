# The URL hash is the experiment (MicroPython). models/links.py turns state["config"] (plus the
# classroom "hide" list) into the text after '#', and back.
#
# - Only write_now() writes the hash, always with history.replaceState: no history entry per
#   click, and no hashchange event, so writing never loops back into reading.
# - Opening a link, or editing the hash in place (hashchange: read_hash), decodes it; ui_config
#   shows its config everywhere (and rebuilds or marks the model stale).
# - A bad link never breaks the page: links.decode never raises; what it did not accept is listed
#   in a dismissible notice, set with textContent only.
# - Classroom mode: `hide=` names settings, groups or panels; they are hidden with one generated
#   style sheet (names come from links.HIDE_NAMES only), so re-rendered controls stay hidden.
import asyncio

from pyscript import document, window

from models import links

from app.ui_common import el, state, text

WRITE_DELAY = 0.15  # s: a burst of edits (a dragged slider) writes the hash once
# The classroom builder's checkboxes: (name in hide=, what people see).
CLASSROOM = [("training", "Training settings"), ("model", "Layer settings"), ("data", "Data settings"),
             ("threshold", "Threshold settings"), ("advanced", "Advanced settings"),
             ("composer", "Model composer"), ("export", "Saving and loading models"),
             ("history", "Run history")]
link = {"pending": False, "initial_rejected": [], "sheet": None}


def read_location():
    """The page's opening link -> its config (the notice is shown by setup(), once rendered)."""
    config, hide, rejected = links.decode(window.location.hash)
    state["hide"] = hide
    link["initial_rejected"] = rejected
    return config


def current_hash():
    return links.encode(state["config"], state["hide"])


def share_url(hash_text):
    loc = window.location
    return loc.origin + loc.pathname + loc.search + "#" + hash_text


def write_now():
    """Write the hash for the current config (replaceState), and show the link."""
    link["pending"] = False
    h = current_hash()
    raw = window.location.hash
    # a plain URL stays plain until something changes
    if ("#" + h) != raw and not (raw in ("", "#") and h == links.encode({})):
        window.history.replaceState(None, "", share_url(h))
    box = el("share-link")
    if box is not None:
        box.value = share_url(h)


def schedule_write():
    """Called after every change of state["config"]; writes the hash a moment later."""
    if link["pending"]:
        return
    link["pending"] = True
    asyncio.create_task(_write_later())


async def _write_later():
    await asyncio.sleep(WRITE_DELAY)
    if link["pending"]:
        write_now()


# ---- the notice ---------------------------------------------------------------------------------

def show_notice(rejected):
    box = el("link-notice")
    if not rejected:
        box.hidden = True
        return
    text("link-notice-text", links.describe(rejected))
    box.hidden = False


def on_notice_close(event):
    el("link-notice").hidden = True


# ---- classroom mode -----------------------------------------------------------------------------

def _hide_sheet():
    """The classroom mode's style sheet: a constructed one, set through the CSSOM, since the page's
    Content-Security-Policy refuses <style> elements (static/index.html)."""
    if link["sheet"] is None:
        link["sheet"] = window.CSSStyleSheet.new()
        document.adoptedStyleSheets = window.Array.of(link["sheet"])
    return link["sheet"]


def apply_hide():
    rules = []
    for name in state["hide"]:
        if name in links.HIDE_NAMES:  # names from the table only: nothing else reaches the CSS
            rules.append('[data-setting="%s"],[data-group="%s"],[data-panel="%s"]' % (name, name, name))
    _hide_sheet().replaceSync((",".join(rules) + "{display:none !important}") if rules else "")
    el("train-view").dataset.hidden = " ".join(state["hide"])  # CSS: [data-hidden~="composer"]
    for box in document.querySelectorAll("#classroom input[type=checkbox]"):
        box.checked = box.value in state["hide"]


def _classroom_html():
    rows = "".join('<label class="check"><input type="checkbox" value="%s"> %s</label>' % (name, label)
                   for name, label in CLASSROOM)
    return rows


def classroom_hide():
    """The hide list of the classroom builder: its ticked boxes plus single settings already hidden."""
    offered = [name for name, _ in CLASSROOM]
    names = [b.value for b in document.querySelectorAll("#classroom input[type=checkbox]") if b.checked]
    names += [n for n in state["hide"] if n not in offered]
    return links.check_hide(names)


def on_classroom(event):
    h = links.encode(state["config"], classroom_hide())
    el("share-link").value = share_url(h)
    asyncio.create_task(_copy("Classroom link"))


# ---- copy link ----------------------------------------------------------------------------------

def on_copy(event):
    write_now()
    asyncio.create_task(_copy("Link"))


async def _copy(what):
    how = await window.share.copy("share-link")
    if how == "copied":
        text("share-status", what + " copied to the clipboard.")
    else:
        text("share-status", what + " selected: press Ctrl+C (or ⌘C) to copy it.")


# ---- reading the hash ---------------------------------------------------------------------------

def read_hash():
    """The hash edited in place -> its config (its notice and classroom hiding shown)."""
    config, hide, rejected = links.decode(window.location.hash)
    show_notice(rejected)
    if hide != state["hide"]:
        state["hide"] = hide
        apply_hide()
    return config


def setup():
    """Wire the notice and the share panel (ui_config listens to the hash)."""
    el("classroom-boxes").innerHTML = _classroom_html()
    apply_hide()
    show_notice(link["initial_rejected"])
    el("link-notice-close").onclick = on_notice_close
    el("share-copy").onclick = on_copy
    el("classroom-copy").onclick = on_classroom
    write_now()
