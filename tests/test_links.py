"""The URL-hash codec (models/links.py): round trips, specific links, versions, and property-based
fuzzing. How each kind of value is read is in tests/test_link_values.py.

The fuzz tests check decode() against an independent reading of the link written here with
CPython's urllib and re: anything decode() does not report must have been taken exactly as given.
"""
import math
import re
from urllib.parse import quote, unquote_plus

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from models import links, settings, url_text

FUZZ = dict(derandomize=True, database=None, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                   HealthCheck.filter_too_much])

KEYS = [s["key"] for s in settings.SETTINGS]
NUMBER_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
V = settings.VERSION


def setting(key):
    return settings.BY_KEY[key]


def with_(**changes):
    cfg = settings.defaults()
    cfg.update(changes)
    return cfg


def reasons(rejected):
    return dict(rejected)


# ---------------------------------------------------------------------------------------------
# An independent reading of a link, for the fuzz tests

NO = object()  # "must not be taken as given"


def ref_number(s, text, whole):
    t = text.strip()
    t = t.replace("e ", "e+").replace("E ", "E+")
    m = NUMBER_RE.fullmatch(t)
    if not m:
        return NO
    value = int(t) if re.fullmatch(r"[+-]?\d+", t, re.ASCII) else float(t)
    if isinstance(value, float):
        if not math.isfinite(value):
            return NO
        if value == 0 and re.search(r"[1-9]", m.group(1)):
            return NO  # underflow
        if whole:
            if value != int(value):
                return NO
            value = int(value)
    if not s["min"] <= value <= s["max"]:
        return NO
    return int(value) if whole else float(value)


def text_strategy(s):
    if s["choices"] == "hex":
        return st.text("0123456789abcdef", max_size=s["max"])
    return st.text(st.characters(blacklist_categories=("Cs",)), max_size=s["max"])


def reference(s, text):
    """What decode() must produce for setting `s` given `text`, or NO if it must report it."""
    if text is None and s["kind"] != "text":
        return NO
    kind = s["kind"]
    if kind == "text":
        t = text or ""
        if s["choices"] == "hex":
            t = t.strip().lower()
            return t if len(t) <= s["max"] and all(c in "0123456789abcdef" for c in t) else NO
        return t if len(t) <= s["max"] else NO
    t = text.strip()
    if kind == "choice":
        return t if t in s["choices"] else NO
    if kind == "int_list":
        if t == "":
            return [] if s["min_len"] == 0 else NO
        items = t.split(",")
        if not s["min_len"] <= len(items) <= s["max_len"]:
            return NO
        values = [ref_number(s, item, True) for item in items]
        return NO if any(v is NO for v in values) else values
    return ref_number(s, t, kind == "int")


def check_decoded(hash_text):
    """Decode and check every promise decode() makes; returns (config, hide, rejected)."""
    config, hide, rejected = links.decode(hash_text)

    # a complete, valid, canonical configuration
    assert set(config) == set(KEYS)
    assert settings.validate(config) == config
    for key, value in config.items():
        kind = setting(key)["kind"]
        expected = {"int": int, "float": float, "choice": str, "int_list": list, "text": str}[kind]
        assert type(value) is expected, (key, value)
        if kind == "int_list":
            assert all(type(v) is int for v in value)
    assert isinstance(hide, list) and all(name in links.HIDE_NAMES for name in hide)
    assert hide == [n for n in links.HIDE_NAMES if n in hide]

    # nothing that could be markup in what is shown
    assert isinstance(rejected, list)
    for item in rejected:
        assert isinstance(item, tuple) and len(item) == 2
        for text in item:
            assert isinstance(text, str)
            assert "<" not in text and ">" not in text
    notice = links.describe(rejected)
    assert "<" not in notice and ">" not in notice and "&" not in notice
    assert (notice == "") == (rejected == [])
    rejected_keys = [k for k, _ in rejected]

    # the independent reading: whatever was not reported was taken exactly as given
    text = hash_text[1:] if hash_text.startswith("#") else hash_text
    if len(text) > links.MAX_CHARS:
        assert "link" in rejected_keys
        head = text[:links.MAX_CHARS]
        if text[links.MAX_CHARS] not in "&;":
            cut = max(head.rfind("&"), head.rfind(";"))
            head = head[:cut] if cut >= 0 else ""
        text = head
    pairs = []
    for seg in re.split("[&;]", text):
        if seg:
            key, eq, value = seg.partition("=")
            pairs.append((unquote_plus(key, errors="replace"),
                          unquote_plus(value, errors="replace") if eq else None))
    versions = [v for k, v in pairs if k == "v"]
    pairs = [(k, v) for k, v in pairs if k != "v"]
    if versions:
        t = (versions[-1] or "").strip()
        ok = len(versions) == 1 and re.fullmatch(r"\d{1,9}", t, re.ASCII) and int(t) <= V
        if not ok:
            assert "v" in rejected_keys
    counts = {}
    last = {}
    for key, value in pairs:
        counts[key] = counts.get(key, 0) + 1
        last[key] = value
    for key in KEYS:
        if key not in counts:
            assert config[key] == setting(key)["default"], key
        elif key not in rejected_keys:
            assert counts[key] == 1, key
            expected = reference(setting(key), last[key])
            assert expected is not NO, (key, last[key], config[key])
            assert config[key] == expected, (key, last[key])
    for key in counts:
        if key not in settings.BY_KEY and key != "hide":
            assert links._key_label(key) in rejected_keys, key
    if "hide" in counts:
        names = [n.strip() for n in (last["hide"] or "").split(",") if n.strip()]
        if "hide" not in rejected_keys:
            assert counts["hide"] == 1
            assert all(n in links.HIDE_NAMES for n in names)
        assert set(hide) == {n for n in names if n in links.HIDE_NAMES}
    else:
        assert hide == []
    return config, hide, rejected


