"""Saved models: a versioned JSON document, checked field by field on loading.

{"format": "anomaly-explorer-model", "version": 1, "settings_version": 1,
 "config": {...every setting...}, "n_features": <a sample's length>,
 "layers": [{"activation": "leaky_relu", "W": [[...], ...], "b": [...]}, ...],
 "scaler": {"kind": "minmax", "shift": [...], "scale": [...]},
 "threshold": 0.0123 or null, "threshold_rule": "percentile" or null,
 "history": [{"epoch": 1, "loss": ..., "val_loss": ... or null}, ...]}

Weights are float64 written as Python's shortest round-trip text, so a loaded model is bit-identical.

Loading is all or nothing: the text is refused before json.loads runs if it is too long or nested too
deep to parse safely, every number must fit a finite float64, and every field (history entries too)
is checked; a refusal is a ModelFileError whose message names the field.
"""
import json
import math
import re
import sys

import numpy as np

from models import settings
from models.model import Model
from models.settings import layer_sizes
from models.nn import Autoencoder, Dense
from models.prep import Scaler

FORMAT = "anomaly-explorer-model"
VERSION = 1


class ModelFileError(ValueError):
    """A model document is not valid; the message names the field and what was expected."""


def to_dict(model):
    return {
        "format": FORMAT,
        "version": VERSION,
        "settings_version": settings.VERSION,
        "config": model.config,
        "n_features": model.n_features,
        "layers": [{"activation": l.activation, "W": [[float(v) for v in row] for row in l.W],
                    "b": [float(v) for v in l.b]}
                   for l in model.net.layers],
        "scaler": model.scaler.to_dict(),
        "threshold": None if model.threshold is None else float(model.threshold),
        "threshold_rule": model.threshold_rule,
        "history": model.history,
    }


def dumps(model):
    return json.dumps(to_dict(model), separators=(",", ":"), allow_nan=False)


# ---- reading the text ------------------------------------------------------------------

# A model file nests 5 levels at most (document > layers > layer > W > row); 32 leaves room for a
# future format while staying far below what json.loads recursing in WebAssembly (Pyodide's small C
# stack) survives.
MAX_DEPTH = 32
# The largest model the settings allow (10 layers of 256 each side, latent 64, 140 samples) is about
# 27 million characters, with a full history about 40 million at worst (long float texts): 64 Mi
# leaves a margin and still bounds the memory json.loads may take.
MAX_CHARS = 64 * 1024 * 1024
# Arrays and objects: a history entry is one (at most MAX_HISTORY of them), a weight row one
# (about 5,300 in the largest model), everything else about 30. Bounds json.loads's work and memory
# on text like "[[],[],[],...]".
MAX_CONTAINERS = 250000
# One entry per trained epoch; a run is at most 1000 epochs (settings' "epochs"), so 100,000 is
# 100 runs of the longest kind: more than anyone trains one model, and only ~8 MB of text.
MAX_HISTORY = 100000

_FLOAT_MAX = sys.float_info.max
_FLOAT_DIGITS = len(str(int(_FLOAT_MAX)))  # 309: a whole number with more digits fits no float64

# From a position: plain characters and whole strings (escapes and all), then the next bracket
# outside a string. Possessive quantifiers (Python 3.11+) never backtrack, so the scan is linear
# even on text that ends inside an unterminated string.
_TO_NEXT_BRACKET = re.compile(r'(?:[^"\[\]{}]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+([][{}])', re.S)


def _check_text(text):
    """Refuse text too long or nested too deep before json.loads reads it.

    json.loads recurses once per level; in Pyodide 100,000 levels overflow the WebAssembly stack
    ("Maximum call stack size exceeded") and kill the worker, and no stdlib parser takes a depth
    limit. So this counts levels itself, without recursion, brackets inside strings not counting.
    Outside strings json.loads reads '"' as this scan does; where the two could differ the text is
    not JSON, and json.loads stops there with an error before nesting deeper than counted here."""
    if len(text) > MAX_CHARS:
        raise ModelFileError("model file: %d characters long; a model file is at most %d"
                             % (len(text), MAX_CHARS))
    depth = containers = pos = 0
    while True:
        m = _TO_NEXT_BRACKET.match(text, pos)
        if m is None:
            return  # no bracket left outside strings
        pos = m.end()
        if m.group(1) in "]}":
            depth -= 1  # below 0 only in text json.loads refuses
            continue
        depth += 1
        containers += 1
        if depth > MAX_DEPTH:
            raise ModelFileError("model file: nested %d levels deep at character %d; a model file nests at most %d"
                                 % (depth, pos - 1, MAX_DEPTH))
        if containers > MAX_CONTAINERS:
            raise ModelFileError("model file: more than %d arrays and objects (at character %d); a model file "
                                 "holds at most %d" % (MAX_CONTAINERS, pos - 1, MAX_CONTAINERS))


