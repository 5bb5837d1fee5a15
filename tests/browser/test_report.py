"""Issue 18, part 4: "Download report" writes one self-contained HTML file of the run; `python -m
models.train --url LINK --report FILE` writes the same report from CPython (with `--sample N`, the
test sample selected in the page, rebuilt). Both reports' numbers agree to 1e-12, and the browser's opens from disk with every request but the file itself blocked:
no page error, every chart drawn with its marks."""
import json
import subprocess
import sys

import pytest

from tests.browser.conftest import ROOT, open_page, wait_ready
from tests.browser.test_compare import TABLE_FULL
from tests.browser.test_explorer import TRAIN_DONE

from models import detectors

LINK = "encoder=8&latent=2&train_size=300&epochs=3&baselines=on"
TOLERANCE = 1e-12
SAMPLE = 37  # the test sample selected before the report is written


def report_data(path):
    """The report's machine-readable numbers (its <script id="report-data"> block)."""
    import html.parser

    class Reader(html.parser.HTMLParser):
        inside, text = False, None

        def handle_starttag(self, tag, attrs):
            self.inside = tag == "script" and ("id", "report-data") in attrs

        def handle_data(self, data):
            if self.inside:
                self.text = data

        def handle_endtag(self, tag):
            self.inside = False
    reader = Reader()
    with open(path, encoding="utf-8") as f:
        reader.feed(f.read())
    return json.loads(reader.text)


