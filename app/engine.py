# The engine (Pyodide, in a web worker). It owns the data and the model and answers a small
# command API. Every reply is JSON text: dicts do not cross to MicroPython as dicts.
import json
import time

state = {"data": None, "experiment": None, "config": None}


def _reply(obj):
    return json.dumps(obj)


async def load_numpy():
    import pyodide_js
    t = time.perf_counter()
    await pyodide_js.loadPackage("numpy")
    import numpy
    return _reply({"numpy": numpy.__version__, "ms": (time.perf_counter() - t) * 1000})


async def load_data(url):
    from pyodide.http import pyfetch
    from data import ecg5000
    response = await pyfetch(url)
    if not response.ok:
        raise RuntimeError("could not download " + url + " (HTTP " + str(response.status) + ")")
    state["data"] = ecg5000.from_bytes(await response.bytes())
    return _reply({"train_beats": len(state["data"]["train_y"]), "test_beats": len(state["data"]["test_y"])})


def configure(config_json):
    """Build a fresh experiment from settings (JSON text); a bad setting is an error reply."""
    from models import settings
    from models.experiment import Experiment
    try:
        config = settings.validate(json.loads(config_json))
        state["experiment"] = Experiment(config, state["data"])
        state["config"] = config
    except ValueError as e:
        return _reply({"error": str(e)})
    return _reply({"ok": True, "config": config})


def train_epoch():
    exp = state["experiment"]
    if exp is None:
        return _reply({"error": "No model yet: the engine is still starting."})
    r = exp.train_epoch()
    r["epochs"] = state["config"]["epochs"]
    if r.get("stopped") is None and r["epoch"] >= state["config"]["epochs"]:
        r["stopped"] = "done"
        r["message"] = "Trained " + str(r["epoch"]) + " epochs."
    return _reply(r)


def evaluate():
    return _reply(state["experiment"].evaluate())


__export__ = ["load_numpy", "load_data", "configure", "train_epoch", "evaluate"]
