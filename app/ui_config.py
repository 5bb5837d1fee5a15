# The settings the page shows, from wherever they change (MicroPython): a control or the composer
# edited by hand, a link opened or edited in place, a model file loaded. apply_config() shows a
# whole configuration everywhere; edited(key) takes one edit by hand; apply_link(config) a link's
# settings. Each marks the model in training stale when it no longer matches, applies the settings
# that need no rebuild (protocol.LIVE_KEYS) at once, and writes the link.
#
# This module listens to the controls, the composer and the hash itself (setup): the panels only
# report what changed (ui_controls.read_edit, ui_controls.composer_edit, ui_links.read_hash), so
# imports run one way, panels -> here is never needed.
import asyncio

from pyscript import window

from data import gallery
from models import settings

from app.protocol import LIVE_KEYS
from app.ui_common import el, say, state
from app import ui_activity, ui_compare, ui_controls, ui_links, ui_train


def apply_config(config):
    """Show a complete configuration in every control and the composer, and mark the model stale
    if it differs from the one in the engine."""
    ui_controls.apply_config(settings.validate(config))
    _update_stale()
    ui_links.schedule_write()


def apply_link(config):
    """A link was edited in place (hashchange). Its settings are applied like edits by hand: live
    ones at once; the others mark the model stale, unless nothing was trained yet, in which case
    the model is rebuilt right away, so the link gives a ready-to-train experiment."""
    old = state["config"]
    changed = [s["key"] for s in settings.SETTINGS if config[s["key"]] != old[s["key"]]]
    if not changed:
        return
    apply_config(config)
    if [k for k in changed if k in LIVE_KEYS]:
        asyncio.create_task(ui_train.apply_live())
        ui_train.show_progress()
    # another dataset, or nothing trained yet: the link's model is built at once
    at_once = "dataset" in changed or state["epoch"] == 0
    if state["stale"] and at_once and state["built_config"] is not None and ui_activity.claim("building"):
        asyncio.create_task(_rebuild_for_link())
    elif state["stale"]:
        say("The link changed the settings; the model in training still uses the old ones. Press "
            "Rebuild & train (or Reset) to build the new model.")


async def _rebuild_for_link():
    async with ui_activity.turn("building") as work:
        if not work.ok:
            return
        say("Building the model of the link…")
        if await ui_train.rebuild():
            say("Built the link's model: %s. Press Train." % settings.shape_text(state["model"]["sizes"]))


def _dataset_note():
    """The introduction is ECG5000's (its pretrained model); with other data chosen it says so."""
    key = state["config"]["dataset"]
    note = el("intro-dataset-note")
    note.hidden = key == gallery.DEFAULT
    if key != gallery.DEFAULT:
        note.textContent = ("This introduction shows %s with its pretrained model. You chose %s: train a "
                            "model on it in the training view first, then explore it there."
                            % (gallery.title(gallery.DEFAULT), gallery.title(key)))


def _update_stale():
    _dataset_note()
    built = state["built_config"]
    cfg = state["config"]
    stale = False
    if built is not None:
        for s in settings.SETTINGS:
            k = s["key"]
            # the detectors' settings never touch the autoencoder (app/ui_compare.py runs them)
            if k not in LIVE_KEYS and s["group"] != "baselines" and cfg[k] != built[k]:
                stale = True
    was = state["stale"]
    state["stale"] = stale
    ui_train.refresh_buttons()
    if stale and not was and ui_activity.mode() != "training":
        say("Settings changed: the model in training still uses the old ones. Press Rebuild & train "
            "(or Reset) to build the new model.")


async def _switch_dataset():
    async with ui_activity.turn("building") as work:
        if not work.ok:
            return
        title = gallery.title(state["config"]["dataset"])
        say("Loading %s and building a model for it…" % title)
        if await ui_train.rebuild():
            say("%s: a fresh %s model. Press Train." % (title, settings.shape_text(state["model"]["sizes"])))


def edited(key):
    """Every edit of a setting by hand (a control, the composer) ends here; state["config"] is valid."""
    if key == "dataset" and ui_activity.claim("building"):  # another dataset is shown at once
        asyncio.create_task(_switch_dataset())
    _update_stale()
    if settings.BY_KEY[key]["group"] == "baselines":  # a detector's setting: it runs again, if shown
        ui_compare.after_refresh()
    ui_links.schedule_write()
    if key in LIVE_KEYS:
        asyncio.create_task(ui_train.apply_live())
        if key == "epochs":
            ui_train.show_progress()


def _control_edited(event):
    key = ui_controls.read_edit(event)
    if key is not None:
        edited(key)


def _composer_edited(event):
    if ui_controls.composer_edit(event):
        edited("encoder")


def _hash_edited(event):
    apply_link(ui_links.read_hash())
    ui_links.write_now()  # the canonical form of what was applied (clamped values, known keys only)


def setup():
    el("controls").addEventListener("change", _control_edited)
    el("compare-params").addEventListener("change", _control_edited)
    box = el("composer-body")
    box.addEventListener("click", _composer_edited)
    box.addEventListener("change", _composer_edited)
    window.addEventListener("hashchange", _hash_edited)
