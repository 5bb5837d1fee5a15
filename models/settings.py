"""Every setting of an experiment, declared once.

This table drives the training controls, the model composer, the URL hash, the
command line (`python -m models.train`) and validation. It is imported by the
browser's UI thread (MicroPython) as well as CPython, so it uses nothing beyond
core builtins: no dataclasses, typing, or numpy.

Each row: key (also the URL-hash key and CLI option), kind, default, bounds or
choices, a label for people, and the group it is shown in.
Kinds: "int", "float", "choice", "int_list" (comma separated in links), "text" (at most `max`
characters; `choices` "hex" allows only lowercase hex digits).
"""

from data import gallery

VERSION = 1  # bump when a key's meaning changes; the hash codec upgrades old links (links.UPGRADES)

ACTIVATIONS = ["relu", "leaky_relu", "elu", "tanh", "sigmoid", "linear"]
OPTIMIZERS = ["sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adadelta", "adam", "adamax"]


def _row(key, kind, default, label, group, lo=None, hi=None, choices=None, min_len=None, max_len=None, items="layers"):
    return {"key": key, "kind": kind, "default": default, "label": label, "group": group,
            "min": lo, "max": hi, "choices": choices, "min_len": min_len, "max_len": max_len, "items": items}


SETTINGS = [
    # model: the composer edits these
    _row("encoder", "int_list", [15, 7], "Encoder layers (units)", "model", 1, 256, min_len=1, max_len=10),
    _row("latent", "int", 2, "Bottleneck units", "model", 1, 64),
    _row("decoder", "int_list", [], "Decoder layers (empty = mirror the encoder)", "model", 1, 256, min_len=0, max_len=10),
    _row("activation", "choice", "leaky_relu", "Hidden activation", "model", choices=ACTIVATIONS),
    _row("output_activation", "choice", "sigmoid", "Output activation", "model", choices=["sigmoid", "linear"]),
    _row("init", "choice", "glorot_uniform", "Weight initializer", "model", choices=["glorot_uniform", "glorot_normal", "he"]),
    _row("dropout", "float", 0.0, "Dropout on hidden layers", "model", 0.0, 0.9),
    _row("regularizer", "choice", "none", "Weight penalty", "model", choices=["none", "l1", "l2", "l1l2"]),
    _row("reg_rate", "float", 0.0001, "Penalty rate", "model", 0.0, 1.0),
    # optimizer
    _row("optimizer", "choice", "adam", "Optimizer", "training", choices=OPTIMIZERS),
    _row("learning_rate", "float", 0.01, "Learning rate", "training", 0.00001, 10.0),
    _row("beta1", "float", 0.9, "Adam/Adamax beta1", "advanced", 0.0, 0.9999),
    _row("beta2", "float", 0.999, "Adam/Adamax beta2", "advanced", 0.0, 0.99999),
    _row("momentum", "float", 0.9, "Momentum (momentum, Nesterov)", "advanced", 0.0, 0.999),
    _row("rho", "float", 0.9, "Decay rho (RMSProp, Adadelta)", "advanced", 0.0, 0.999),
    _row("epsilon", "float", 1e-7, "Epsilon", "advanced", 1e-10, 1.0),
    # training run
    _row("epochs", "int", 20, "Epochs per run", "training", 1, 1000),
    _row("batch_size", "int", 256, "Batch size", "training", 1, 4096),
    _row("patience", "int", 0, "Early stopping patience (0 = off)", "advanced", 0, 100),
    _row("seed", "int", 42, "Seed", "training", 0, 2147483647),
    # data
    _row("dataset", "choice", gallery.DEFAULT, "Dataset", "data", choices=gallery.KEYS + [gallery.FILE]),
    # the classes a model learns as normal; none listed: the dataset's own (data/gallery.py)
    _row("normal", "int_list", [], "Normal classes (empty = the dataset's)", "data", 0, 50, min_len=0, max_len=50,
         items="classes"),
    # a long series is cut into windows (data/windows.py)
    _row("window", "int", 64, "Window length (long series)", "data", 4, 1024),
    _row("stride", "int", 4, "Window stride (long series)", "data", 1, 1024),
    # at most: a dataset with fewer samples uses all it has (models/prep.split)
    _row("train_size", "int", 2600, "Training samples (at most)", "data", 10, 100000),
    _row("abnormal_pct", "float", 0.0, "Abnormal samples mixed into training (%)", "data", 0.0, 50.0),
    _row("validation_pct", "float", 10.0, "Validation split of training (%)", "data", 0.0, 50.0),
    _row("test_size", "int", 100000, "Test samples (at most)", "data", 10, 100000),
    # your own file (dataset "file"): which file, and how it is read (data/user_file.py); never
    # its data. The file panel shows these, not the settings panel.
    _row("file_name", "text", "", "File name", "file", 0, 200),
    _row("file_sha256", "text", "", "File's sha256", "file", 0, 64, choices="hex"),
    _row("file_format", "choice", "rows", "Each line is", "file", choices=["rows", "series"]),
    _row("file_delimiter", "choice", "comma", "Separator", "file", choices=["comma", "tab", "semicolon", "whitespace"]),
    _row("file_decimal", "choice", "point", "Decimal mark", "file", choices=["point", "comma"]),
    _row("file_header", "choice", "no", "First line is a header", "file", choices=["no", "yes"]),
    _row("file_labels", "choice", "none", "Labels (rows)", "file", choices=["none", "first"]),
    _row("value_column", "int", 1, "Value column (series)", "file", 1, 10000),
    _row("label_column", "int", 0, "Anomaly label column (series; 0 = none)", "file", 0, 10000),
    _row("scaling", "choice", "minmax", "Scaling (fitted on training data)", "data", choices=["minmax", "zscore"]),
    # threshold
    _row("threshold_rule", "choice", "percentile", "Threshold rule", "threshold",
         choices=["percentile", "best_f1", "best_accuracy", "manual"]),
    _row("threshold_percentile", "float", 95.0, "Percentile of validation errors", "threshold", 50.0, 100.0),
    _row("threshold", "float", 0.01, "Manual threshold", "threshold", 0.0, 10.0),
    # classical detectors compared with the autoencoder on the same split (models/baselines.py,
    # the table of them in models/detectors.py); "on" in a link reproduces the comparison
    _row("baselines", "choice", "off", "Compare with classical detectors", "baselines", choices=["off", "on"]),
    _row("knn_k", "int", 5, "kNN: neighbours (score = mean distance to them)", "baselines", 1, 200),
    _row("lof_k", "int", 20, "LOF: neighbours", "baselines", 2, 200),
    _row("ocsvm_nu", "float", 0.05, "One-class SVM: nu (upper bound on training outliers)", "baselines", 0.001, 0.5),
    _row("ocsvm_gamma", "choice", "scale", "One-class SVM: RBF gamma", "baselines", choices=["scale", "auto"]),
    _row("iforest_trees", "int", 100, "Isolation Forest: trees", "baselines", 10, 1000),
    _row("pca_components", "int", 8, "PCA: components kept", "baselines", 1, 64),
]

