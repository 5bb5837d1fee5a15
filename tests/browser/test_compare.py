"""Issue 16: scikit-learn's detectors beside the autoencoder, in the browser, on the same samples.
The panel fills with the five detectors, their AUCs equal CPython's, a link with baseline settings
reproduces them, a detector that cannot run says why while the others fill, a failed or tampered
download of scikit-learn is said and the autoencoder works on, and it works offline once used."""
import os
import time

import pytest

from tests.browser.conftest import DIST, open_in, open_page, wait_ready
from tests.browser.test_explorer import TRAIN_DONE
from tests.browser.test_resilience import STATUS_IS_ERROR, step

from data import pack  # noqa: E402
from models import baselines, detectors, links  # noqa: E402
from models.experiment import Experiment  # noqa: E402

TABLE_FULL = "document.querySelectorAll('#compare-rows tr').length === %d" % (len(detectors.DETECTORS) + 1)
STATUS_ERROR = "document.querySelector('#compare-status').className.includes('error')"


def dataset():
    with open(os.path.join(DIST, "data", "ecg5000.bin"), "rb") as f:
        return pack.from_bytes(f.read())


def table(page):
    """{detector name: (AUC or None, the row's text)}"""
    rows = page.query_selector_all("#compare-rows tr")
    out = {}
    for r in rows:
        auc = r.get_attribute("data-auc")
        out[r.get_attribute("data-detector")] = (float(auc) if auc else None, r.inner_text())
    return out


def compare(page, timeout=120_000):
    page.click("#compare-run")
    page.wait_for_function(TABLE_FULL + " || " + STATUS_ERROR, timeout=timeout)
    return table(page)


def cpython(link, epochs):
    exp = Experiment(links.decode(link)[0], dataset())
    for _ in range(epochs):
        exp.train_epoch()
    return exp, {r["name"]: r for r in [baselines.autoencoder_row(exp)] + baselines.run(exp)}


def test_the_panel_fills_with_every_detector_and_their_aucs_equal_cpythons(browser, base_url):
    link = "encoder=16,8&latent=3&train_size=800&epochs=2&knn_k=7&iforest_trees=50"
    page, watch = open_page(browser, base_url + "#" + link)
    wait_ready(page)
    assert not [r for r in page.context.pages[0].evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)") if "scikit_learn" in r or "scipy" in r]
    # a first visit: scikit-learn is not in the offline cache, so nothing loads it ahead of Compare
    page.wait_for_timeout(1500)
    worker = next(w for w in page.workers if w.url.endswith("/engine-worker.mjs"))
    assert worker.evaluate("self.enginePython(\"'sklearn' in __import__('sys').modules\")") is False
    step(page)
    step(page)
    shown = compare(page)
    exp, reference = cpython(link, 2)
    assert set(shown) == {"autoencoder"} | {d["name"] for d in detectors.DETECTORS}
    for name, r in reference.items():
        assert shown[name][0] == pytest.approx(r["auc"], abs=1e-9), name
    best = max(reference.values(), key=lambda r: r["auc"])
    assert "★" in shown[best["name"]][1]
    verdict = page.text_content("#compare-verdict")
    assert verdict.startswith(("The autoencoder ranks", best["label"] + " ranks the test samples better"))
    assert "baselines=on" in page.input_value("#share-link") and "knn_k=7" in page.input_value("#share-link")
    # the curves of every detector, and each one's verdict on a test sample
    roc = page.evaluate("window.charts.data('compare-roc', 'roc')")
    assert {r["detector"] for r in roc} == {r["label"] for r in reference.values()}
    page.fill("#beat-index", "4")
    page.dispatch_event("#beat-index", "change")
    page.wait_for_function("document.querySelector('#beat-verdicts').textContent.startsWith('Detectors:')")
    for name, r in reference.items():
        if name != "autoencoder":
            word = "ABNORMAL" if r["test_scores"][4] > r["threshold"] else "normal"
            assert "%s %s" % (r["label"], word) in page.text_content("#beat-verdicts")
    # training on updates the autoencoder's row; the detectors are not run again
    page.click("#step")
    page.wait_for_function("+document.querySelector('#train-view').dataset.epoch === 3", timeout=60_000)
    page.wait_for_function("document.querySelector('#compare-rows tr[data-detector=autoencoder]').dataset.auc !== '%s'"
                           % repr(shown["autoencoder"][0]), timeout=30_000)
    watch.check()
    page.context.close()


