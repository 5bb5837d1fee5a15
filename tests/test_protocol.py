"""app/protocol.py is the one description of the engine's commands: every command the UI (Python
or JavaScript) sends exists in app/engine.py with that many arguments, and every command, run in
CPython on ECG5000, replies with exactly the keys (and chart parts) the protocol names."""
import hashlib
import ast
import asyncio
import concurrent.futures
import glob
import inspect
import json
import os
import re

import pytest

from app import engine, protocol
from data import ecg5000, pack
from models import links, serialize, settings
from models.experiment import Experiment
from tests.conftest import ROOT, ecg_dir

UI_SENDERS = ("call", "call_json", "send")  # app/ui_common.py: every engine call from Python goes through these


def ui_python_calls():
    """(file, command name, number of arguments) of every engine call in the UI's Python."""
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, "app", "*.py"))):
        tree = ast.parse(open(path).read())
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in UI_SENDERS
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.append((os.path.basename(path), node.args[0].value, len(node.args) - 1))
    return found


def ui_javascript_calls():
    """(file, command name, number of arguments) of every `engine.name(...)` call in static/ and of
    the start-up commands the worker runs early (engine-worker.mjs STARTUP)."""
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, "static", "*.js")) + glob.glob(os.path.join(ROOT, "static", "*.mjs"))):
        text = open(path).read()
        for name, args in re.findall(r"(?<![\w.])engine\.([a-z_]+)\(([^()]*)\)", text):
            found.append((os.path.basename(path), name, len([a for a in args.split(",") if a.strip()])))
        startup = re.search(r"const STARTUP = (\[.*?\]);", text, re.S)
        if startup:
            for name, args in re.findall(r'\["([a-z_]+)"((?:, [^\]]*)?)\]', startup.group(1)):
                found.append((os.path.basename(path), name, args.count(",")))
    return found


def test_the_ui_sends_only_commands_the_protocol_names_with_their_arguments():
    calls = ui_python_calls() + ui_javascript_calls()
    names = {name for _, name, _ in calls}
    # the scan sees the calls it must: start-up, training, both views, model files
    assert {"load_numpy", "load_data", "load_pretrained", "configure", "training_view", "train_epoch",
            "test_sample", "metrics_at", "reconstruct_drawn", "intro_results", "export_model", "load_model",
            "set_live", "warm_up"} <= names
    for where, name, n_args in calls:
        assert name in protocol.COMMANDS, "%s sends %s, which the protocol does not name" % (where, name)
        assert n_args == len(protocol.COMMANDS[name]["args"]), "%s sends %s with %d arguments" % (where, name, n_args)


def test_the_engine_has_exactly_the_protocols_commands_with_their_arguments():
    assert engine.__export__ == list(protocol.COMMANDS)
    for name, command in protocol.COMMANDS.items():
        fn = getattr(engine, name)
        params = list(inspect.signature(fn.__wrapped__).parameters)
        assert tuple(params) == command["args"], name


def test_check_call_refuses_unknown_commands_and_wrong_arity():
    protocol.check_call("test_sample", (3,))
    with pytest.raises(ValueError, match="no command 'snapshot'"):
        protocol.check_call("snapshot", (0,))
    with pytest.raises(ValueError, match=r"test_sample takes 1 argument\(s\) \(sample\), got 0"):
        protocol.check_call("test_sample", ())


def test_frames_round_trip():
    reply = protocol.frame('{"a": 1}', [("roc", '{"roc": []}'), ("hist", '{"errors": [1]}')])
    summary, parts = protocol.unframe(reply)
    assert json.loads(summary) == {"a": 1} and parts == {"roc": '{"roc": []}', "hist": '{"errors": [1]}'}
    assert protocol.unframe('{"error": "x"}') == ('{"error": "x"}', {})


# ---- the engine's commands, run in CPython ---------------------------------------------------------

SITE = "http://127.0.0.1:8000/app/"


@pytest.fixture(scope="module")
def files():
    """What the engine downloads in the browser: the packed data and a (briefly) trained model."""
    dataset = ecg5000.load_folder(ecg_dir())
    exp = Experiment({"epochs": 2, "train_size": 300, "encoder": [8], "latent": 2}, dataset)
    exp.fit()
    exp.evaluate()
    return {SITE + "data/ecg5000.bin": pack.to_bytes(dataset), SITE + "pretrained/model.json": exp.to_json().encode()}


@pytest.fixture
def fresh_engine(files, monkeypatch):
    async def download(url):
        return files[url]

    async def install_numpy():
        return None

    monkeypatch.setattr(engine, "download", download)
    monkeypatch.setattr(engine, "install_numpy", install_numpy, raising=False)
    monkeypatch.setattr(engine, "state", {key: {} if key == "datasets" else None for key in engine.state})
    return engine


