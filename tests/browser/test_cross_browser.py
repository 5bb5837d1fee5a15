"""Issue 17: the app in all three engines, Chromium, Firefox ESR and WebKit (tests/browser/engines.py
says how each is driven). One fresh profile and one page per engine, its checks in order: a cold
visit reaches Ready; 20 epochs train to exactly CPython's numbers; a test beat's reconstruction;
a warm reload (the snapshot restored, or the engine says why not) trains the same; a link opens in
every control; and nothing left 127.0.0.1, no page error, no console error.

Each engine's cold and warm Ready and 20-epoch times go to cross-browser-timings.json in pytest's
temporary folder, and are printed at the end of the run (tests/browser/conftest.py)."""
import json
import math
import time

import pytest

from models import links, settings
from models.experiment import Experiment
from tests.browser import engines
from tests.browser.test_links import LINK, SHAPE, dataset

# Selenium's own connection code passes an address the way it deprecates, whatever a caller does
pytestmark = pytest.mark.filterwarnings("ignore:setting remote_server_addr:DeprecationWarning")
ENGINES = ["chromium", "firefox", "webkit"]
READY_S, TRAIN_S, SNAPSHOT_S = 120, 180, 90
STATUS = "document.querySelector('#engine-status')"
READY_OR_FAILED = f"{STATUS}.textContent.startsWith('Ready') || {STATUS}.className === 'error'"
IDLE = ("!document.querySelector('#train').disabled && document.querySelector('#train').textContent !== 'Pause'"
        " && !document.querySelector('#step').disabled")
EPOCH = "+document.querySelector('#train-view').dataset.epoch"
MARKS = "(window.engineMarks || []).map((m) => m[0])"
BEAT = 17  # a test beat picked in the training view
TILE = 3  # a tile clicked in the introduction's gallery
TIMINGS = {}  # engine -> what was measured; written by the `visit` fixture


@pytest.fixture(scope="module")
def cpython():
    """The default experiment (20 epochs) trained in CPython on the very bytes the browsers load."""
    config = links.decode("")[0]
    assert config["epochs"] == 20
    exp = Experiment(config, dataset())
    results = []
    exp.fit(on_epoch=results.append)
    beat = exp.reconstruct(BEAT)
    from app import engine  # the chart's rows, in the data's units, as the engine makes them
    return {"losses": [r["loss"] for r in results], "auc": exp.evaluate()["auc"], "beat": beat,
            "beat_rows": engine._recon(exp, beat)[1]["recon"]}


class Visit:
    """One engine's page and what its checks found so far."""

    def __init__(self, engine, base_url):
        self.engine, self.base_url, self.name = engine, base_url, engine.name
        self.timings = TIMINGS.setdefault(engine.name, {"version": engine.version})

    def says(self):
        """The page's status line and everything the watch saw: what a failure message needs."""
        try:
            status = self.engine.js(f"{STATUS} ? {STATUS}.textContent : '(no status line)'")
        except Exception as e:  # a page that cannot even answer
            status = f"(the page did not answer: {e})"
        try:
            marks = self.marks()
        except Exception:
            marks = "(none read)"
        return f"the page says {status!r}; the engine's marks {marks}; {self.engine.problems()}"

    def wait(self, expr, timeout, what):
        try:
            self.engine.wait(expr, timeout)
        except Exception as e:
            pytest.fail(f"{self.name}: {what} within {timeout} s failed ({str(e)[:300]}); {self.says()}")

    def ready(self):
        """Waits for Ready; returns ms from navigation start to Ready, as the page's probe saw it."""
        self.wait(READY_OR_FAILED, READY_S, "reaching Ready")
        status = self.engine.js(f"{STATUS}.textContent")
        assert status.startswith("Ready"), f"{self.name}: the engine did not start: {self.says()}"
        self.wait("window.__smoke && window.__smoke.readyAt !== null", 5, "the probe seeing Ready")
        probe = self.engine.js("({readyAt: __smoke.readyAt, late: __smoke.late})")
        assert not probe["late"], f"{self.name}: the probe came after Ready: its time would be wrong"
        # the training view's charts fill in just after Ready: the checks act once they have
        self.wait(f"{EPOCH} >= 0", 30, "the training view's charts filling in")
        return round(probe["readyAt"])

    def marks(self):
        return self.engine.js(MARKS)

    def train(self):
        """Clicks Train (20 epochs) and waits for the run to end: (ms from the click to the end, as
        the page's probe saw them; AUC; the per-epoch training losses the loss chart holds)."""
        start = self.engine.js(EPOCH)
        self.engine.js(f"window.__smoke.watchTrain({start + 20})")
        self.engine.click("#train")
        self.wait(f"{EPOCH} === {start + 20} && {IDLE}", TRAIN_S, "training 20 epochs")
        self.wait("window.__smoke.trainEnd !== null", 5, "the probe seeing the run end")
        spent = self.engine.js("window.__smoke.trainEnd - window.__smoke.trainStart")
        epoch_ms = self.engine.js("window.__smoke.epochMs")
        assert len(epoch_ms) == 20, f"{self.name}: the progress line said {len(epoch_ms)} epochs' times"
        self.timings.setdefault("engine_epochs_ms", []).append(sum(epoch_ms))  # of the run's time
        rows = self.engine.js("window.charts.data('loss-chart', 'losses')")
        losses = [r["loss"] for r in sorted(rows, key=lambda r: r["epoch"]) if r["series"] == "train"]
        auc = float(self.engine.js("document.querySelector('#tile-auc').dataset.value"))
        return round(spent), auc, losses[-20:]