def test_a_link_with_baselines_on_runs_them_with_its_settings(browser, base_url):
    link = "encoder=16,8&latent=3&train_size=600&epochs=1&baselines=on&lof_k=11&pca_components=4&seed=3"
    page, watch = open_page(browser, base_url + "#" + link)
    wait_ready(page)
    page.wait_for_function(TABLE_FULL, timeout=120_000)
    _, reference = cpython(link, 0)
    shown = table(page)
    for name in ("lof", "pca", "iforest"):
        assert shown[name][0] == pytest.approx(reference[name]["auc"], abs=1e-9), name
    watch.check()
    page.context.close()


def test_a_detector_that_cannot_run_says_why_and_the_others_fill_also_after_the_engine_died(browser, base_url):
    page, watch = open_page(browser, base_url + "#train_size=10&validation_pct=0&epochs=1&knn_k=50&lof_k=40")
    wait_ready(page)
    shown = compare(page)
    assert "k-nearest neighbours needs more" in shown["knn"][1] or "needs more than" in shown["knn"][1], shown["knn"]
    assert shown["knn"][0] is None and shown["lof"][0] is None
    assert shown["ocsvm"][0] is not None and shown["pca"][0] is not None
    # The engine dies; Retry brings a new one, without scikit-learn: Compare loads it again (it
    # failed when the page thought it still loaded). The first engine's table is still shown.
    page.evaluate("window.engineWorker().terminate()")
    page.wait_for_function(STATUS_IS_ERROR, timeout=20_000)
    page.click("#engine-retry")
    wait_ready(page)
    page.wait_for_function(TRAIN_DONE, timeout=30_000)
    page.click("#compare-run")
    wait_for_engine(page, "self.enginePython(\"'sklearn' in __import__('sys').modules\")")
    page.wait_for_function("!document.querySelector('#compare-run').disabled && "
                           "document.querySelector('#compare-status').textContent === ''", timeout=60_000)
    assert not page.get_attribute("#compare-status", "class").endswith("error")
    again = table(page)
    assert [again[k][0] is None for k in sorted(again)] == [shown[k][0] is None for k in sorted(shown)], again
    watch.check()
    page.context.close()


@pytest.mark.parametrize("how", ["refused", "tampered"])
def test_a_failed_or_tampered_download_of_scikit_learn_is_said_and_training_works_on(browser, base_url, how):
    context = browser.new_context(service_workers="block")
    broken = {"on": True}

    def route(r):
        if broken["on"] and "scikit_learn-" in r.request.url:
            if how == "refused":
                return r.fulfill(status=503, body="unavailable")
            # not the wheel the lock names (its real bytes, changed, took 10 s through Playwright's route)
            return r.fulfill(status=200, body=b"PK\x03\x04" + b"tampered" * 4096,
                             headers={"content-type": "application/zip"})
        return r.continue_()

    page, watch = open_in(context, base_url + "#encoder=16&latent=3&train_size=500&epochs=1")
    page.route("**/*", route)  # the page's routes come before the watch's (open_in)
    wait_ready(page)
    compare(page)
    page.wait_for_function(STATUS_ERROR, timeout=60_000)
    status = page.text_content("#compare-status")
    assert status.startswith("scikit-learn could not be loaded") and "not loaded: scikit-learn" in status, status
    step(page)  # the autoencoder trains on
    page.wait_for_function(TRAIN_DONE)
    broken["on"] = False  # Compare tries again, and works
    page.click("#compare-run")
    page.wait_for_function(TABLE_FULL, timeout=120_000)
    assert not page.get_attribute("#compare-status", "class").endswith("error")
    context.close()


CACHED_WHEEL = """async (tamper) => {
    const name = (await caches.keys()).find((k) => k.startsWith('anomaly-explorer-'));
    const cache = await caches.open(name);
    const key = (await cache.keys()).find((r) => r.url.includes('/pyodide/scikit_learn-'));
    if (tamper) await cache.put(key, new Response('not a wheel'));
    const bytes = new Uint8Array(await (await cache.match(key)).arrayBuffer());
    return [key.url, bytes.length];
}"""


