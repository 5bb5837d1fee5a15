"""Issue 17, part 4: dist/ published on any static host. Served as a plain host serves it (under a
sub-path, with no cross-origin isolation, no CSP header and no compression: builder/plain_server.py),
the app starts, trains to CPython's numbers, works offline from its service worker, shares links
that keep the sub-path, and loads its lazy files (a gallery dataset, scikit-learn's wheels) from
its own folder. Every request stays in that folder: one to the host's root would be a bug."""
import json

import pytest

from tests.browser.conftest import DIST, open_in, wait_ready
from tests.browser.test_compare import TABLE_FULL, compare
from tests.browser.test_explorer import TRAIN_DONE, set_setting
from tests.browser.test_gallery import packed, wait_shape
from tests.browser.test_links import check_controls_show
from tests.browser.test_resilience import step
from tests.browser.test_your_data import BUILT, NAB, good, losses, pick, train_on_it

from builder import plain_server  # noqa: E402
from models import links  # noqa: E402
from models.experiment import Experiment  # noqa: E402

SUB_PATH = "/anomaly-explorer/"
# Not the defaults: layers, activation, optimizer and its rate, batch, seed, data split.
LINK = ("v=1&encoder=24,8&latent=3&activation=elu&optimizer=rmsprop&learning_rate=0.003&epochs=2"
        "&batch_size=128&seed=7&train_size=2000")
# headers a plain host does not send, and the app must not need
SPECIAL = ("cross-origin-opener-policy", "cross-origin-embedder-policy", "cross-origin-resource-policy",
           "content-security-policy", "content-encoding")


class Host:
    """dist/ on a plain static host under `prefix`; what it was asked for, and what it answered."""

    def __init__(self, prefix):
        self.requested = []
        self.server, self.url = plain_server.start_in_background(DIST, prefix, requested=self.requested)
        self.prefix = prefix

    def open(self, browser, url):
        """A page of a fresh context at `url`, watched (conftest.open_in), its responses noted."""
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.responses = []
        context.on("response", lambda r: self.responses.append((r.url, r.headers)))
        return open_in(context, url)

    def check(self, watch):
        """Nothing left the site's folder; every file came plain, with no special header."""
        watch.check()
        assert not [p for p in self.requested if not p.startswith(self.prefix)], self.requested
        assert not [p for p in self.requested if p.split("?")[0].endswith((".br", ".gz"))]
        left = [u for u in watch.requests if u.startswith("http") and not u.startswith(self.url)]
        assert not left, f"requests outside {self.url}: {left}"
        assert self.responses
        for url, headers in self.responses:
            assert not [h for h in SPECIAL if h in headers], (url, headers)

    def close(self):
        self.server.shutdown()


@pytest.fixture
def host():
    # under a sub-path: what a host at the root serves is the same files with a shorter prefix, and
    # `build.py serve` (at the root) is what every other browser test runs against
    h = Host(SUB_PATH)
    yield h
    h.close()


@pytest.fixture(scope="module")
def cpython():
    """The link's per-epoch train losses, in CPython on the bytes the browser loads."""
    results = []
    Experiment(links.decode(LINK)[0], packed("ecg5000")).fit(on_epoch=results.append)
    return [r["loss"] for r in results]


def train_losses(page):
    rows = page.evaluate("window.charts.data('loss-chart', 'losses')")
    return [r["loss"] for r in sorted(rows, key=lambda r: r["epoch"]) if r["series"] == "train"]


def test_a_plain_host_runs_the_app_offline_too_and_its_link_keeps_the_path(browser, host, cpython):
    page, watch = host.open(browser, host.url + "#" + LINK)
    wait_ready(page)
    # Not cross-origin isolated: no SharedArrayBuffer, which nothing in the app needs.
    assert page.evaluate("[crossOriginIsolated, typeof SharedArrayBuffer]") == [False, "undefined"]
    page.click("#train")
    page.wait_for_function("+document.querySelector('#train-view').dataset.epoch === 2", timeout=60_000)
    page.wait_for_function(TRAIN_DONE)
    assert train_losses(page) == pytest.approx(cpython, rel=1e-12)
    link = page.input_value("#share-link")
    assert link == host.url + "#" + LINK

    # offline: the service worker (its scope the site's folder) serves the app, and the engine trains
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == host.url + "sw.js"
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)") == host.url
    # its cache is named after that folder: a copy of the app elsewhere on the host keeps its own
    [cache] = page.evaluate("caches.keys()")
    assert cache.startswith("anomaly-explorer-") and cache.endswith(" " + host.url)
    page.context.set_offline(True)
    asked = len(host.requested)
    page.reload()
    wait_ready(page)
    step(page)
    assert train_losses(page) == pytest.approx(cpython[:1], rel=1e-12)
    # The host was asked for nothing but the service worker's script: the browser checks it for an
    # update on each visit, past Playwright's offline switch (on a device offline, that check fails).
    assert [p for p in host.requested[asked:] if p != host.prefix + "sw.js"] == []
    page.context.set_offline(False)
    host.check(watch)
    page.context.close()

    # the link, opened by someone else: the same settings everywhere
    page, watch = host.open(browser, link)
    wait_ready(page)
    check_controls_show(page, links.decode(LINK)[0])
    assert page.input_value("#share-link") == link
    host.check(watch)
    page.context.close()


