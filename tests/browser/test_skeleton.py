"""Issue 2: the page loads offline from 127.0.0.1, the engine gets Ready, and Train grows the loss chart."""
from tests.browser.conftest import wait_ready


def chart_rows(page, chart, source):
    return page.evaluate(f"window.charts.data('{chart}', '{source}') || []")


def test_train_streams_falling_losses_into_the_chart(app):
    page, watch = app
    wait_ready(page)
    # the engine runs its products in models/fastmath's WebAssembly kernels, not the slower fallback
    assert page.evaluate("document.body.dataset.kernels") == "wasm"
    page.click("#train")
    assert page.text_content("#train") == "Pause"
    page.wait_for_function(
        "(window.charts.data('loss-chart', 'losses') || []).filter(r => r.series === 'train').length >= 3",
        timeout=60_000)
    rows = chart_rows(page, "loss-chart", "losses")
    train = [r["loss"] for r in rows if r["series"] == "train"]
    val = [r["loss"] for r in rows if r["series"] == "validation"]
    assert len(train) >= 3 and len(val) >= 3
    assert train[-1] < train[0], f"training loss did not fall: {train}"
    assert all(0 < x < 1 for x in train + val)
    # The chart was embedded once and fed through the view API: a single canvas.
    assert page.locator("#loss-chart canvas").count() == 1


def test_page_is_cross_origin_isolated_and_served_with_right_types(app, base_url):
    page, watch = app
    assert page.evaluate("crossOriginIsolated") is True
    for path, mime in [("pyodide/pyodide.asm.wasm", "application/wasm"), ("pyodide/pyodide.mjs", "text/javascript"),
                       ("micropython/micropython.mjs", "text/javascript")]:
        resp = page.request.get(base_url + path)
        assert resp.ok and resp.headers["content-type"] == mime, (path, resp.headers)


def test_the_page_asks_for_micropython_and_its_python_at_once(app, base_url):
    """PyScript fetches its config, MicroPython and our files one after another; the page preloads
    them all (builder/dist.py add_preloads), and PyScript's core, which static/pyscript-start.mjs
    imports; each is then fetched once, by its preload."""
    page, watch = app
    warnings = []
    page.on("console", lambda m: "preload" in m.text and warnings.append(m.text))
    wait_ready(page)
    ui = page.request.get(base_url + "ui.json").json()
    wanted = {"ui.json", "micropython/micropython.mjs", "micropython/micropython.wasm", "app/main.py",
              "pyscript/core.js", *(path.removeprefix("./") for path in ui["files"])}
    preloaded = page.evaluate("[...document.querySelectorAll('link[rel=preload], link[rel=modulepreload]')]"
                              ".map(l => l.getAttribute('href'))")
    assert sorted(preloaded) == sorted(wanted)
    # Module preloads are asked for by the parser (after the Content-Security-Policy's meta tag,
    # Chromium's preload scanner asks for nothing), so their requests say "script", as an import's
    # would: theirs started before the first module of ours had even arrived.
    first_module = page.evaluate("(url) => performance.getEntriesByName(url)[0].responseEnd",
                                 base_url + "pyscript-start.mjs")
    for path in wanted:
        assert watch.requests.count(base_url + path) == 1, f"{path} was fetched more than once"
        by = page.evaluate("(url) => performance.getEntriesByName(url).map(e => [e.initiatorType, e.startTime])",
                           base_url + path)
        if path.endswith((".mjs", ".js")):
            assert len(by) == 1 and by[0][0] == "script" and by[0][1] < first_module, (path, by, first_module)
        else:
            assert [kind for kind, _ in by] == ["link"], (path, by)
    page.wait_for_timeout(3500)  # Chromium warns of an unused preload a few seconds after load
    assert not warnings, warnings
