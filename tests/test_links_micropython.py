"""The link codec (models/links.py, with models/link_values.py, models/exact_numbers.py,
models/url_text.py and models/settings.py) under the browser's own MicroPython (1.25.0, PyScript
build) in Node: they import, and encode/decode give exactly the same results as under CPython
for a few hundred links (specific, hostile, huge, random) and configurations; so do the number
and URL-text conversions the UI thread also calls directly.

Needs `node` and node_modules/@micropython/micropython-webassembly-pyscript under the repository
root (installed from package.json by `python build.py build`); fails, rather than skips, without.
"""
import json
import math
import os
import random
import shutil
import subprocess

import pytest

from models import exact_numbers, links, settings, url_text

pytestmark = pytest.mark.needs_node_modules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = os.path.join(ROOT, "tests", "micropython_check.mjs")
MICROPYTHON = os.path.join(ROOT, "node_modules", "@micropython", "micropython-webassembly-pyscript",
                           "micropython.mjs")

# Runs under MicroPython. Floats travel both ways as "f:" + exact_numbers.format_float text, because
# MicroPython's own float() and repr (and so its json) are not exact.
# Shared by both sides: floats as exact text (plain) and back (unplain).
HELPERS = r'''
def plain(x):
    if isinstance(x, float):
        return "f:" + exact_numbers.format_float(x)
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, dict):
        return dict([(k, plain(v)) for k, v in x.items()])
    return x

def unplain(x):
    if isinstance(x, str) and x.startswith("f:"):
        return exact_numbers.parse_number(x[2:])[0]
    if isinstance(x, list):
        return [unplain(v) for v in x]
    if isinstance(x, dict):
        return dict([(k, unplain(v)) for k, v in x.items()])
    return x
'''
SCRIPT = r'''
import json, sys
from models import exact_numbers, links, settings, url_text
''' + HELPERS + r'''
with open("/app/input") as f:
    data = unplain(json.load(f))
out = {"implementation": sys.implementation.name, "decoded": [], "encoded": [], "described": [],
       "numbers": [], "texts": []}
for text in data["hashes"]:
    config, hide, rejected = links.decode(text)
    out["decoded"].append(plain([config, hide, rejected]))
    out["described"].append(links.describe(rejected))
for config, hide in data["configs"]:
    text = links.encode(config, hide)
    back = links.decode(text)
    out["encoded"].append([text, back[0] == settings.validate(config), back[1], back[2]])
for text in data["numbers"]:
    out["numbers"].append(plain(exact_numbers.parse_number(text)))
for text in data["texts"]:
    out["texts"].append([url_text.percent_decode(text), url_text.percent_encode(text), url_text.safe_text(text)])
print(json.dumps(out))
'''


_helpers = {"exact_numbers": exact_numbers}
exec(HELPERS, _helpers)
plain = _helpers["plain"]


def corpus():
    rng = random.Random(20250416)
    pieces = ["latent", "encoder", "learning_rate", "optimizer", "hide", "v", "lr", "dropout", "seed",
              "=", "&", ";", "%", "%E2%82%AC", "%zz", "%ff", "%3C", "+", ",", "0", "1", "5", "9", ".", "e",
              "-", "300", "1e999", "nan", "inf", "adam", "sgd", "<script>", "\u20ac", "'", '"', "composer", "#"]
    hashes = [
        "", "#", "v=1", "#v=1&encoder=15,7&latent=2&learning_rate=0.01", "foo=1&latent=3",
        "learning_rate=nan", "learning_rate=inf", "learning_rate=1e999", "learning_rate=-5", "learning_rate=",
        "learning_rate=abc", "encoder=0,300", "encoder=" + ",".join(["5"] * 11), "optimizer=<script>",
        "latent=3&latent=4", "activation=%E2%82%AC", "latent=%zz", "encoder=15,+7", "optimizer=+sgd+",
        "v=0&lr=0.05&bs=64", "v=9&x=1", "v=abc", "dropout=1e-999", "seed=" + "9" * 3000,
        "hide=composer,<b>,optimizer", "%3Cimg%3E=1&=2", "learning_rate=0.30000000000000004",
        "beta1=0.9999&beta2=0.99999&epsilon=1e-10&learning_rate=1e-5", "x=%F0%9F%98%80%ED%A0%80%C0%80",
        "latent=3&" + "x=1&" * 3000, "a" * (links.MAX_CHARS - 20) + "&learning_rate=0.0123456789",
        "latent=" + "1" * 20000, "&".join("k%d=1" % i for i in range(400)),
    ]
    for _ in range(250):
        hashes.append("".join(rng.choice(pieces) for _ in range(rng.randint(0, 25))))
    for _ in range(100):
        s = rng.choice(settings.SETTINGS)
        if s["kind"] == "float":
            value = repr(rng.uniform(s["min"] - 1, s["max"] + 1) * rng.choice([1, 1e-3, 1e3]))
        elif s["kind"] == "int":
            value = str(rng.randint(s["min"] - 2, s["max"] + 2))
        elif s["kind"] == "choice":
            value = rng.choice(s["choices"] + ["nope"])
        elif s["kind"] == "text":
            value = rng.choice(["", "abc", "f" * 70, "%3Cb%3E", "x%zz", "%E2%82%AC" * 3, "<&>"])
        else:
            value = ",".join(str(rng.randint(-1, 260)) for _ in range(rng.randint(0, 12)))
        hashes.append(s["key"] + "=" + value)

    configs = []
    for s in settings.SETTINGS:
        if s["kind"] == "choice":
            values = s["choices"]
        elif s["kind"] == "text":
            values = ["", "0" * s["max"]] if s["choices"] == "hex" else ["", "x" * s["max"], "<b>é & ; # = % + 😀"]
        elif s["kind"] == "int_list":
            values = [[s["min"]] * s["min_len"] or [], [s["max"]] * s["max_len"], [min(7, s["max"]), s["min"], s["max"]][:s["max_len"]]]
        elif s["kind"] == "int":
            values = [s["min"], s["max"]]
        else:
            values = [s["min"], s["max"], (s["min"] + s["max"]) / 3, math.nextafter(s["max"], s["min"])]
        for v in values:
            cfg = settings.defaults()
            cfg[s["key"]] = v
            configs.append([cfg, []])
    for _ in range(100):
        cfg = settings.defaults()
        for s in settings.SETTINGS:
            if s["kind"] == "float":
                cfg[s["key"]] = rng.uniform(s["min"], s["max"])
            elif s["kind"] == "int":
                cfg[s["key"]] = rng.randint(s["min"], s["max"])
            elif s["kind"] == "choice":
                cfg[s["key"]] = rng.choice(s["choices"])
            elif s["kind"] == "text":
                cfg[s["key"]] = "".join(rng.choice("0123456789abcdef" if s["choices"] == "hex" else "ab<é&%+ 😀")
                                        for _ in range(rng.randint(0, 20)))
            else:
                cfg[s["key"]] = [rng.randint(s["min"], s["max"])
                                 for _ in range(rng.randint(s["min_len"], s["max_len"]))]
        configs.append([cfg, rng.sample(links.HIDE_NAMES, rng.randint(0, 4))])
    return hashes, configs