def test_a_damaged_copy_of_scikit_learn_in_the_offline_cache_is_downloaded_again(browser, base_url):
    context = browser.new_context()
    page, watch = open_in(context, base_url + "#encoder=16&latent=3&train_size=500&epochs=1")
    wait_ready(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)
    assert len(compare(page)) == len(detectors.DETECTORS) + 1
    href, size = page.evaluate(CACHED_WHEEL, False)
    assert page.evaluate(CACHED_WHEEL, True) == [href, len("not a wheel")]
    page.goto("about:blank")  # a later visit (a reload would compare at once: the link says baselines=on)
    before = len(watch.requests)
    # (the page loads scikit-learn ahead of Compare, as it was cached: the download may come first)
    page.goto(base_url + "#encoder=16&latent=3&train_size=500&epochs=1")
    wait_ready(page)
    shown = compare(page)
    assert len(shown) == len(detectors.DETECTORS) + 1 and all(auc is not None for auc, _ in shown.values()), shown
    assert href in watch.requests[before:], "the damaged copy was not downloaded again"
    assert page.evaluate(CACHED_WHEEL, False) == [href, size]  # and the cache holds the good one again
    watch.check()
    context.close()


def test_the_comparison_works_offline_once_scikit_learn_was_used_and_is_loaded_ahead(browser, base_url):
    """Once Compare was used, a later visit (offline, here) loads scikit-learn while the page is
    idle and its training view drawn (loading it compiles on both cores), before any click:
    Compare then only runs the detectors."""
    context = browser.new_context()
    context.add_init_script(SENT_AND_DRAWN)
    page, watch = open_in(context, base_url + "#encoder=16&latent=3&train_size=500&epochs=1")
    wait_ready(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)
    assert len(compare(page)) == len(detectors.DETECTORS) + 1
    context.set_offline(True)
    page.goto("about:blank")
    page.goto(base_url + "#encoder=16&latent=3&train_size=500&epochs=1")  # baselines off: no Compare runs
    page.evaluate("""() => { window.__said = [];
        new MutationObserver(() => window.__said.push(document.querySelector('#compare-status').textContent))
            .observe(document.querySelector('#compare-status'), {childList: true, characterData: true, subtree: true}); }""")
    wait_ready(page)
    wait_for_engine(page, PREPARED)
    assert page.evaluate("document.querySelectorAll('#compare-rows tr').length") == 0  # nothing ran
    asked = [at for name, at in page.evaluate("window.__sent") if name == "prepare_baselines"]
    drawn = page.evaluate("window.__drawnAt")
    assert asked and drawn is not None and drawn < asked[0], (drawn, asked)
    assert len(compare(page)) == len(detectors.DETECTORS) + 1
    said = page.evaluate("window.__said")
    assert said and not [s for s in said if s.startswith("Loading scikit-learn")], said
    watch.check()
    context.close()


# When the page sent each engine command, and when the training view had first drawn its charts.
SENT_AND_DRAWN = """
window.__sent = [];
window.__drawnAt = null;
const post = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (message, ...rest) {
  if (message && message.name) window.__sent.push([message.name, performance.now()]);
  return post.call(this, message, ...rest);
};
document.addEventListener('DOMContentLoaded', () => {
  const view = document.querySelector('#train-view');
  if (!view) return;  // about:blank
  new MutationObserver(() => {
    if (window.__drawnAt === null && view.hasAttribute('data-epoch')) window.__drawnAt = performance.now();
  }).observe(view, {attributes: true, attributeFilter: ['data-epoch']});
});
"""

# In the engine: the five detectors' modules are imported (app/engine.py prepare_baselines).
PREPARED = ("self.enginePython(\"import sys; all(m in sys.modules for m in ('sklearn.svm', 'sklearn.ensemble', "
            "'sklearn.neighbors', 'sklearn.decomposition', 'sklearn.metrics'))\")")


def wait_for_engine(page, expression, timeout=60):
    """Polls an expression in the engine's worker (the page's own waits cannot reach into it)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        # the newest: after Retry the terminated worker can still be listed, and asking it never returns
        worker = ([w for w in page.workers if w.url.endswith("/engine-worker.mjs")] or [None])[-1]
        if worker and worker.evaluate(expression):
            return
        time.sleep(0.2)
    pytest.fail(f"the engine's worker never had {expression}")

