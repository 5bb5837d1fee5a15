# What the page is doing with the engine, one thing at a time (MicroPython).
#
# The mode is one of:
#   starting   the engine starts (or starts again after Retry)
#   idle       ready, nothing running
#   training   a run of epochs (Train); Pause asks it to stop after the epoch in flight
#   stepping   one epoch (Step)
#   building   a fresh model (Reset, Rebuild & train, a link's settings)
#   loading    a model file
#   failed     the engine could not start or died: Retry
# Work that changes the engine's model runs in a turn, `async with ui_activity.turn("training"):`,
# which holds the one lock: a turn asked for while another runs waits for it (Reset and Load ask
# a run to stop first), and nothing polls. A click that starts work claims its mode at once, so the
# buttons change before the work's first await. Every change of mode calls the listeners (the
# panels redraw their buttons), so a new panel only listens.
import asyncio

WORKING = ("training", "stepping", "building", "loading")
_lock = asyncio.Lock()
now = {"mode": "starting", "stop": False}
_listeners = []


def mode():
    return now["mode"]


def ready():
    """The engine is up (idle or working)."""
    return now["mode"] == "idle" or now["mode"] in WORKING


def idle():
    return now["mode"] == "idle"


def stopping():
    """A run was asked to stop after the epoch in flight (Pause, Reset, Load, a dead engine)."""
    return now["stop"]


def listen(fn):
    _listeners.append(fn)


def _set(new):
    now["mode"] = new
    for fn in _listeners:
        fn()


def claim(new):
    """Start `new` at once if the page is idle; False (nothing changes) if it is not."""
    if now["mode"] != "idle":
        return False
    now["stop"] = False
    _set(new)
    return True


def request_stop():
    now["stop"] = True
    _set(now["mode"])


def starting():
    _set("starting")


def started():
    """Start-up finished; not if the engine died meanwhile (failed stays until Retry)."""
    if now["mode"] == "starting":
        _set("idle")


def failed():
    now["stop"] = True
    _set("failed")


class turn:
    """`async with turn(mode) as t:` waits for the work before it, then runs as `mode`; idle after.
    t.ok is False when the engine failed meanwhile: the work must not start."""

    def __init__(self, new):
        self.mode = new
        self.ok = False

    async def __aenter__(self):
        await _lock.acquire()
        self.ok = now["mode"] != "failed"
        if self.ok and now["mode"] != self.mode:  # not claimed by a click: this work was waiting
            now["stop"] = False
            _set(self.mode)
        return self

    async def __aexit__(self, *exc):
        if now["mode"] == self.mode:
            now["stop"] = False
            _set("idle")
        _lock.release()
        return False