class _Unfit:
    """Stands in for a number of the file that no finite float64 holds (NaN, Infinity, -Infinity, a
    400-digit integer). Being neither int nor float, it fails the check of the field it is in, so the
    refusal names that field; its repr says what the file held."""
    __slots__ = ("shown",)

    def __init__(self, shown):
        self.shown = shown

    def __repr__(self):
        return self.shown


def _parse(text):
    """json.loads -> (document, [the _Unfit numbers in it])."""
    unfit = []

    def mark(shown):
        unfit.append(_Unfit(shown))
        return unfit[-1]

    def whole(digits):
        # Too many digits: never converted (CPython's int() refuses over 4300 with a ValueError).
        n = len(digits.lstrip("-"))
        value = int(digits) if n <= _FLOAT_DIGITS else None
        if value is None or abs(value) > _FLOAT_MAX:
            return mark("a %d-digit number, too large for a 64-bit float" % n)
        return value

    # Floats keep json's own fast reading (a hook per weight costs a third of the loading time):
    # one like 1e400 reads as inf, which every field's check refuses.
    try:
        doc = json.loads(text, parse_constant=mark, parse_int=whole)
    except ValueError as e:  # json.JSONDecodeError is one
        raise ModelFileError("model file: not valid JSON (%s)" % e) from None
    return doc, unfit


# ---- checking the document ----------------------------------------------------------------

def _fail(field, expected, got):
    if isinstance(got, float) and math.isinf(got):
        shown = "a number too large for a 64-bit float"  # json reads 1e400 as inf
    else:
        shown = repr(got)
        if len(shown) > 60:
            shown = shown[:57] + "..."
    raise ModelFileError("model file: %s must be %s, got %s" % (field, expected, shown))


def _get(doc, key, where=""):
    if key not in doc:
        raise ModelFileError("model file: %s is missing" % (where + key))
    return doc[key]


def _finite(v):
    """An int or float that a finite float64 holds (bool is no number here). Compared, not
    converted: float(int) raises OverflowError on a giant integer, and NaN compares false."""
    return not isinstance(v, bool) and isinstance(v, (int, float)) and -_FLOAT_MAX <= v <= _FLOAT_MAX


def _number_or_null(field, value):
    """A finite number as a Python float, or None for null."""
    if value is None:
        return None
    if not _finite(value):
        _fail(field, "a finite number or null", value)
    return float(value)


def _array(field, value, shape):
    """A list (of lists) of finite numbers with exactly this shape -> float64 array."""
    what = ("a list of %d numbers" % shape[0] if len(shape) == 1
            else "a %dx%d list of lists of numbers" % shape)
    try:
        arr = np.array(value, dtype=object)
    except ValueError:  # ragged nesting
        _fail(field, what, value)
    if arr.shape != tuple(shape):
        raise ModelFileError("model file: %s must be %s, got shape %s" % (field, what, "x".join(map(str, arr.shape))))
    for v in arr.ravel():
        if not _finite(v):
            _fail(field, "made of finite numbers", v)
    return arr.astype(np.float64)


_HISTORY_KEYS = ("epoch", "loss", "val_loss")  # what Experiment._end_epoch writes, in its order


def _history(history):
    """The checked history as new plain dicts: {"epoch": int, "loss": float|None, "val_loss": float|None}."""
    if not isinstance(history, list):
        _fail("history", "a list of objects", history)
    if len(history) > MAX_HISTORY:
        raise ModelFileError("model file: history has %d entries; a model file holds at most %d (one per epoch trained)"
                             % (len(history), MAX_HISTORY))
    return [_history_entry(i, h) for i, h in enumerate(history)]