def run(name, *args):
    """Run a command as the worker does; its reply, parsed: (summary dict, parts) or the model file."""
    reply = getattr(engine, name)(*args)
    if inspect.iscoroutine(reply):
        # in a thread of its own: a browser test's Playwright may keep an event loop in this one
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            reply = pool.submit(asyncio.run, reply).result()
    kind = protocol.COMMANDS[name]["reply"]
    if kind in ("model_file", "html"):
        return reply, None
    summary, parts = protocol.unframe(reply)
    return json.loads(summary), parts


def check_shape(name, summary, parts):
    command = protocol.COMMANDS[name]
    assert "error" not in summary, (name, summary)
    assert set(summary) == set(command["keys"]), name
    if command["reply"] == "framed":
        assert set(parts) == set(command["parts"]), name
        for body in parts.values():
            assert isinstance(json.loads(body), dict)
    else:
        assert parts == {}, name


def start(eng):
    for name, args in (("load_numpy", ()), ("load_data", (SITE + "data/ecg5000.bin",)),
                       ("load_pretrained", (SITE + "pretrained/model.json",))):
        check_shape(name, *run(name, *args))


def test_every_command_replies_in_the_shape_the_protocol_names(fresh_engine):
    start(fresh_engine)
    link = "encoder=8&latent=2&train_size=300&epochs=2"
    done = set()
    for name, args in (("warm_up", ()), ("configure", (link,)), ("training_view", (0,)), ("train_epoch", ()),
                       ("set_live", (link + "&threshold_rule=best_f1",)), ("test_sample", (5,)),
                       ("metrics_at", (0.01,)), ("reconstruct_drawn", (json.dumps([0.1] * 140),)),
                       ("select_samples", ('{"kind": "cell", "cell": "fp"}', 0))):
        check_shape(name, *run(name, *args))
        done.add(name)
    model_file, _ = run("export_model")
    assert serialize.load_model(model_file).n_features == 140
    check_shape("load_model", *run("load_model", model_file))
    check_shape("intro_results", *run("intro_results", json.dumps([0, 3, 7])))
    check_shape("inspect_file", *run("inspect_file", "x.csv", b"\n".join(b"%d" % i for i in range(40)), "{}"))
    check_shape("load_baselines", *run("load_baselines"))
    for step in ("load", "detectors"):
        check_shape("prepare_baselines", *run("prepare_baselines", step))
    assert run("prepare_baselines", "everything")[0]["error"] == "prepare_baselines: no step 'everything'"
    check_shape("baseline", *run("baseline", "knn"))
    check_shape("compare_view", *run("compare_view"))
    check_shape("test_sample", *run("test_sample", 3))
    page, _ = run("report", "http://127.0.0.1/", json.dumps({name: {} for name in ("loss", "roc", "hist", "latent",
                                                                                    "recon", "compare_roc", "compare_pr")}),
                  "vega()", "vegaEmbed()", 3)
    assert page.startswith("<!doctype html>") and "<script>vegaEmbed()</script>" in page
    done |= {"load_model", "intro_results", "inspect_file", "load_baselines", "prepare_baselines", "baseline", "compare_view", "report"}
    assert done | {"load_numpy", "load_data", "load_pretrained", "export_model"} == set(protocol.COMMANDS)


def test_the_data_comes_with_its_description(fresh_engine):
    summary, _ = run("load_numpy")
    summary, _ = run("load_data", SITE + "data/ecg5000.bin")
    assert summary["about"] == ecg5000.ABOUT
    assert (summary["train_samples"], summary["test_samples"]) == (4500, 500)


@pytest.mark.parametrize("name, args, message", [
    ("configure", ("latent=3",), "data is not loaded"),
    ("train_epoch", (), "No model yet"),
    ("training_view", (0,), "No model yet"),
    ("test_sample", (0,), "No model yet"),
    ("metrics_at", (0.5,), "No model yet"),
    ("set_live", ("epochs=3",), "No model yet"),
    ("export_model", (), "No model yet"),
    ("report", ("", "{}", "", "", 0), "No model yet"),
    ("reconstruct_drawn", ("[1, 2]",), "pretrained model is not loaded"),
    ("intro_results", ("[0]",), "pretrained model is not loaded"),
    ("load_model", ("{}",), "data is not loaded"),
])
def test_a_command_before_its_model_exists_says_so(fresh_engine, name, args, message):
    reply = run(name, *args)[0]
    reply = json.loads(reply) if isinstance(reply, str) else reply  # export_model's error
    assert message in reply["error"] and "trace" not in reply


