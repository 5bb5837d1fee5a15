"""The UI thread's pure helpers, without a browser: a drawing resampled into a sample, a control's
text parsed into a setting, layer sizes, the threshold slider's scale, the threshold rule in words,
the dataset's description. The same code runs under the browser's MicroPython: a last test runs
it there and checks it gives exactly CPython's answers."""
import pytest

from app import control_text, drawing, protocol
from data import about, ecg5000
from models import settings
from models.threshold_scale import LogScale
from tests.test_links_micropython import HELPERS, plain, run_micropython

pytestmark = pytest.mark.needs_node_modules


# ---- drawing ---------------------------------------------------------------------------------------

def test_a_flat_line_through_the_middle_is_the_middle_value():
    values = drawing.resample([[0, 20], [140, 20]], -5.5, 3.5, 140, 140, 40)
    assert len(values) == 140 and set(values) == {-1.0}


def test_a_stroke_from_top_left_to_bottom_right_falls_linearly_and_holds_its_ends():
    # the pad's margin is 2 units: y = 2 is the top of the range, y = 38 its bottom
    values = drawing.resample([[35, 2], [105, 38]], 0.0, 1.0, 5, 140, 40)
    assert values == [1.0, 1.0, 0.5, 0.0, 0.0]


def test_a_stroke_drawn_backwards_or_over_itself_is_read_left_to_right_latest_wins():
    values = drawing.resample([[100, 2], [0, 38], [100, 20]], 0.0, 1.0, 3, 100, 40)
    assert values == [0.0, 0.25, 0.5]


def test_the_pad_may_have_any_width_and_the_sample_any_length():
    assert len(drawing.resample([[0, 2], [50, 38]], 0.0, 1.0, 500, 50, 40)) == 500


# ---- a control's text ------------------------------------------------------------------------------

@pytest.mark.parametrize("key, raw, value", [
    ("learning_rate", " 0.005 ", 0.005), ("learning_rate", "1e-3", 0.001), ("epochs", "30", 30),
    ("epochs", "3e1", 30), ("optimizer", "sgd", "sgd"), ("threshold", "0.30000000000000004", 0.30000000000000004),
    ("normal", "2", [2]), ("normal", " 1, 3 4", [1, 3, 4]), ("normal", "", []), ("dataset", "gunpoint", "gunpoint"),
])
def test_control_text_parses_to_the_settings_canonical_value(key, raw, value):
    parsed = control_text.parse(key, raw)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize("key, raw, message", [
    ("learning_rate", "fast", "“fast” is not a number."),
    ("learning_rate", "11", "Must be a number from 1e-5 to 10."),
    ("epochs", "2.5", "Must be a whole number from 1 to 1000."),
    ("epochs", "0", "Must be a whole number from 1 to 1000."),
    ("optimizer", "<b>sgd</b>", "optimizer must be one of"),
    ("normal", "1, x", "“x” is not a whole number from 0 to 50."),
    ("normal", "2.5", "“2.5” is not a whole number from 0 to 50."),
    ("normal", ",".join(["1"] * 51), "Normal must have 0 to 50 classes"),
])
def test_control_text_refuses_with_the_allowed_range(key, raw, message):
    with pytest.raises(ValueError) as e:
        control_text.parse(key, raw)
    assert str(e.value).startswith(message)


def test_control_text_shows_values_as_links_write_them():
    assert [control_text.show(v) for v in (0.01, 2.0, 1e-07, 30, "adam", [1, 3], [])] == [
        "0.01", "2", "1e-7", "30", "adam", "1, 3", ""]


# ---- layers, thresholds, words ----------------------------------------------------------------------

def test_layer_sizes_come_from_the_settings_and_the_samples_length():
    cfg = settings.validate({"encoder": [32, 8], "latent": 4})
    sizes, latent_index = settings.layer_sizes(cfg, 140)
    assert sizes == [140, 32, 8, 4, 8, 32, 140] and latent_index == 2
    assert settings.param_count(sizes) == 140 * 32 + 32 + 32 * 8 + 8 + 8 * 4 + 4 + 4 * 8 + 8 + 8 * 32 + 32 + 32 * 140 + 140
    assert settings.shape_text(settings.layer_sizes(dict(cfg, decoder=[5]), 24)[0]) == "24-32-8-4-5-24"


def test_the_slider_scale_is_log_spaced_and_finds_its_own_steps():
    scale = LogScale(1e-4, 1e-1, 300)
    assert scale.value(0) == pytest.approx(1e-4) and scale.value(300) == pytest.approx(1e-1)
    assert scale.value(100) == pytest.approx(1e-3)
    assert [scale.step(scale.value(k)) for k in range(0, 301, 25)] == list(range(0, 301, 25))
    assert scale.step(0.0) == 0 and scale.step(1e9) == 300
    flat = LogScale(0.5, 0.5, 10)  # all errors equal: a decade above them
    assert flat.value(10) == pytest.approx(5.0)


@pytest.mark.parametrize("change, words", [
    ({}, "the 95th percentile of the errors on validation heartbeats (no test labels used)"),
    ({"threshold_percentile": 92.0}, "the 92nd percentile"),
    ({"threshold_percentile": 99.5, "validation_pct": 0.0}, "the 99.5th percentile of the errors on training heartbeats"),
    ({"threshold_rule": "manual"}, "set by hand"),
    ({"threshold_rule": "best_f1"}, "the one with the best F1 on the test labels (this peeks at them"),
    ({"threshold_rule": "best_accuracy"}, "the one with the best accuracy on the test labels"),
])
def test_the_threshold_rule_in_words(change, words):
    assert settings.threshold_rule_text(settings.validate(change), "heartbeats").startswith(words)