def conversions():
    """Texts for exact_numbers.parse_number, and for url_text's percent-encoding and safe_text."""
    rng = random.Random(20250417)
    numbers = ["0", "-0", "+3", ".5", "0e5", "1e 5", "1e999", "-1e999", "1e-999", "4.9e-324", "2.4e-324",
               "2.2250738585072011e-308", "1.7976931348623157e308", "0.30000000000000004", "9" * 40,
               "nan", "inf", "abc", "0x10", "1_0", "1e", ".", "", "\u0661"]
    for _ in range(200):
        x = rng.uniform(-1, 1) * 10.0 ** rng.randint(-320, 308)
        numbers.append(rng.choice(["%r", "%.17g", "%.3e", "%.20f"]) % x)
    texts = ["", "%E2%82%AC", "%e2%82%ac+x", "%zz%4", "%ff%E2%82", "100%", "%F0%9F%98%80%ED%A0%80%C0%80",
             "<b>'hi'</b>", '"`&', "a\x00\u202eb\ufeff", "x" * 41, "\u20ac x", "a+b&c=d#", "\U0001F600"]
    pieces = ["%", "%E2", "%82", "%AC", "%ff", "%C0", "%80", "%F0%9F", "%ED%A0", "%4", "%zz", "+", "a", "<",
              "\u20ac", "%2B", "%25", "'", " ", "\u202e"]
    for _ in range(100):
        texts.append("".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))))
    return numbers, texts


def run_micropython(tmp_path, data, script=SCRIPT):
    """Run `script` under MicroPython with `data` (made plain) as /app/input; what it printed, as JSON."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the MicroPython check runs MicroPython in Node")
    if not os.path.exists(MICROPYTHON):
        pytest.fail("MicroPython is not installed at %s: run `python build.py build` "
                    "(it installs node_modules from package.json)" % MICROPYTHON)
    path = tmp_path / "check.py"
    path.write_text(script)
    source = tmp_path / "input.json"
    # as UTF-8: MicroPython's json reads a "\ud83d\ude00" escape as two lone surrogates
    source.write_text(json.dumps(plain(data), ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([node, RUNNER, str(path), str(source)], capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return json.loads(proc.stdout.decode("utf-8"))


def test_links_behave_the_same_under_micropython(tmp_path):
    hashes, configs = corpus()
    numbers, texts = conversions()
    got = run_micropython(tmp_path, {"hashes": hashes, "configs": configs, "numbers": numbers, "texts": texts})
    assert got["implementation"] == "micropython"

    for text, mp in zip(hashes, got["decoded"]):
        config, hide, rejected = links.decode(text)
        assert mp == plain([config, hide, rejected]), text[:200]
    assert got["described"] == [links.describe(links.decode(text)[2]) for text in hashes]
    assert len(got["decoded"]) == len(hashes)

    assert len(got["encoded"]) == len(configs)
    for (config, hide), (text, same, back_hide, back_rejected) in zip(configs, got["encoded"]):
        assert text == links.encode(config, hide)
        assert same, text
        assert back_hide == [n for n in links.HIDE_NAMES if n in hide]
        assert back_rejected == [], text

    assert got["numbers"] == [plain(exact_numbers.parse_number(text)) for text in numbers]
    assert got["texts"] == [[url_text.percent_decode(text), url_text.percent_encode(text), url_text.safe_text(text)]
                            for text in texts]