def differences(a, b, where="", tol=TOLERANCE):
    """Where two reports' numbers differ by more than `tol` (relative, for numbers above 1), or
    their structure or texts differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return ["%s: keys %s" % (where, sorted(set(a) ^ set(b)))]
        return [d for k in a for d in differences(a[k], b[k], where + "." + k, tol)]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return ["%s: %d items, %d items" % (where, len(a), len(b))]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, "%s[%d]" % (where, i), tol)]
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return [] if abs(a - b) <= tol * max(1.0, abs(a), abs(b)) else ["%s: %r != %r" % (where, a, b)]
    return [] if a == b else ["%s: %r != %r" % (where, a, b)]


def numbers_in(x):
    if isinstance(x, dict):
        return sum(numbers_in(v) for v in x.values())
    if isinstance(x, list):
        return sum(numbers_in(v) for v in x)
    return int(isinstance(x, float))


def both_reports(browser, base_url, folder, link, epochs, compared, sample=None):
    """The page's report of `link` after one Train run (and its Compare table when `compared`),
    with test sample `sample` selected (None: as the page opens), CPython's of the same link and
    sample, and the page (open)."""
    page, watch = open_page(browser, base_url + "#" + link)
    wait_ready(page)
    page.click("#train")
    page.wait_for_function("+document.querySelector('#train-view').dataset.epoch === %d" % epochs, timeout=60_000)
    page.wait_for_function(TRAIN_DONE, timeout=60_000)
    if compared:
        page.wait_for_function(TABLE_FULL + " && document.querySelector('#compare-rows tr[data-detector=autoencoder]')"
                               ".getAttribute('data-auc')", timeout=180_000)
    if sample is not None:
        page.fill("#beat-index", str(sample))
        page.dispatch_event("#beat-index", "change")
        page.wait_for_function("document.querySelector('#beat-info').dataset.beat === '%d'" % sample)
    shown = int(page.get_attribute("#beat-info", "data-beat"))
    with page.expect_download() as d:
        page.click("#report-save")
    browser_path = folder / "browser.html"
    d.value.save_as(browser_path)
    page.wait_for_function("document.querySelector('#model-file-status').textContent.startsWith('Saved')")
    status = page.text_content("#model-file-status")
    watch.check()
    cpython_path = folder / "cpython.html"
    run = subprocess.run([sys.executable, "-m", "models.train", "--url", link, "--report", str(cpython_path),
                          "--sample", str(shown)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return {"browser": browser_path, "cpython": cpython_path, "name": d.value.suggested_filename, "status": status,
            "page": page, "watch": watch, "sample": shown}


@pytest.fixture(scope="module")
def reports(browser, base_url, tmp_path_factory):
    """The browser's report of LINK (trained, compared) and CPython's, as files."""
    out = both_reports(browser, base_url, tmp_path_factory.mktemp("reports"), LINK, 3, True, sample=SAMPLE)
    yield out
    out["page"].context.close()


def same_numbers(ours, theirs):
    assert ours["made"]["in"] == "browser" and theirs["made"]["in"] == "CPython"
    assert ours["made"]["app_url"].startswith("http://127.0.0.1:")
    ours, theirs = dict(ours), dict(theirs)
    del ours["made"], theirs["made"]  # where and when it was made, and how long detectors took
    assert differences(ours, theirs) == []


def test_the_browsers_report_and_cpythons_agree_to_1e_12(reports):
    ours, theirs = report_data(reports["browser"]), report_data(reports["cpython"])
    same_numbers(ours, theirs)
    assert ours["timeline"] is None  # not a long series
    # it holds what a run is: every epoch, the test errors, ROC, latent points and the detectors
    assert [h["epoch"] for h in ours["losses"]] == [1, 2, 3] and ours["epoch"] == 3
    assert len(ours["errors"]) == len(ours["latent"]["points"]) == ours["dataset"]["test_samples"] == 500
    assert len(ours["roc"]) > 10 and 0.5 < ours["auc"] <= 1
    assert [r["name"] for r in ours["baselines"]] == ["autoencoder"] + [d["name"] for d in detectors.DETECTORS]
    assert ours["baselines"][0]["auc"] == ours["auc"]
    assert numbers_in(ours) > 2000
    # the sample selected in the page, as its reconstruction chart showed it
    assert (ours["sample"]["index"], ours["sample"]["picked"]) == (SAMPLE, "selected")
    assert ours["sample"]["error"] == float(reports["page"].get_attribute("#beat-info", "data-error"))
    assert ours["sample"]["where"]["text"] == reports["page"].text_content("#beat-where")
    assert reports["name"] == "anomaly-report-ecg5000-epoch3.html"
    assert reports["status"].startswith("Saved anomaly-report-ecg5000-epoch3.html (")


def test_a_long_series_report_has_its_timeline_with_cpythons_numbers(browser, base_url, tmp_path):
    link = "dataset=bleeding&window=32&stride=8&encoder=8&latent=2&epochs=2"
    out = both_reports(browser, base_url, tmp_path, link, 2, False)
    ours, theirs = report_data(out["browser"]), report_data(out["cpython"])
    same_numbers(ours, theirs)
    assert ours["baselines"] is None and ours["timeline"]["points"] > 7000
    assert len(ours["timeline"]["timeline_errors"]["windows"]) > len(ours["errors"])  # training windows too
    assert out["name"] == "anomaly-report-bleeding-epoch2.html"
    out["page"].context.close()


def test_the_comparison_sees_a_difference():
    """The check above can fail: a last-digit change of one loss is caught."""
    a = {"losses": [{"loss": 0.041234567891234}], "auc": 0.95}
    b = json.loads(json.dumps(a))
    assert differences(a, b) == []
    b["losses"][0]["loss"] += 1e-11
    assert differences(a, b) == [".losses[0].loss: 0.041234567891234 != %r" % b["losses"][0]["loss"]]


def test_the_report_opens_from_disk_offline_with_every_chart_drawn(reports, browser):
    path = str(reports["browser"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests, errors = [], []

    def route(r):
        requests.append(r.request.url)
        if r.request.url == "file://" + path:
            r.continue_()
        else:
            r.abort()
    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    page.goto("file://" + path)
    charts = ["loss", "roc", "hist", "latent", "recon", "compare_roc", "compare_pr"]
    page.wait_for_function("document.querySelectorAll('.chart[data-ready]').length === %d" % len(charts),
                           timeout=20_000)
    assert requests == ["file://" + path] and errors == []
    marks = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.chart')].map((c) => [
        c.id.slice(6), Object.fromEntries(['line', 'symbol', 'rect', 'area', 'rule'].map(
          (k) => [k, c.querySelectorAll('svg g.mark-' + k + '.role-mark > :is(path, line)').length]))]))""")
    assert sorted(marks) == sorted(charts)
    data = report_data(path)
    assert marks["loss"]["line"] == 2 and marks["loss"]["symbol"] == 6  # two series, three epochs each
    assert marks["latent"]["symbol"] == len(data["latent"]["points"])  # a dot per test sample
    assert marks["hist"]["rect"] >= 10 and marks["hist"]["rule"] == 1  # bars, and the threshold
    # curve, chance; a dot per point of the curve (picked by a click in the app) and the threshold's
    assert marks["roc"]["line"] == 2 and marks["roc"]["symbol"] == len(data["roc"]) + 1
    # the selected sample and its reconstruction, over its error strip: a cell per time step
    assert marks["recon"]["line"] == 2 and marks["recon"]["rect"] >= 140 and marks["recon"]["area"] == 1
    # a curve per detector, the autoencoder's included (and the chance diagonal)
    assert marks["compare_roc"]["line"] == 7 and marks["compare_pr"]["line"] == 6
    text = page.inner_text("body")
    assert "ECG5000" in text and "AUC" in text and "One-class SVM" in text
    assert "Test heartbeat %d, rebuilt" % SAMPLE in text and data["sample"]["where"]["text"] in text
    assert page.get_attribute("a.app-link", "href").endswith("#" + data["link"])
    context.close()


def test_a_report_that_cannot_be_written_is_said_and_the_next_one_works(reports):
    """The page's chart files fail to load: the page says so, and the button works again."""
    page, watch = reports["page"], reports["watch"]
    # out of the service worker's cache (a visit before it had cached it) and failing on the network
    page.evaluate("""async () => { for (const key of await caches.keys())
        await (await caches.open(key)).delete('vendor/vega-embed.min.js', { ignoreSearch: true }); }""")
    page.context.route("**/vendor/vega-embed.min.js", lambda r: r.fulfill(status=503, body="down"))
    page.click("#report-save")
    page.wait_for_function("document.querySelector('#model-file-status').className.includes('error')")
    assert page.text_content("#model-file-status") == (
        "Could not write the report: the charts' files could not be read (vendor/vega-embed.min.js: HTTP 503)")
    page.context.unroute("**/vendor/vega-embed.min.js")
    assert page.is_enabled("#report-save")
    with page.expect_download() as d:
        page.click("#report-save")
    assert d.value.suggested_filename == reports["name"]
    watch.console_errors = [e for e in watch.console_errors if "503" not in e]  # the failed fetch, on purpose
    watch.check()