def test_the_dataset_description_is_checked():
    info = ecg5000.ABOUT
    assert about.labels(info) == [1, 2, 3, 4, 5] and about.class_name(info, 3) == "Supraventricular ectopic"
    assert about.class_name(info, 3, short=True) == "SV ectopic" and about.is_normal(info, 1)
    assert not about.is_normal(info, 2) and about.samples(info) == "heartbeats"
    for args, message in ((("x", "row", 1, [[0, "a", "a"]], [0]), "length"),
                          (("x", "row", 9, [], [0]), "at least one class"),
                          (("x", "row", 9, [[0, "a", "a"], [0, "b", "b"]], [0]), "listed twice"),
                          (("x", "row", 9, [[0, "a", "a"]], [1]), "normal: 1 is not one of the classes")):
        with pytest.raises(about.AboutError, match=message):
            about.describe(*args)


# ---- the same answers under MicroPython --------------------------------------------------------------

# Runs under both: what each control text parses to, or the message refusing it.
PARSED = r'''
def parsed_controls(pairs):
    out = []
    for key, raw in pairs:
        try:
            out.append(["ok", control_text.show(control_text.parse(key, raw))])
        except ValueError as e:
            out.append(["error", str(e)])
    return out
'''
_parsed = {"control_text": control_text}
exec(PARSED, _parsed)
parsed_controls = _parsed["parsed_controls"]

# Floats travel both ways as exact text (tests/test_links_micropython.py: plain, unplain).
SCRIPT = r'''
import json
from app import control_text, drawing, protocol
from data import about
from models import exact_numbers, settings
from models.threshold_scale import LogScale
''' + HELPERS + PARSED + r'''
with open("/app/input") as f:
    data = unplain(json.load(f))
out = {}
out["drawn"] = plain([drawing.resample(*case) for case in data["drawings"]])
out["parsed"] = parsed_controls(data["controls"])
out["sizes"] = [settings.layer_sizes(settings.validate(c), n) for c, n in data["layers"]]
out["steps"] = [LogScale(lo, hi, n).step(t) for lo, hi, n, t in data["scales"]]
out["values"] = ["%.6g" % LogScale(lo, hi, n).value(k) for lo, hi, n, k in data["scale_values"]]
out["rules"] = [settings.threshold_rule_text(settings.validate(c), "heartbeats") for c in data["rules"]]
out["names"] = [about.class_name(data["about"], label, short) for label, short in data["names"]]
out["frames"] = protocol.unframe(protocol.frame("{}", [["roc", "[1]"], ["hist", "[2]"]]))
print(json.dumps(out))
'''


def micropython_cases():
    return {
        "drawings": [[[[0, 20], [140, 20]], -5.5, 3.5, 140, 140, 40], [[[35, 2], [105, 38]], 0.0, 1.0, 5, 140, 40],
                     [[[3.25, 7.5], [60.5, 30.75], [139.5, 12.25]], -5.5, 3.5, 140, 140, 40]],
        "controls": [["learning_rate", "0.005"], ["learning_rate", "fast"], ["epochs", "3e1"], ["epochs", "2.5"],
                     ["threshold", "0.30000000000000004"], ["optimizer", "nope"], ["dropout", "1e-7"]],
        "layers": [[{"encoder": [32, 8], "latent": 4}, 140], [{"encoder": [5], "latent": 2, "decoder": [3, 3]}, 24]],
        "scales": [[1e-4, 1e-1, 1000, 3.3e-3], [0.0, 2.0, 1000, 1e-5], [2e-3, 0.5, 200, 0.0111]],
        "scale_values": [[1e-4, 1e-1, 1000, 0], [1e-4, 1e-1, 1000, 517], [2e-3, 0.5, 200, 199]],
        "rules": [{}, {"threshold_percentile": 91.0}, {"threshold_rule": "best_accuracy"}, {"validation_pct": 0.0}],
        "about": ecg5000.ABOUT,
        "names": [[1, False], [3, True], [3, False], [9, False]],
    }


def test_the_helpers_give_cpythons_answers_under_micropython(tmp_path):
    cases = micropython_cases()
    got = run_micropython(tmp_path, cases, SCRIPT)
    assert got["drawn"] == plain([drawing.resample(*case) for case in cases["drawings"]])
    assert got["parsed"] == parsed_controls(cases["controls"])
    assert got["sizes"] == [list(settings.layer_sizes(settings.validate(c), n)) for c, n in cases["layers"]]
    assert got["steps"] == [LogScale(lo, hi, n).step(t) for lo, hi, n, t in cases["scales"]]
    assert got["values"] == ["%.6g" % LogScale(lo, hi, n).value(k) for lo, hi, n, k in cases["scale_values"]]
    assert got["rules"] == [settings.threshold_rule_text(settings.validate(c), "heartbeats") for c in cases["rules"]]
    assert got["names"] == [about.class_name(ecg5000.ABOUT, label, short) for label, short in cases["names"]]
    assert got["frames"] == list(protocol.unframe(protocol.frame("{}", [("roc", "[1]"), ("hist", "[2]")])))