# ---------------------------------------------------------------------------------------------
# Round trips


def boundary_values(s):
    kind = s["kind"]
    if kind == "text":
        if s["choices"] == "hex":
            return ["", "0" * s["max"], "abcdef0123456789"]
        return ["", "a", "x" * s["max"], "<b>é & ; # = % + 😀 \u202e"]
    if kind == "choice":
        return list(s["choices"])
    lo, hi = s["min"], s["max"]
    if kind == "int":
        return sorted({lo, hi, s["default"], (lo + hi) // 2, min(lo + 1, hi), max(hi - 1, lo)})
    if kind == "float":
        return [lo, hi, s["default"], (lo + hi) / 2, lo + (hi - lo) / 3, hi - (hi - lo) / 7,
                math.nextafter(lo, hi), math.nextafter(hi, lo)]
    pool = [lo, hi, (lo + hi) // 2, lo + 1, hi - 1, 7, 15]
    return [[pool[i % len(pool)] for i in range(n)] for n in range(s["min_len"], s["max_len"] + 1)]


@pytest.mark.parametrize("key", KEYS)
def test_every_setting_round_trips_at_its_boundaries(key):
    s = setting(key)
    for value in boundary_values(s):
        cfg = settings.validate(with_(**{key: value}))
        text = links.encode(cfg)
        assert links.decode(text) == (cfg, [], []), (key, value, text)
        assert links.decode("#" + text) == (cfg, [], [])
        written = (key + "=") in text
        assert written == (cfg[key] != s["default"]), text


def test_defaults_encode_to_just_the_version():
    assert links.encode(settings.defaults()) == "v=%d" % V
    assert links.decode("v=%d" % V) == (settings.defaults(), [], [])
    assert links.decode("") == (settings.defaults(), [], [])
    assert links.decode("#") == (settings.defaults(), [], [])


def test_encode_is_short_ordered_and_url_safe():
    cfg = with_(learning_rate=0.005, encoder=[32, 8], seed=7, epsilon=1e-8, threshold_percentile=99.5)
    text = links.encode(cfg, hide=["composer", "optimizer"])
    assert text == ("v=%d&encoder=32,8&learning_rate=0.005&epsilon=1e-8&seed=7"
                    "&threshold_percentile=99.5&hide=optimizer,composer" % V)
    assert re.fullmatch(r"[A-Za-z0-9_.,=&-]+", text)
    keys = [p.split("=")[0] for p in text.split("&")]
    assert keys[1:-1] == [k for k in KEYS if k in keys]


@pytest.mark.parametrize("name", links.HIDE_NAMES)
def test_hide_names_round_trip(name):
    text = links.encode(settings.defaults(), hide=[name])
    assert text.endswith("&hide=" + name)
    assert links.decode(text) == (settings.defaults(), [name], [])


def test_hide_all_and_canonical_order():
    text = links.encode(settings.defaults(), hide=list(reversed(links.HIDE_NAMES)) + ["composer"])
    assert links.decode(text) == (settings.defaults(), links.HIDE_NAMES, [])
    assert "composer" in links.HIDE_NAMES and "advanced" in links.HIDE_NAMES
    assert "data" in links.HIDE_NAMES and "threshold" in links.HIDE_NAMES


def test_encode_refuses_bad_input():
    with pytest.raises(ValueError):
        links.encode(with_(latent=0))
    with pytest.raises(ValueError):
        links.encode(with_(optimizer="<b>"))
    with pytest.raises(ValueError):
        links.encode(settings.defaults(), hide=["nope"])


def config_strategy():
    parts = {}
    for s in settings.SETTINGS:
        kind = s["kind"]
        if kind == "text":
            parts[s["key"]] = text_strategy(s)
        elif kind == "choice":
            parts[s["key"]] = st.sampled_from(s["choices"])
        elif kind == "int":
            parts[s["key"]] = st.integers(s["min"], s["max"])
        elif kind == "float":
            parts[s["key"]] = st.floats(s["min"], s["max"], allow_nan=False)
        else:
            parts[s["key"]] = st.lists(st.integers(s["min"], s["max"]),
                                       min_size=s["min_len"], max_size=s["max_len"])
    return st.fixed_dictionaries(parts)


@hsettings(max_examples=600, **FUZZ)
@given(config_strategy(), st.lists(st.sampled_from(links.HIDE_NAMES), max_size=6))
def test_random_configs_round_trip(cfg, hide):
    cfg = settings.validate(cfg)
    text = links.encode(cfg, hide)
    assert links.decode(text) == (cfg, [n for n in links.HIDE_NAMES if n in hide], [])
    assert links.encode(links.decode(text)[0], hide) == text  # stable


# ---------------------------------------------------------------------------------------------
# Specific links


def test_unknown_key_is_ignored_and_reported():
    config, hide, rejected = links.decode("#foo=1&latent=3&Latent=4")
    assert config == with_(latent=3)
    assert rejected == [("foo", "unknown setting"), ("Latent", "unknown setting")]
    assert links.describe(rejected) == ("Some link settings were not used as given: "
                                        "foo (unknown setting); Latent (unknown setting).")


def test_unknown_keys_are_shown_safely():
    _, _, rejected = links.decode("%3Cimg%20src%3Dx%3E=1&=2&a%E2%80%AEb=3")
    assert [k for k, _ in rejected] == ["\u2039img src=x\u203a", "(no name)", "a?b"]


def test_duplicate_key_last_wins():
    config, _, rejected = links.decode("latent=3&seed=1&latent=5")
    assert config == with_(latent=5, seed=1)
    assert rejected == [("latent", "given 2 times; the last one was used")]
    config, _, rejected = links.decode("latent=3&latent=abc")
    assert config["latent"] == setting("latent")["default"]
    assert rejected[0][1].startswith("given 2 times; the last one was used; not a number")


def test_case_matters_for_keys_and_choices():
    config, _, rejected = links.decode("LATENT=3&optimizer=Adam")
    assert config == settings.defaults()
    assert [k for k, _ in rejected] == ["LATENT", "optimizer"]


def test_percent_encoded_keys_and_values():
    assert links.decode("optimizer=%61dam") == (with_(optimizer="adam"), [], [])
    assert links.decode("learning%5Frate=0.5") == (with_(learning_rate=0.5), [], [])
    _, _, rejected = links.decode("activation=%E2%82%AC")
    assert "'\u20ac'" in rejected[0][1]
    _, _, rejected = links.decode("latent=%zz")
    assert rejected == [("latent", "not a number: '%zz'; used the default " + str(setting("latent")["default"]))]


def test_plus_means_space_and_separators():
    assert links.decode("optimizer=+sgd+;latent=3") == (with_(optimizer="sgd", latent=3), [], [])
    assert links.decode("#&&latent=3&;") == (with_(latent=3), [], [])
    config, _, rejected = links.decode("latent")
    assert rejected[0] == ("latent", "no value given; used the default %d" % setting("latent")["default"])


def test_hide_with_unknown_names():
    config, hide, rejected = links.decode("hide=composer,<b>,optimizer,,composer,nope")
    assert hide == [n for n in links.HIDE_NAMES if n in ("composer", "optimizer")]
    assert rejected == [("hide", "unknown control names: '\u2039b\u203a', 'nope'; ignored")]
    assert links.decode("hide=") == (settings.defaults(), [], [])


def test_long_links_are_cut_and_reported():
    body = "latent=3&" + "x=1&" * 3000
    config, _, rejected = links.decode(body)
    assert config == with_(latent=3)
    assert rejected[0] == ("link", "longer than %d characters; the rest was ignored" % links.MAX_CHARS)
    # a pair cut in half at the limit is dropped, not read as a shorter value
    text = "a" * (links.MAX_CHARS - 20) + "&learning_rate=0.0123456789"
    config, _, rejected = links.decode(text)
    assert config["learning_rate"] == setting("learning_rate")["default"]
    assert [k for k, _ in rejected] == ["link", "a" * 40 + "\u2026"]
    config, _, rejected = links.decode("latent=" + "1" * 20000)
    assert config == settings.defaults() and [k for k, _ in rejected] == ["link"]
    _, _, rejected = links.decode("&".join("k%d=1" % i for i in range(3000)))
    assert rejected[0][0] == "link" and len(rejected) > 500
    assert links.describe(rejected).endswith("; and %d more." % (len(rejected) - 8))


def test_non_text_input_never_raises():
    assert links.decode(None) == (settings.defaults(), [], [])
    config, hide, rejected = links.decode(b"latent=3")
    assert config == settings.defaults() and rejected
    config, hide, rejected = links.decode("latent=\ud800&seed=%ED%A0%80")
    assert config == settings.defaults() and len(rejected) == 2


# ---------------------------------------------------------------------------------------------
# Versions


def test_missing_version_means_current():
    assert links.decode("latent=3") == (with_(latent=3), [], [])
    assert links.decode("lr=0.1")[2] == [("lr", "unknown setting")]  # no short names


def test_draft_short_names_are_unknown_settings():
    """The unpublished draft format's `lr` and `bs` are read like any unknown key."""
    config, _, rejected = links.decode("v=0&lr=0.05&bs=64&latent=3")
    assert config == with_(latent=3)
    assert rejected == [("lr", "unknown setting"), ("bs", "unknown setting")]
    config, _, rejected = links.decode("v=0&lr=abc")
    assert rejected == [("lr", "unknown setting")]


def test_newer_and_bad_versions_are_reported():
    config, _, rejected = links.decode("v=%d&latent=3&shiny=1" % (V + 1))
    assert config == with_(latent=3)
    assert [k for k, _ in rejected] == ["v", "shiny"]
    assert "newer version" in rejected[0][1]
    for bad in ("abc", "-1", "1.5", "", "99999999999"):
        config, _, rejected = links.decode("v=%s&latent=3" % bad)
        assert config == with_(latent=3) and rejected[0][0] == "v", bad
    _, _, rejected = links.decode("v=%d&v=%d" % (V, V))
    assert rejected == [("v", "given 2 times; the last one was used")]


def test_upgrades_chain_from_old_versions(monkeypatch):
    """Pretend the app is at version 3: `latent` was `units` in version 1 and `size` in version 2,
    and `learning_rate` was `rate` before version 3."""
    def rename(names):
        return lambda pairs: [(names.get(k, k), v) for k, v in pairs]

    monkeypatch.setattr(settings, "VERSION", 3)
    monkeypatch.setitem(links.UPGRADES, 1, rename({"units": "size"}))
    monkeypatch.setitem(links.UPGRADES, 2, rename({"size": "latent", "rate": "learning_rate"}))
    assert links.decode("v=2&size=3") == (with_(latent=3), [], [])
    assert links.decode("v=1&rate=0.5&units=3") == (with_(latent=3, learning_rate=0.5), [], [])
    assert links.decode("v=3&units=3")[2] == [("units", "unknown setting")]
    assert links.encode(with_(latent=3)) == "v=3&latent=3"


def test_a_failing_upgrade_is_reported_not_raised(monkeypatch):
    def broken(pairs):
        raise KeyError("oops")

    monkeypatch.setattr(settings, "VERSION", 2)
    monkeypatch.setitem(links.UPGRADES, 1, broken)
    config, _, rejected = links.decode("v=1&latent=3&lr=1")
    assert config == with_(latent=3)
    assert rejected[0] == ("v", "could not upgrade the link from version 1; read it as it is")


def test_decode_never_raises_even_on_internal_errors(monkeypatch):
    monkeypatch.setattr(links, "_split_pairs", lambda text: 1 / 0)
    assert links.decode("latent=3") == (settings.defaults(), [], [
        ("link", "could not be read; used the default settings")])


# ---------------------------------------------------------------------------------------------
# Fuzzing: 3,900 generated links; 4,500 generated inputs with the random round trips above
# (tests/test_url_text.py and tests/test_exact_numbers.py fuzz the text and number conversions)

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
           "nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e999", "1e-999", "-0", "0", "",
           " ", "%", "%%", "%E2%82%AC", "%zz", "%ff", "%e2%82", "%3Cb%3E", "1e+5", "1e", "e5",
           "0x10", "1_000", "\u0661\u0662", "\u00bd", "１２", "15,7", "15,,7", ",", "1,2,3,4,5,6,7,8,9,10,11",
           "0,300", "2.5", "4.0", "+3", "--3", "3-", ".", "..5", "\u202e", "\x00", "\ufeff3",
           "+", "&", "=", ";", "#", "'", '"', "`", "\\", "\U0001F600", "a" * 60]
HOSTILE_KEYS = ["<b>", "'", "", "Latent", "LEARNING_RATE", "learning%5Frate", "lr", "bs", "v", "hide",
                "%zz", "latent%00", "\u202elatent", "k" * 60, "latent ", "+latent", "__proto__"]


def valid_for(key):
    s = setting(key)
    kind = s["kind"]
    if kind == "text":
        return text_strategy(s).map(url_text.percent_encode)
    if kind == "choice":
        return st.sampled_from(s["choices"])
    if kind == "int":
        return st.integers(s["min"], s["max"]).map(str)
    if kind == "float":
        return st.floats(s["min"], s["max"]).map(repr)
    return st.lists(st.integers(s["min"], s["max"]), max_size=s["max_len"] + 2).map(
        lambda xs: ",".join(map(str, xs)))


VALID_PAIRS = st.one_of([st.tuples(st.just(key), valid_for(key)) for key in KEYS])


def _value_strategy():
    return st.one_of(
        st.one_of([valid_for(key) for key in KEYS]),
        st.floats().map(repr),
        st.floats(allow_nan=False).map(lambda x: "%.3e" % x),
        st.integers(-10 ** 40, 10 ** 40).map(str),
        st.sampled_from(HOSTILE),
        st.sampled_from(links.HIDE_NAMES + ["composer,optimizer", "composer,,nope"]),
        st.lists(st.integers(-5, 300), max_size=14).map(lambda xs: ",".join(map(str, xs))),
        st.text(max_size=30),
        st.text(alphabet="0123456789.eE+-, %", max_size=12),
    )


def _key_strategy():
    return st.one_of(st.sampled_from(KEYS), st.sampled_from(HOSTILE_KEYS), st.text(max_size=12))


VALUES = _value_strategy()
KEYS_ST = _key_strategy()


def encode_part(draw, text):
    how = draw(st.sampled_from(["raw", "raw", "quote", "quote_plus", "all"]))
    if how == "raw":
        return text
    if how == "quote":
        return quote(text, safe=",")
    if how == "quote_plus":
        return quote(text, safe=",").replace("%20", "+")
    return "".join("%%%02X" % b for b in text.encode("utf-8", "surrogatepass"))


@st.composite
def hashes(draw, max_pairs=8):
    parts = []
    for _ in range(draw(st.integers(0, max_pairs))):
        if draw(st.integers(0, 2)) == 0:  # a setting with a value in range
            key, value = draw(VALID_PAIRS)
            parts.append(encode_part(draw, key) + "=" + encode_part(draw, value))
            continue
        key = encode_part(draw, draw(KEYS_ST))
        if draw(st.integers(0, 9)) == 0:
            parts.append(key)  # no '='
        else:
            parts.append(key + "=" + encode_part(draw, draw(VALUES)))
    seps = draw(st.lists(st.sampled_from(["&", ";", "&&"]), min_size=len(parts), max_size=len(parts)))
    text = "".join(p + s for p, s in zip(parts, seps))
    if draw(st.booleans()):
        text = text.rstrip("&;")
    prefix = draw(st.sampled_from(["", "#", "#v=1&", "v=0&", "#v=%d&" % (V + 1), "v=x;"]))
    return prefix + text


@hsettings(max_examples=2200, **FUZZ)
@given(hashes())
def test_fuzz_structured_links(hash_text):
    check_decoded(hash_text)


RAW_ALPHABET = st.sampled_from(list("&;=%+#,.-eE0123456789abcdfv<>\"' /\\") + ["\u20ac", "\x00", "\u202e"]
                               + KEYS[:6] + ["hide", "%E2", "%82", "%AC", "%zz", "%3C"])


@hsettings(max_examples=1400, **FUZZ)
@given(st.one_of(st.text(max_size=120), st.lists(RAW_ALPHABET, max_size=60).map("".join)))
def test_fuzz_arbitrary_text(hash_text):
    check_decoded(hash_text)


@hsettings(max_examples=300, **FUZZ)
@given(hashes(max_pairs=4), st.integers(10_000, 12_000), st.sampled_from(["", "&", "x", "%E2%82%AC"]))
def test_fuzz_huge_links(pattern, length, filler):
    text = pattern + filler
    if not text:
        text = "latent=3&"
    text = (text * (length // len(text) + 1))[:length]
    check_decoded(text)
