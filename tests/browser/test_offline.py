"""Issue 6: after one visit the service worker has cached the app: a repeat visit works offline,
engine included, and costs (almost) nothing on the wire."""
from tests.browser.conftest import open_page, wait_ready


def test_second_visit_works_offline(browser, base_url):
    page, watch = open_page(browser, base_url)
    wait_ready(page)
    # The worker installs after load and precaches every first-visit file; wait until it controls the page.
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    cached = page.evaluate("""async () => { const keys = await caches.keys();
        const c = await caches.open(keys.find(k => k.startsWith('anomaly-explorer-')));
        return (await c.keys()).map(r => new URL(r.url).pathname); }""")
    assert "/pyodide/pyodide.asm.wasm" in cached and "/data/ecg5000.bin" in cached
    assert not any(lazy in p for p in cached for lazy in ("codemirror", "xterm")), \
        "lazily loaded files must not be precached"

    page.context.set_offline(True)
    watch.requests.clear()
    page.reload()
    wait_ready(page)
    assert page.evaluate("crossOriginIsolated") is True
    page.click("#train")  # the engine trains offline too
    page.wait_for_function("+document.querySelector('#train-view').dataset.epoch >= 1", timeout=60_000)
    page.context.set_offline(False)
    watch.check()
    page.context.close()
