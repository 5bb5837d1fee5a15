"""One setting's value in a link (models/link_values.py): numbers, lists and choices, each read
through links.decode as a link's values are, so every case also checks the rest of the link."""
import pytest

from models import exact_numbers, link_values, links, settings

S = settings.BY_KEY


def with_(**changes):
    return dict(settings.defaults(), **changes)


def test_values_are_written_as_short_exact_text():
    assert link_values.format_value(0.005) == "0.005"
    assert link_values.format_value(1e-7) == "1e-7"
    assert link_values.format_value(2.0) == "2"
    assert link_values.format_value([32, 8]) == "32,8"
    assert link_values.format_value([]) == "(none)"
    assert link_values.format_value("adam") == "adam"


def test_read_value_says_what_it_did_not_take_as_given():
    s = S["learning_rate"]
    assert link_values.read_value(s, "0.005") == (0.005, None)
    assert link_values.read_value(s, "1e999") == (10.0, "above the maximum 10: '1e999'; clamped to 10")
    assert link_values.read_value(S["latent"], None) == (2, "no value given; used the default 2")
    assert link_values.read_value(S["decoder"], " ") == ([], None)
    assert link_values.read_value(S["optimizer"], " sgd ") == ("sgd", None)


@pytest.mark.parametrize("text,why", [
    ("nan", "not a number: 'nan'"),
    ("inf", "not a number: 'inf'"),
    ("-inf", "not a number: '-inf'"),
    ("abc", "not a number: 'abc'"),
    ("0x10", "not a number: '0x10'"),
    ("1_0", "not a number: '1_0'"),
    ("", "no value given"),
])
def test_learning_rate_that_is_not_a_number_takes_the_default(text, why):
    config, _, rejected = links.decode("learning_rate=" + text)
    assert config == settings.defaults()
    (key, reason), = rejected
    assert key == "learning_rate" and reason.startswith(why)
    assert reason.endswith("used the default " + exact_numbers.format_float(S["learning_rate"]["default"]))


def test_learning_rate_out_of_range_is_clamped():
    s = S["learning_rate"]
    config, _, rejected = links.decode("learning_rate=1e999")
    assert config["learning_rate"] == s["max"]
    assert rejected == [("learning_rate", "above the maximum %s: '1e999'; clamped to %s"
                         % (exact_numbers.format_float(s["max"]), exact_numbers.format_float(s["max"])))]
    config, _, rejected = links.decode("learning_rate=-5")
    assert config["learning_rate"] == s["min"]
    assert rejected[0][1].endswith("clamped to " + exact_numbers.format_float(s["min"]))
    config, _, rejected = links.decode("learning_rate=1e-999")
    assert config["learning_rate"] == s["min"] and rejected


def test_underflow_to_zero_is_reported():
    config, _, rejected = links.decode("dropout=1e-999")
    assert config["dropout"] == 0.0
    assert rejected == [("dropout", "too small to store: '1e-999'; read as 0")]
    assert links.decode("dropout=0e5")[2] == []


def test_numbers_in_other_spellings():
    assert links.decode("learning_rate=1e-1")[0]["learning_rate"] == 0.1
    assert links.decode("learning_rate=1e%2B0")[0]["learning_rate"] == 1.0
    assert links.decode("learning_rate=1e+0")[0]["learning_rate"] == 1.0  # '+' became a space
    assert links.decode("latent=4.0&epochs=1e2") == (with_(latent=4, epochs=100), [], [])
    assert links.decode("learning_rate=.5")[0]["learning_rate"] == 0.5
    config, _, rejected = links.decode("latent=2.5")
    assert config["latent"] == S["latent"]["default"]
    assert rejected[0][1].startswith("not a whole number: '2.5'")
    config, _, rejected = links.decode("seed=" + "9" * 3000)
    assert config["seed"] == S["seed"]["max"] and rejected[0][0] == "seed"


def test_list_sizes_are_clamped():
    config, _, rejected = links.decode("encoder=0,300")
    assert config["encoder"] == [1, 256]
    assert rejected == [("encoder", "sizes must be 1 to 256: '0,300'; clamped to 1,256")]


def test_too_many_layers_are_cut():
    config, _, rejected = links.decode("encoder=" + ",".join(str(i) for i in range(1, 12)))
    assert config["encoder"] == list(range(1, 11))
    assert rejected == [("encoder", "too many layers (11, at most 10); kept the first 10")]


def test_bad_and_empty_lists():
    default = S["encoder"]["default"]
    config, _, rejected = links.decode("encoder=")
    assert config["encoder"] == default and rejected[0][1].startswith("empty")
    config, _, rejected = links.decode("encoder=15,,7")
    assert config["encoder"] == default and rejected[0][1].startswith("not a list of whole numbers")
    config, _, rejected = links.decode("encoder=15,7.5")
    assert config["encoder"] == default and rejected
    assert links.decode("decoder=") == (settings.defaults(), [], [])  # min_len 0: empty is fine
    assert links.decode("encoder=15,+7") == (with_(encoder=[15, 7]), [], [])  # '+' is a space


def test_script_in_a_choice_is_rejected_and_quoted_safely():
    config, _, rejected = links.decode("optimizer=<script>alert('x')</script>")
    assert config["optimizer"] == S["optimizer"]["default"]
    (key, reason), = rejected
    assert key == "optimizer"
    assert "not a known choice" in reason
    assert "<" not in reason and ">" not in reason and "alert(\u2032x\u2032)" in reason
    config, _, rejected = links.decode("optimizer=%3Cscript%3E%22%26")
    assert "\u2039script\u203a\u2033\uff06" in rejected[0][1]


def test_quoted_values_are_cut_to_40_characters():
    _, _, rejected = links.decode("latent=" + "x" * 100)
    quoted = rejected[0][1].split("'")[1]
    assert quoted == "x" * 40 + "\u2026"
