# The UI thread (MicroPython). It renders and reacts; it never computes: every number comes
# from the engine worker, as JSON text, and every chart update goes through charts.js.
import asyncio
import json

from pyscript import document, window, workers

state = {"engine": None, "playing": False, "epoch": 0, "losses": []}


def el(id_):
    return document.getElementById(id_)


def say(text, error=False):
    status = el("engine-status")
    status.textContent = text
    status.className = "error" if error else ""


def mark_step(name, cls):
    for li in document.querySelectorAll("#engine-steps li"):
        if li.dataset.step == name:
            li.className = cls


async def call(name, *args):
    """Call an engine command; engine replies are JSON text."""
    reply = await getattr(state["engine"], name)(*args)
    return json.loads(reply)


async def start():
    window.charts.show("loss-chart", "loss")
    step = "runtime"
    try:
        mark_step("runtime", "active")
        say("Starting the Python runtime in a background worker…")
        state["engine"] = await workers["engine"]
        mark_step("runtime", "done")
        step = "numpy"
        mark_step("numpy", "active")
        say("Loading NumPy…")
        await call("load_numpy")
        mark_step("numpy", "done")
        step = "data"
        mark_step("data", "active")
        say("Loading ECG heartbeats…")
        url = window.URL.new("data/ecg5000.bin", document.baseURI).href
        info = await call("load_data", url)
        mark_step("data", "done")
        model = await call("configure", "{}")
        if model.get("error"):
            raise RuntimeError(model["error"])
    except Exception as e:  # the page must say what broke, never just stall
        mark_step(step, "failed")
        say("The engine could not start (" + step + "): " + str(e), True)
        return
    say("Ready. " + str(info["train_beats"]) + " training and " + str(info["test_beats"])
        + " test heartbeats loaded. Press Train to fit the autoencoder to normal beats.")
    button = el("train")
    button.disabled = False


async def train_loop():
    button = el("train")
    state["playing"] = True
    button.textContent = "Pause"
    while state["playing"]:
        r = await call("train_epoch")
        if r.get("error"):
            say(r["error"], True)
            break
        state["epoch"] = r["epoch"]
        rows = [{"epoch": r["epoch"], "series": "train", "loss": r["loss"]}]
        if r.get("val_loss") is not None:
            rows.append({"epoch": r["epoch"], "series": "validation", "loss": r["val_loss"]})
        await window.charts.insert("loss-chart", "losses", json.dumps(rows))
        el("progress").textContent = ("Epoch " + str(r["epoch"]) + " of " + str(r["epochs"])
                                      + " · " + str(int(r["ms"])) + " ms per epoch")
        if r.get("stopped"):
            say(r.get("message") or "Training finished.", r["stopped"] == "diverged")
            break
    state["playing"] = False
    button.textContent = "Train"


def on_train(event):
    if state["playing"]:
        state["playing"] = False  # the loop stops after the epoch in flight
        say("Paused after epoch " + str(state["epoch"]) + ". Press Train to continue.")
    else:
        say("Training on normal heartbeats…")
        asyncio.create_task(train_loop())


el("train").onclick = on_train
asyncio.create_task(start())