def check_same_numbers(name, auc, losses, cpython):
    assert len(losses) == 20, f"{name}: the loss chart holds {len(losses)} epochs"
    worst = max(abs(a - b) / abs(b) for a, b in zip(losses, cpython["losses"]))
    print(f"\n{name}: AUC {auc!r} (CPython {cpython['auc']!r}); losses at most {worst:.2g} apart (relative)")
    assert auc == pytest.approx(cpython["auc"], rel=0, abs=1e-12), (name, auc, cpython["auc"])
    assert worst <= 1e-9, (name, losses, cpython["losses"])


@pytest.fixture(scope="module", params=ENGINES)
def visit(request, base_url, tmp_path_factory):
    start = time.perf_counter()
    if request.param == "chromium":
        engine = engines.Chromium(request.getfixturevalue("browser"))
    elif request.param == "firefox":
        engine = engines.Firefox()
    else:
        engine = engines.WebKit()
    TIMINGS.pop(request.param, None)
    v = Visit(engine, base_url)
    v.timings["launch_s"] = round(time.perf_counter() - start, 1)
    yield v
    engine.close()
    v.timings["session_s"] = round(time.perf_counter() - start, 1)
    path = tmp_path_factory.getbasetemp() / "cross-browser-timings.json"
    path.write_text(json.dumps(TIMINGS, indent=1))


def test_a_cold_visit_reaches_ready(visit):
    visit.engine.goto(visit.base_url)
    visit.timings["cold_ready_ms"] = visit.ready()
    marks = visit.marks()
    visit.timings["cold_marks"] = dict(visit.engine.js("window.engineMarks"))
    assert "no snapshot" in marks and "snapshot restored" not in marks, marks  # a fresh profile
    visit.timings["kernels"] = visit.engine.js("document.body.dataset.kernels")
    assert visit.timings["kernels"] == "wasm", "the WebAssembly SIMD kernels should run in every engine"


def test_twenty_epochs_give_cpythons_numbers(visit, cpython):
    spent, auc, losses = visit.train()
    visit.timings["train_20_epochs_ms"] = spent
    visit.timings["auc"] = auc
    check_same_numbers(visit.name, auc, losses, cpython)


def test_a_test_beat_shows_its_reconstruction(visit, cpython):
    e = visit.engine
    # the introduction: a real click on a gallery tile shows that beat and its reconstruction
    tile = f"#gallery button.beat[data-n='{TILE}']"
    label = e.js(f"document.querySelector(\"{tile}\").getAttribute('aria-label')")  # "Test beat 12, Normal"
    beat = label.split(",")[0].split()[-1]
    e.click(tile)
    visit.wait(f"document.querySelector('#intro-recon').dataset.beat === '{beat}'", 30, "the clicked beat showing")
    rows = e.js("window.charts.data('intro-recon', 'recon')")
    assert len(rows) == 140 and all(math.isfinite(r["input"]) and math.isfinite(r["output"]) for r in rows)
    assert e.js("document.querySelector('#intro-verdict-word').textContent") in ("NORMAL", "ABNORMAL")
    # the training view: the trained model's reconstruction of a test beat, as CPython's
    e.js(f"(() => {{ const i = document.querySelector('#beat-index'); i.value = '{BEAT}';"
         " i.dispatchEvent(new Event('change')); })()")
    visit.wait(f"document.querySelector('#beat-info').dataset.beat === '{BEAT}'", 30, "test beat 17 showing")
    error = float(e.js("document.querySelector('#beat-info').dataset.error"))
    assert error == pytest.approx(cpython["beat"]["error"], rel=1e-9), (error, cpython["beat"]["error"])
    rows = sorted(e.js("window.charts.data('recon-chart', 'recon')"), key=lambda r: r["t"])
    want = cpython["beat_rows"]
    assert len(rows) == len(want) == 140
    for r, w in zip(rows, want):  # 4 decimals in the chart
        assert r["input"] == pytest.approx(w["input"], abs=1.1e-4) and r["output"] == pytest.approx(w["output"], abs=1.1e-4)