def _history_entry(i, h):
    where = "history[%d]" % i
    if not isinstance(h, dict):
        _fail(where, "an object with %s" % ", ".join(_HISTORY_KEYS), h)
    # The app writes exactly these keys. Another one is a file it did not write: dropping it would be
    # silent, and keeping it would carry unchecked values into the engine's replies.
    unknown = sorted(k for k in h if k not in _HISTORY_KEYS)
    if unknown:
        raise ModelFileError("model file: %s has an unknown key %r; an entry holds only %s"
                             % (where, unknown[0][:40], ", ".join(_HISTORY_KEYS)))
    epoch = _get(h, "epoch", where + ".")
    # Experiment numbers epochs 1, 2, 3, ... and continues a loaded model's count from its length
    # (a diverged epoch is not recorded), so every file it writes has entry i at epoch i + 1.
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch != i + 1:
        _fail(where + ".epoch", "%d (entries number the epochs 1, 2, 3, ... in order)" % (i + 1), epoch)
    return {"epoch": epoch, "loss": _number_or_null(where + ".loss", _get(h, "loss", where + ".")),
            "val_loss": _number_or_null(where + ".val_loss", _get(h, "val_loss", where + "."))}


def from_dict(doc):
    if not isinstance(doc, dict):
        _fail("the document", "a JSON object", doc)
    if doc.get("format") != FORMAT:
        _fail("format", repr(FORMAT), doc.get("format"))
    version = _get(doc, "version")
    if version != VERSION:
        _fail("version", "%d (this app reads version %d model files)" % (VERSION, VERSION), version)
    config = _get(doc, "config")
    if not isinstance(config, dict):
        _fail("config", "an object of settings", config)
    try:
        config = settings.validate(config)  # bounds every layer size (encoder, latent, decoder)
    except ValueError as e:
        raise ModelFileError("model file: config: %s" % e) from None
    n = _get(doc, "n_features")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        _fail("n_features", "a positive whole number", n)
    sizes, latent_index = layer_sizes(config, n)
    layers = _get(doc, "layers")
    if not isinstance(layers, list) or len(layers) != len(sizes) - 1:
        _fail("layers", "a list of %d layers (sizes %s, from config)" % (len(sizes) - 1, sizes),
              "%d layers" % len(layers) if isinstance(layers, list) else layers)
    dense = []
    for i, layer in enumerate(layers):
        where = "layers[%d]" % i
        if not isinstance(layer, dict):
            _fail(where, "an object with W, b and activation", layer)
        want = config["output_activation"] if i == len(layers) - 1 else config["activation"]
        if layer.get("activation") != want:
            _fail(where + ".activation", repr(want) + " (from config)", layer.get("activation"))
        W = _array(where + ".W", _get(layer, "W", where + "."), (sizes[i], sizes[i + 1]))
        b = _array(where + ".b", _get(layer, "b", where + "."), (sizes[i + 1],))
        dense.append(Dense(W, b, want))
    sc = _get(doc, "scaler")
    if not isinstance(sc, dict):
        _fail("scaler", "an object with kind, shift and scale", sc)
    if sc.get("kind") != config["scaling"]:
        _fail("scaler.kind", repr(config["scaling"]) + " (from config)", sc.get("kind"))
    shift = _array("scaler.shift", _get(sc, "shift", "scaler."), (n,))
    scale = _array("scaler.scale", _get(sc, "scale", "scaler."), (n,))
    if not (scale > 0).all():
        _fail("scaler.scale", "positive numbers", float(scale[~(scale > 0)][0]))
    threshold = _number_or_null("threshold", doc.get("threshold"))
    rule = doc.get("threshold_rule")
    if rule is not None and rule not in settings.BY_KEY["threshold_rule"]["choices"]:
        _fail("threshold_rule", "one of " + ", ".join(settings.BY_KEY["threshold_rule"]["choices"]), rule)
    history = _history(doc.get("history", []))
    net = Autoencoder(dense, latent_index, config["dropout"])
    return Model(config, net, Scaler(config["scaling"], shift, scale), threshold, rule, history)


def load_model(text):
    """Parse and validate a saved model; raises ModelFileError saying what is wrong."""
    if not isinstance(text, str):
        raise ModelFileError("model file: must be text, got %s" % type(text).__name__)
    _check_text(text)
    doc, unfit = _parse(text)
    model = from_dict(doc)  # refuses an _Unfit in any field it reads, naming the field
    if unfit:  # one under a key no field reads: still no finite number, so still not a model file
        raise ModelFileError("model file: holds %r; every number in a model file is a finite 64-bit float" % unfit[0])
    return model