def test_a_bad_setting_or_file_is_named_and_changes_nothing(fresh_engine):
    start(fresh_engine)
    run("configure", "encoder=8&latent=2&train_size=300")
    before = engine.state["experiment"]
    reply, _ = run("configure", "latent=999")
    assert "latent (above the maximum 64" in reply["error"] and engine.state["experiment"] is before
    reply, _ = run("load_model", '{"format": "anomaly-explorer-model", "version": 1}')
    assert reply["error"] == "model file: config is missing" and engine.state["experiment"] is before
    reply, _ = run("reconstruct_drawn", json.dumps([0.0] * 10))
    assert reply["error"] == "a signal must be 140 finite numbers, got 10 values"


def test_load_model_sends_the_loss_charts_rows_thinned_and_no_history(fresh_engine):
    from models import thinning
    start(fresh_engine)
    run("configure", "encoder=8&latent=2&train_size=300")
    doc = json.loads(run("export_model")[0])
    n = thinning.MAX_POINTS * 3 + 1
    doc["history"] = [{"epoch": i, "loss": 1.0 / i, "val_loss": 2.0 / i} for i in range(1, n + 1)]
    summary, parts = run("load_model", json.dumps(doc))
    assert summary["loss_thinned"] is True and summary["loss_points"] == thinning.MAX_POINTS
    assert summary["model"]["epoch"] == n and "history" not in summary
    rows = json.loads(parts["loss"])["losses"]
    for series, first in (("train", 1.0), ("validation", 2.0)):
        drawn = {r["epoch"]: r["loss"] for r in rows if r["series"] == series}
        assert len(drawn) <= thinning.MAX_POINTS and drawn[1] == first and drawn[n] == first / n
    doc["history"] = doc["history"][:3]
    summary, parts = run("load_model", json.dumps(doc))
    assert summary["loss_thinned"] is False and summary["loss_points"] == 3
    assert json.loads(parts["loss"]) == {"losses": [
        {"epoch": e, "series": s, "loss": k / e} for s, k in (("train", 1.0), ("validation", 2.0)) for e in (1, 2, 3)]}


def test_a_failed_download_is_said_as_such_not_as_a_bug(fresh_engine, monkeypatch):
    async def refused(url):
        raise ConnectionError("could not download " + url + " (HTTP 503)")

    monkeypatch.setattr(engine, "download", refused)
    reply, _ = run("load_data", SITE + "data/ecg5000.bin")
    assert reply == {"error": "could not download %sdata/ecg5000.bin (HTTP 503)" % SITE}


def test_a_gallery_dataset_is_loaded_when_the_settings_name_it(fresh_engine, files):
    from builder import gallery
    for key in ("gunpoint", "bleeding"):
        files[SITE + "data/%s.bin" % key] = pack.to_bytes(gallery.load(key))
    start(fresh_engine)
    summary, _ = run("configure", "dataset=gunpoint&encoder=8&latent=2")
    assert summary["model"]["sizes"][0] == 150 and summary["model"]["about"]["name"] == "GunPoint"
    assert summary["model"]["train_samples"] + summary["model"]["val_samples"] == 24  # every normal pool sample
    assert summary["model"]["test_samples"] == 150
    summary, _ = run("configure", "dataset=bleeding&window=32&stride=8&encoder=8&latent=2")
    assert summary["model"]["sizes"][0] == 32 and summary["model"]["about"]["length"] == 32
    check_shape("train_epoch", *run("train_epoch"))
    summary, parts = run("training_view", 0)
    assert "error" not in summary, summary
    check_shape("training_view", summary, parts)
    assert summary["auc"] is not None and summary["timeline"]["points"] == 7501
    timeline = json.loads(parts["timeline"])
    assert timeline["labelled"] == [{"t0": 4187, "t1": 4199}] and timeline["training"] == [{"t0": 0, "t1": 1200}]
    assert len(json.loads(parts["timeline_errors"])["windows"]) > 100
    # the introduction still scores ECG5000's 140-value beats
    check_shape("reconstruct_drawn", *run("reconstruct_drawn", json.dumps([0.1] * 140)))
    summary, _ = run("configure", "dataset=gunpoint&normal=1,2")
    assert "at least one class must stay abnormal" in summary["error"]
    summary, _ = run("configure", "dataset=gunpoint&normal=7")
    assert "class 7 is not one of GunPoint's classes (1, 2)" in summary["error"]