def test_a_sub_path_serves_the_gallery_scikit_learn_and_model_files(browser, tmp_path):
    """The lazily loaded files (a gallery dataset, scikit-learn's wheels) come from the site's
    folder; a saved model file loads back."""
    host = Host(SUB_PATH)
    try:
        page, watch = host.open(browser, host.url)
        wait_ready(page)
        set_setting(page, "dataset", "gunpoint")
        wait_shape(page, 150)
        assert SUB_PATH + "data/gunpoint.bin" in host.requested
        step(page)
        link = page.input_value("#share-link")
        assert link.startswith(host.url + "#") and "dataset=gunpoint" in link
        shown = compare(page)
        page.wait_for_function(TABLE_FULL)
        assert all(auc is not None for auc, _ in shown.values()), shown
        wheels = [p for p in host.requested if p.startswith(SUB_PATH + "pyodide/scikit_learn-")]
        assert len(wheels) == 1 and wheels[0].endswith(".whl")
        assert page.input_value("#share-link") == link + "&baselines=on"

        with page.expect_download() as download:
            page.click("#model-save")
        saved = tmp_path / "model.json"
        download.value.save_as(saved)
        assert json.loads(saved.read_text())["format"] == "anomaly-explorer-model"
        set_setting(page, "dataset", "ecg5000")
        wait_shape(page, 140)
        page.set_input_files("#model-file", str(saved))
        page.wait_for_function("document.querySelector('#model-file-status').textContent.startsWith('Loaded')")
        page.wait_for_function(TRAIN_DONE)
        assert page.get_attribute("#engine-model", "data-shape").startswith("150-")
        assert page.input_value("#share-link") == link  # the model's settings (a file holds no baselines=on)
        host.check(watch)
        page.context.close()
    finally:
        host.close()


def test_a_link_to_a_file_keeps_the_sub_path(browser):
    """Your data on a sub-path: a file read and trained on, its link opened elsewhere asks for it."""
    host = Host(SUB_PATH)
    try:
        page, watch = host.open(browser, host.url)
        wait_ready(page)
        assert pick(page, good(NAB)).startswith("Read.")
        train_on_it(page)
        step(page)
        link, trained = page.input_value("#share-link"), losses(page)
        assert link.startswith(host.url + "#") and "dataset=file" in link
        host.check(watch)
        page.context.close()

        page, watch = host.open(browser, link)
        wait_ready(page)
        assert page.text_content("#engine-status").startswith("Ready. This link trains on your own file " + NAB)
        page.set_input_files("#data-file", good(NAB))
        page.wait_for_function(BUILT, timeout=120_000)
        page.wait_for_function(TRAIN_DONE, timeout=60_000)
        step(page)
        assert losses(page) == trained
        assert page.input_value("#share-link") == link
        host.check(watch)
        page.context.close()
    finally:
        host.close()


@pytest.mark.parametrize("ext, says", [
    (".mjs", "The page cannot start: the site's host serves /anomaly-explorer/pyscript-start.mjs as "
             "application/octet-stream, and browsers run a module only when it comes as JavaScript: the host needs "
             "text/javascript for .mjs files."),
    (".wasm", "the site's host serves pyodide/pyodide.asm.wasm as application/octet-stream, where Python's "
              "WebAssembly must come as application/wasm: the host needs that type for .wasm files"),
])
def test_a_host_serving_modules_or_webassembly_as_another_type_is_named(browser, ext, says):
    """nginx's stock mime.types has no .mjs, so it serves them as application/octet-stream (as a host
    that lacks .wasm does those). Browsers refuse such a module, and Pyodide hung on such WebAssembly,
    with nothing said on the page: it now names the file, its type and the one it needs."""
    host = Host(SUB_PATH)
    context = browser.new_context()
    foreign = []

    def mistyped(route):  # and, as conftest's watch does, every request leaving the host fails
        url = route.request.url
        if not url.startswith(host.url):
            foreign.append(url)
            route.abort()
        elif url.endswith(ext):
            response = route.fetch()
            route.fulfill(response=response, headers={**response.headers, "content-type": "application/octet-stream"})
        else:
            route.continue_()

    try:
        context.route("**/*", mistyped)
        page = context.new_page()
        page.goto(host.url)
        page.wait_for_function("document.querySelector('#engine-status').className === 'error'", timeout=60_000)
        assert says in page.text_content("#engine-status")
        assert not foreign  # (the browser's and Pyodide's own errors about the type are expected)
    finally:
        # the page may still be loading other files through `mistyped`: a fetch cut short by the
        # context's end is no failure (it surfaced in the next test, as "Request context disposed")
        context.unroute_all(behavior="ignoreErrors")
        context.close()
        host.close()