def test_a_warm_reload_restores_the_snapshot_or_says_why_and_trains_the_same(visit, cpython):
    e = visit.engine
    off = [m for m in visit.marks() if m.startswith(("snapshots off:", "fast paths off:"))]
    if not off:  # this engine keeps snapshots: the first visit makes one, or says why it could not
        visit.wait(f"{MARKS}.some((m) => m === 'snapshot saved' || m.startsWith('snapshot not '))", SNAPSHOT_S,
                   "saving the Python snapshot")
        off = [m for m in visit.marks() if m.startswith("snapshot not ")]
    e.reload()
    visit.timings["warm_ready_ms"] = visit.ready()
    marks = visit.marks()
    visit.timings["warm_marks"] = dict(e.js("window.engineMarks"))
    # where the engine kept it: its private file system, or Cache Storage in an engine without one
    cached = any(m.startswith("snapshots in Cache Storage") for m in marks)
    visit.timings["snapshot"] = off[0] if off else "restored" + (" from Cache Storage" if cached else "")
    if off:  # booted the long way, having said why
        assert "no snapshot" in marks and "snapshot restored" not in marks, marks
        assert off[0] in marks or off[0].startswith("snapshot not "), marks  # and says it on every visit
    else:
        assert "snapshot restored" in marks and "no snapshot" not in marks, marks
    assert e.js("document.body.dataset.kernels") == "wasm"
    spent, auc, losses = visit.train()
    visit.timings["warm_train_20_epochs_ms"] = spent
    check_same_numbers(visit.name, auc, losses, cpython)


def test_a_link_opens_in_every_control_and_shares_itself(visit):
    e = visit.engine
    e.goto("about:blank")
    e.goto(visit.base_url + "#" + LINK)
    visit.wait("document.querySelector('#shape-text') !== null && "
               f"document.querySelector('#shape-text').textContent === '{SHAPE}'", 60, "the link's shape showing")
    config = links.decode(LINK)[0]
    keys = [s["key"] for s in settings.SETTINGS if s["group"] != "file"
            and s["key"] not in ("encoder", "latent", "decoder", "baselines")]
    shown = e.js("Object.fromEntries(%s.map((k) => [k, document.querySelector('#set-' + k).value]))" % json.dumps(keys))
    for s in settings.SETTINGS:
        key = s["key"]
        if key not in keys:
            continue
        value = shown[key]
        if s["kind"] == "float":
            assert float(value) == config[key], (key, value)
        elif s["kind"] == "int":
            assert int(value) == config[key], (key, value)
        elif s["kind"] == "int_list":
            assert [int(v) for v in value.replace(",", " ").split()] == config[key], (key, value)
        else:
            assert value == config[key], (key, value)
    visit.timings["link_visit_ready_ms"] = visit.ready()
    assert e.js("document.querySelector('#engine-model').dataset.shape") == SHAPE
    assert e.js("location.hash") == "#" + LINK
    assert e.js("document.querySelector('#share-link').value") == visit.base_url + "#" + LINK


def test_nothing_left_the_origin_and_no_page_error(visit):
    problems = visit.engine.problems()
    assert problems == {"foreign": [], "errors": [], "console_errors": []}, f"{visit.name}: {problems}"


def test_the_watch_sees_a_request_that_leaves_and_an_error(visit):
    """The checks above can fail: a request to a foreign address and an uncaught error are seen."""
    e = visit.engine
    # From the engine's worker: the page's Content-Security-Policy stops the page's own requests to
    # other origins before they leave, a worker's fetches it does not govern (static/index.html).
    e.js("window.engineWorker().postMessage({id: -1, name: 'load_data', args: ['http://192.0.2.1/smoke-probe']})")
    e.js("setTimeout(() => { throw new Error('smoke probe error'); }, 0)")
    end = time.monotonic() + 10
    while time.monotonic() < end:
        problems = e.problems()
        if any("smoke-probe" in u for u in problems["foreign"]) and any("smoke probe error" in m for m in problems["errors"]):
            return
        time.sleep(0.2)
    pytest.fail(f"{visit.name}: the watch missed the probe's request or error: {problems}")