def test_a_users_file_is_inspected_then_trained_on_when_the_settings_name_it(fresh_engine):
    fixtures = os.path.join(os.path.dirname(__file__), "fixtures")
    start(fresh_engine)
    run("configure", "encoder=8&latent=2&train_size=300")
    before = engine.state["experiment"]
    with open(os.path.join(fixtures, "good_files", "nab_style.csv"), "rb") as f:
        blob = f.read()
    summary, parts = run("inspect_file", "nab_style.csv", blob, "{}")
    check_shape("inspect_file", summary, parts)
    assert json.loads(parts["preview"])["samples"][0]["sample"].startswith("the first ")
    found = summary["settings"]
    assert found["file_format"] == "series" and found["file_sha256"] == hashlib.sha256(blob).hexdigest()
    assert engine.state["experiment"] is before  # nothing trained yet
    link = links.encode(dict(settings.validate(found), encoder=[8], latent=2, window=16, stride=4))
    summary, _ = run("configure", link)
    assert summary["model"]["sizes"][0] == 16 and summary["model"]["about"]["name"] == "nab_style.csv"
    check_shape("train_epoch", *run("train_epoch"))
    # a bad file is named and changes nothing; settings for another file are refused
    with open(os.path.join(fixtures, "bad_files", "text_cell.csv"), "rb") as f:
        summary, _ = run("inspect_file", "text_cell.csv", f.read(), "{}")
    assert "line 17, column 4: 'abc' is not a number" in summary["error"] and "trace" not in summary
    summary, _ = run("configure", link.replace(found["file_sha256"], "ab" * 32))
    assert "not the same file" in summary["error"]
    summary, _ = run("inspect_file", "x.csv", b"1,2\n", json.dumps({"file_delimiter": "pipe"}))
    assert "error" in summary


def test_a_reconstruction_says_where_its_error_is_on_its_charts_time_axis(fresh_engine, files):
    """test_sample, training_view and reconstruct_drawn send each step's error and the stretch that
    carries the most of it (models/error_strip.py), numbered as the chart's x axis: from 0 for a
    heartbeat, from the window's start in the series for a window of a long series."""
    import numpy as np
    from builder import gallery
    from data import samples
    from models import error_strip
    for key in ("gunpoint", "bleeding"):
        files[SITE + "data/%s.bin" % key] = pack.to_bytes(gallery.load(key))
    start(fresh_engine)
    # a drawn heartbeat: what CPython's pretrained model says of the same values
    values = [0.0] * 140
    values[100] = 3.0
    summary, parts = run("reconstruct_drawn", json.dumps(values))
    rec = engine.state["intro"].reconstruct_signal(values)
    expected = error_strip.describe(rec["per_step"], "heartbeat")
    assert summary["sample_where"] == expected and expected["text"].endswith(" of this heartbeat's error.")
    recon = json.loads(parts["recon"])
    assert [r["t"] for r in recon["recon"]] == list(range(140))
    assert [r["error"] for r in recon["recon"]] == [float("%.3g" % e) for e in rec["per_step"]]
    assert recon["stretch"] == ([{"t0": expected["first"], "t1": expected["last"],
                                  "x0": max(expected["first"] - 0.5, 0), "x1": min(expected["last"] + 0.5, 139)}]
                                if expected["named"] else [])
    # the introduction's gallery beats (after a model file is loaded): the same, stored compact
    summary, parts = run("intro_results", json.dumps([0, 3]))
    signals = json.loads(parts["beats"])["signals"]
    intro = engine.state["intro"]
    assert len(summary["wheres"]) == 2 and all(len(s["err"]) == 140 for s in signals)
    raw = np.asarray(engine.state["intro_data"]["test_x"], dtype=np.float32)[intro.split["test"]][[0, 3]]
    scaled = intro.model.scaler.transform(raw).astype(np.float64)
    errors = error_strip.step_errors(scaled, intro.model.reconstruct(scaled))
    assert summary["wheres"] == [error_strip.describe(e, "heartbeat")["text"] for e in errors]
    assert [s["err"] for s in signals] == [[float("%.3g" % v) for v in e] for e in errors]
    # another dataset's samples, in its own word and length
    run("configure", "dataset=gunpoint&encoder=8&latent=2")
    summary, parts = run("test_sample", 7)
    exp = engine.state["experiment"]
    assert summary["sample_where"] == error_strip.describe(exp.reconstruct(7)["per_step"], "motion")
    assert [r["t"] for r in json.loads(parts["recon"])["recon"]] == list(range(150))
    # a window of the sensor log, at its place in the series
    run("configure", "dataset=bleeding&window=32&stride=8&encoder=8&latent=2")
    run("train_epoch")
    exp = engine.state["experiment"]
    starts = samples.for_config(engine.state["data"], exp.config)["test_start"][exp.split["test"]]
    for i in (0, 400):
        summary, parts = run("test_sample", i)
        where, recon = summary["sample_where"], json.loads(parts["recon"])
        assert where == error_strip.describe(exp.reconstruct(i)["per_step"], "window", int(starts[i]))
        assert [r["t"] for r in recon["recon"]] == list(range(starts[i], starts[i] + 32))
        assert starts[i] <= where["first"] <= where["last"] < starts[i] + 32
        assert "window" in where["text"]
    summary, parts = run("training_view", 400)
    assert summary["sample_where"] == where and json.loads(parts["recon"])["recon"][0]["t"] == starts[400] > 1200