BY_KEY = {}
for _s in SETTINGS:
    BY_KEY[_s["key"]] = _s


def defaults():
    """A fresh configuration holding every default (lists copied, so callers may mutate)."""
    out = {}
    for s in SETTINGS:
        d = s["default"]
        out[s["key"]] = list(d) if isinstance(d, list) else d
    return out


def _finite(x):
    return x == x and x not in (float("inf"), float("-inf"))


def check_value(key, value):
    """Return the value in its canonical type, or raise ValueError saying what was expected."""
    s = BY_KEY.get(key)
    if s is None:
        raise ValueError("unknown setting '%s'" % key)
    kind = s["kind"]
    if kind == "text":
        if not isinstance(value, str) or len(value) > s["max"]:
            raise ValueError("%s must be text of at most %d characters" % (key, s["max"]))
        if s["choices"] == "hex" and [c for c in value if c not in "0123456789abcdef"]:
            raise ValueError("%s must be lowercase hexadecimal digits" % key)
        return value
    if kind == "choice":
        if value not in s["choices"]:
            raise ValueError("%s must be one of %s, got %r" % (key, ", ".join(s["choices"]), value))
        return value
    if kind == "int_list":
        if not isinstance(value, (list, tuple)):
            raise ValueError("%s must be a list of whole numbers, got %r" % (key, value))
        if not s["min_len"] <= len(value) <= s["max_len"]:
            raise ValueError("%s must have %d to %d %s, got %d" % (key, s["min_len"], s["max_len"], s["items"], len(value)))
        return [_check_number(key, v, True, s) for v in value]
    return _check_number(key, value, kind == "int", s)


def _check_number(key, value, whole, s):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("%s must be a number, got %r" % (key, value))
    if not _finite(value):
        raise ValueError("%s must be a finite number, got %r" % (key, value))
    if whole:
        if value != int(value):
            raise ValueError("%s must be a whole number, got %r" % (key, value))
        value = int(value)
    else:
        value = float(value)
    if not s["min"] <= value <= s["max"]:
        raise ValueError("%s must be between %s and %s, got %r" % (key, s["min"], s["max"], value))
    return value


def validate(config):
    """Check a whole configuration. Missing keys take defaults.

    Returns a new, canonical dict; raises ValueError naming every bad or unknown key.
    """
    out = defaults()
    problems = []
    for key in config:
        try:
            out[key] = check_value(key, config[key])
        except ValueError as e:
            problems.append(str(e))
    if problems:
        raise ValueError("; ".join(problems))
    return out


def decoder_layers(config):
    """The decoder's hidden sizes: explicit, or the encoder mirrored."""
    dec = config.get("decoder") or []
    return list(dec) if dec else list(reversed(config["encoder"]))


def layer_sizes(config, n_features):
    """[input, encoder..., latent, decoder..., output] units, and the bottleneck's layer index."""
    enc = list(config["encoder"])
    return [n_features] + enc + [config["latent"]] + decoder_layers(config) + [n_features], len(enc)


def param_count(sizes):
    """Weights and biases of dense layers of these sizes."""
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def shape_text(sizes):
    """The layer sizes as people read them: "input-15-7-2-7-15-output", joined by dashes."""
    return "-".join(str(n) for n in sizes)


def _ordinal(x):
    """95 -> "95th", 91 -> "91st", 99.5 -> "99.5th"."""
    text = "%g" % x
    if x != int(x) or 10 <= int(x) % 100 <= 13:
        return text + "th"
    return text + {1: "st", 2: "nd", 3: "rd"}.get(int(x) % 10, "th")


def threshold_rule_text(config, samples="samples"):
    """How the threshold was chosen, as one phrase for every place that says it:
    "the 95th percentile of the errors on validation heartbeats (no test labels used)"."""
    rule = config["threshold_rule"]
    if rule == "percentile":
        # models/prep.split holds out no validation set when the share rounds to no sample
        held_out = int(round(config["train_size"] * config["validation_pct"] / 100.0)) > 0
        return "the %s percentile of the errors on %s %s (no test labels used)" % (
            _ordinal(config["threshold_percentile"]), "validation" if held_out else "training", samples)
    if rule == "manual":
        return "set by hand"
    return ("the one with the %s on the test labels (this peeks at them, so the metrics are optimistic)"
            % ("best F1" if rule == "best_f1" else "best accuracy"))
