"""Saved models: exact round trip, and clear refusals naming the bad field."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: tiny matrices, see models/__init__.py
import json

import numpy as np
import pytest

from models import serialize
from models.experiment import Experiment
from test_models_data import synthetic


@pytest.fixture(scope="module")
def exp():
    e = Experiment({"train_size": 300, "epochs": 2, "latent": 3, "encoder": [12, 6], "decoder": [5, 9, 11]},
                   synthetic())
    e.fit()
    e.evaluate()
    return e


def test_round_trip_is_exact(exp):
    text = exp.to_json()
    doc = json.loads(text)
    assert doc["format"] == "anomaly-explorer-model" and doc["version"] == 1
    m = serialize.load_model(text)
    assert np.array_equal(m.net.flat, exp.model.net.flat) and m.net.flat.dtype == np.float64
    assert np.array_equal(m.scaler.shift, exp.model.scaler.shift)
    assert np.array_equal(m.scaler.scale, exp.model.scaler.scale)
    assert m.threshold == exp.model.threshold and m.config == exp.config
    assert len(m.history) == 2
    x = synthetic()["test_x"][:20]
    assert np.array_equal(m.score_raw(x), exp.model.score_raw(x))
    assert serialize.dumps(m) == text


def test_experiment_from_json(exp):
    again = Experiment.from_json(exp.to_json(), synthetic())
    # "epochs" counts one run (Train runs as many more): a loaded model has no run in progress
    assert again.epoch == 2 and again.stopped is None
    assert again.evaluate() == exp.evaluate()


def mutate(exp, fn):
    doc = json.loads(exp.to_json())
    fn(doc)
    return json.dumps(doc)


@pytest.mark.parametrize("fn,field", [
    (lambda d: d.update(format="other"), "format"),
    (lambda d: d.update(version=2), "version"),
    (lambda d: d["config"].update(optimizer="adamw"), "config: optimizer"),
    (lambda d: d["config"].update(latent=0), "config: latent"),
    (lambda d: d.pop("layers"), "layers is missing"),
    (lambda d: d["layers"].pop(), "layers must be a list of 7 layers"),
    (lambda d: d["layers"][1]["W"].pop(), r"layers\[1\].W must be a 12x6"),
    (lambda d: d["layers"][0]["b"].__setitem__(0, "x"), r"layers\[0\].b must be made of finite numbers"),
    (lambda d: d["layers"][2].update(activation="relu"), r"layers\[2\].activation"),
    (lambda d: d["scaler"].update(kind="zscore"), "scaler.kind"),
    (lambda d: d["scaler"]["scale"].__setitem__(3, 0.0), "scaler.scale must be positive"),
    (lambda d: d["scaler"].update(shift=[1.0] * 5), "scaler.shift must be a list of 140"),
    (lambda d: d.update(threshold="high"), "threshold must be a finite number"),
    (lambda d: d.update(n_features=0), "n_features"),
])
def test_bad_documents_are_refused_with_the_field(exp, fn, field):
    with pytest.raises(serialize.ModelFileError, match=field):
        serialize.load_model(mutate(exp, fn))


def test_not_json_and_nan():
    with pytest.raises(serialize.ModelFileError, match="not valid JSON"):
        serialize.load_model("{nope")
    with pytest.raises(serialize.ModelFileError, match="JSON object"):
        serialize.load_model("[1, 2]")


def test_nan_weight_refused(exp):
    text = mutate(exp, lambda d: d["layers"][0]["W"][0].__setitem__(0, float("nan")))
    with pytest.raises(serialize.ModelFileError, match=r"layers\[0\].W must be made of finite numbers"):
        serialize.load_model(text)


# ---- hostile files: refused whole, the message naming what is wrong ----------------------

MARK = "@value@"


def with_raw(exp, put, raw):
    """The model file with raw JSON text (NaN, a giant integer, a nesting bomb) where put(doc, value) puts a value."""
    return mutate(exp, lambda d: put(d, MARK)).replace(json.dumps(MARK), raw)


def refused(text):
    with pytest.raises(serialize.ModelFileError) as e:
        serialize.load_model(text)
    return str(e.value)


def w00(d, v):
    d["layers"][0]["W"][0][0] = v


def b32(d, v):
    d["layers"][3]["b"][2] = v


def entry(i, key):
    def put(d, v):
        d["history"][i][key] = v
    return put


def test_history_as_written_by_training(exp):
    assert [h["epoch"] for h in json.loads(exp.to_json())["history"]] == [1, 2]


@pytest.mark.parametrize("opener,closer,step", [("[", "]", 1), ('{"a":', "}", 5)])
def test_depth_bomb_refused_before_json_recurses(opener, closer, step):
    bomb = opener * 100000 + "1" + closer * 100000
    with pytest.raises(RecursionError):  # what json.loads does with it (in Pyodide: the worker dies)
        json.loads(bomb)
    # the 33rd opener is the first too deep; characters count from 0, as in json's messages
    assert refused(bomb) == ("model file: nested 33 levels deep at character %d; a model file nests at most 32"
                             % (32 * step))


def test_depth_bomb_inside_history(exp):
    text = with_raw(exp, lambda d, v: d.update(history=v), "[" * 100000 + "]" * 100000)
    # the document is level 1, so the bomb's 32nd bracket is level 33
    at = text.index("[" * 100) + 31
    assert refused(text) == "model file: nested 33 levels deep at character %d; a model file nests at most 32" % at


def test_brackets_in_strings_do_not_count(exp):
    tricky = '[{"\\' * 25000 + "]}"  # brackets, quotes and backslashes, escaped by json.dumps
    text = mutate(exp, lambda d: d.update(note={tricky: tricky}))  # a key the loader does not read
    assert serialize.load_model(text).config == exp.config
    # an escaped backslash ends the string: the brackets after it count
    assert "nested 33 levels deep at character 38" in refused('["\\\\", ' + "[" * 100000)
    # an escaped quote does not end it: these brackets are text
    assert "must be a JSON object" in refused('["\\"' + "[" * 100000 + '"]')
    assert "not valid JSON" in refused('["' + "[" * 100000)  # a string never closed


@pytest.mark.parametrize("put,raw,message", [
    (entry(0, "loss"), "NaN", "history[0].loss must be a finite number or null, got NaN"),
    (entry(1, "val_loss"), "Infinity", "history[1].val_loss must be a finite number or null, got Infinity"),
    (w00, "-Infinity", "layers[0].W must be made of finite numbers, got -Infinity"),
    (b32, "NaN", "layers[3].b must be made of finite numbers, got NaN"),
    (lambda d, v: d.update(threshold=v), "Infinity", "threshold must be a finite number or null, got Infinity"),
    (w00, "1e400", "layers[0].W must be made of finite numbers, got a number too large for a 64-bit float"),
    (lambda d, v: d.update(note=v), "NaN", "model file: holds NaN; every number in a model file is a finite"),
])
def test_non_finite_numbers_refused(exp, put, raw, message):
    assert message in refused(with_raw(exp, put, raw))


@pytest.mark.parametrize("put,digits,message", [
    (w00, 400, "layers[0].W must be made of finite numbers, got a 400-digit number, too large for a 64-bit float"),
    (w00, 5000, "layers[0].W must be made of finite numbers, got a 5000-digit number, too large for a 64-bit float"),
    (b32, 309, "layers[3].b must be made of finite numbers, got a 309-digit number, too large"),  # 2e308 > max
    (lambda d, v: d.update(n_features=v), 400, "n_features must be a positive whole number, got a 400-digit number"),
    (entry(0, "epoch"), 5000, "history[0].epoch must be 1 (entries number the epochs 1, 2, 3, ... in order), "
                              "got a 5000-digit number"),
    (lambda d, v: d["config"].update(latent=v), 400, "config: latent must be a number, got a 400-digit number"),
])
def test_giant_integers_refused_naming_the_field(exp, put, digits, message):
    assert message in refused(with_raw(exp, put, "2" + "0" * (digits - 1)))


@pytest.mark.parametrize("fn,message", [
    (lambda d: d["history"][1].pop("epoch"), "history[1].epoch is missing"),
    (lambda d: d["history"][0].pop("val_loss"), "history[0].val_loss is missing"),
    (lambda d: d["history"][1].update(epoch=3), "history[1].epoch must be 2 (entries number the epochs 1, 2, 3, "
                                                "... in order), got 3"),
    (lambda d: d["history"][0].update(epoch="1"), "history[0].epoch must be 1 (entries number"),
    (lambda d: d["history"][0].update(epoch=1.0), "history[0].epoch must be 1 (entries number"),
    (lambda d: d["history"][0].update(epoch=True), "history[0].epoch must be 1 (entries number"),
    (lambda d: d["history"][1].update(loss="low"), "history[1].loss must be a finite number or null, got 'low'"),
    (lambda d: d["history"][0].update(val_loss=[0.1]), "history[0].val_loss must be a finite number or null"),
    (lambda d: d["history"][0].update(lr=0.01), "history[0] has an unknown key 'lr'; an entry holds only epoch, "
                                                "loss, val_loss"),
    (lambda d: d["history"].__setitem__(1, 5), "history[1] must be an object with epoch, loss, val_loss, got 5"),
    (lambda d: d.update(history={"epoch": 1}), "history must be a list of objects"),
])
def test_bad_history_entries_refused(exp, fn, message):
    assert message in refused(mutate(exp, fn))


def test_loaded_history_is_normalized(exp):
    def odd(d):  # the keys in another order, a whole-number loss, no validation loss
        d["history"] = [{"val_loss": None, "loss": 1, "epoch": 1}, {"loss": 0.5, "val_loss": 2, "epoch": 2}]
    history = serialize.load_model(mutate(exp, odd)).history
    assert history == [{"epoch": 1, "loss": 1.0, "val_loss": None}, {"epoch": 2, "loss": 0.5, "val_loss": 2.0}]
    assert [list(h) for h in history] == [["epoch", "loss", "val_loss"]] * 2
    assert [type(h["loss"]) for h in history] == [float, float] and type(history[1]["val_loss"]) is float


def test_history_length_is_capped(exp):
    def entries(n):
        return lambda d: d.update(history=[{"epoch": i + 1, "loss": 0.1, "val_loss": None} for i in range(n)])
    assert len(serialize.load_model(mutate(exp, entries(100000))).history) == 100000
    assert refused(mutate(exp, entries(100001))) == ("model file: history has 100001 entries; a model file "
                                                     "holds at most 100000 (one per epoch trained)")


def test_text_size_and_container_count_are_capped(exp, monkeypatch):
    # the outer list is the 1st; the 250,001st is the 250,000th "[]", at 1 + 3 * 249999
    assert "more than 250000 arrays and objects (at character 749998)" in refused("[" + "[]," * 250000 + "[]]")
    monkeypatch.setattr(serialize, "MAX_CHARS", 1000)
    assert refused(exp.to_json()).startswith("model file: %d characters long; a model file is at most 1000"
                                             % len(exp.to_json()))
    assert refused(b"{}") == "model file: must be text, got bytes"
