"""Screenshots of the built app for docs/screenshots/, to look at (not a test):

    .venv/bin/python -m builder.screenshots [views | report | history | linked | engines]

Chromium (/usr/bin/chromium) on dist/ served on 127.0.0.1: both views whole (the introduction once
Ready, the training view after a run) at 390 and 1440 px, light and dark; your own data's preview, the timeline of
the sensor log, the compare panel and a linked selection (a box brushed in the latent scatter
filters the test samples), at 390 and 1440 px, light and dark; a downloaded report (light only: a
report has one scheme) opened from disk; the run history after four runs; the error strip under a
reconstruction (a window of the sensor log and a heartbeat in the training view, a drawn heartbeat in
the introduction); and the app after a run in Chromium, Firefox ESR and WebKit, at 1280 and 390 px.
Names given (`views`, `report`, `history`, `linked`, `engines`): only those.
"""
import os
import sys

from builder import server
from builder.dist import DIST, ROOT
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

OUT = os.path.join(ROOT, "docs", "screenshots")
READY = "document.querySelector('#engine-status').textContent.startsWith('Ready')"
COMPARED = ("document.querySelectorAll('#compare-rows tr').length === 6 && !document.querySelector("
            "'#compare-rows tr[data-detector=autoencoder]').textContent.includes('–')")
SAMPLE_FILE = os.path.join(ROOT, "tests", "fixtures", "good_files", "ucr_labelled.csv")
SAMPLE_PANEL = "div.panel:has(#recon-chart)"  # the training view's selected sample
WINDOW_AT_ANOMALY = 1503  # the sensor log's test window 4,176-4,207 at window=32&stride=2: over its labelled anomaly
ABNORMAL_BEAT = 292  # ECG5000's first abnormal test heartbeat (an R-on-T PVC), in the default experiment


def static_header(page):
    """The sticky header would cover what a screenshot of the page's middle shows."""
    page.evaluate("document.querySelector('header') && (document.querySelector('header').style.position = 'static')")


def shot(page, selector, name):
    static_header(page)
    page.locator(selector).screenshot(path=os.path.join(OUT, name))
    print("wrote docs/screenshots/" + name)


def trained_page(browser, url, link, width, scheme, epochs):
    """A fresh page of `link`, Ready and trained `epochs` epochs (one Train run)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(url + "#" + link)
    page.wait_for_function(READY, timeout=60_000)
    page.click("#train")
    page.wait_for_function("+document.querySelector('#train-view').dataset.epoch === %d" % epochs, timeout=120_000)
    return context, page


def pick_sample(page, i):
    page.fill("#beat-index", str(i))
    page.dispatch_event("#beat-index", "change")
    page.wait_for_function("document.querySelector('#beat-info').dataset.beat === '%d'" % i, timeout=30_000)
    page.locator(SAMPLE_PANEL).scroll_into_view_if_needed()
    page.wait_for_timeout(1000)


def draw_spiked_heartbeat(page):
    """The pad's guide (an average normal beat) with a spike at x = 98, drawn as a stroke would be."""
    page.locator("#pad").scroll_into_view_if_needed()
    page.evaluate("""() => {
        const points = document.getElementById('pad-guide').getAttribute('d').slice(1).split('L')
            .map((p) => p.trim().split(/\s+/).map(Number)).filter(([x]) => x < 95 || x > 101);
        points.splice(points.findIndex(([x]) => x > 101), 0, [98, 2]);
        document.getElementById('pad').dispatchEvent(new CustomEvent('stroke', {detail: JSON.stringify(points)}));
    }""")
    page.wait_for_function("document.querySelector('#intro-recon').dataset.beat === 'drawn'", timeout=30_000)
    page.wait_for_timeout(1000)


def report_shot(browser, page, width, name):
    """Download the page's report and screenshot the whole of it, opened from disk."""
    with page.expect_download() as d:
        page.click("#report-save")
    path = os.path.join(OUT, "report.html")
    d.value.save_as(path)
    context = browser.new_context(viewport={"width": width, "height": 900})
    report = context.new_page()
    report.goto("file://" + path)
    report.wait_for_function("[...document.querySelectorAll('.chart')].every((c) => c.dataset.ready)")
    report.wait_for_timeout(500)
    report.screenshot(path=os.path.join(OUT, name), full_page=True)
    print("wrote docs/screenshots/" + name)
    context.close()
    os.remove(path)


HISTORY_RUNS = ("learning_rate=0.01", "learning_rate=0.003", "learning_rate=0.001&optimizer=rmsprop",
                "learning_rate=0.03&encoder=32,8")


def history_shot(browser, url, width, scheme, suffix):
    """The run history after four short runs, two of them overlaid, learning rate against AUC."""
    context, page = trained_page(browser, url, "train_size=800&epochs=15&" + HISTORY_RUNS[0], width, scheme, 15)
    for k, link in enumerate(HISTORY_RUNS):
        if k:
            page.evaluate("location.hash = %r" % ("train_size=800&epochs=15&" + link))
            page.wait_for_function("!document.querySelector('#train').disabled", timeout=60_000)
            page.wait_for_timeout(500)
            page.click("#train")
        page.wait_for_function("document.querySelector('#history-status').textContent.startsWith('Run %d recorded')"
                               % (k + 1), timeout=120_000)
    page.click("#history-summary")
    page.wait_for_function("document.querySelectorAll('#history-rows tr').length === 4", timeout=30_000)
    page.check("#history-rows input[data-id='1']")
    page.check("#history-rows input[data-id='3']")
    page.select_option("#history-setting-key", "learning_rate")
    page.wait_for_function("document.querySelector('#history-overlay').dataset.runs === '1,3'", timeout=30_000)
    page.wait_for_timeout(2000)
    shot(page, "#history-panel", "history" + suffix)
    context.close()


def linked_selection(page, suffix):
    """A box brushed across the latent scatter's right-hand (mostly abnormal) points, with a sample of
    the filtered gallery hovered: the latent scatter, the histogram and the gallery together."""
    static_header(page)
    page.evaluate("document.getElementById('latent-chart').scrollIntoView({block: 'center'})")
    box = page.evaluate("""() => {
      const view = window.charts.view('latent-chart');
      const c = document.querySelector('#latent-chart canvas').getBoundingClientRect();
      const x = c.left + view.origin()[0] + view.padding().left, y = c.top + view.origin()[1] + view.padding().top;
      return [x + view.width() * 0.6, y + view.height() * 0.2, x + view.width() * 0.98, y + view.height() * 0.8];
    }""")
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move(box[2], box[3], steps=8)
    page.mouse.up()
    page.wait_for_function("document.querySelector('#train-gallery').dataset.kind === 'latent'", timeout=30_000)
    page.locator("#train-gallery button.sample >> nth=3").hover()
    page.wait_for_timeout(1000)
    # the chart grid's last row (the histogram and the latent scatter) and the gallery below it
    rows = page.evaluate("""() => {
      const top = document.getElementById('hist-chart').closest('.panel').getBoundingClientRect().top + scrollY;
      const bottom = document.getElementById('samples-panel').getBoundingClientRect().bottom + scrollY;
      return [top, bottom];
    }""")
    width = page.viewport_size["width"]
    page.screenshot(path=os.path.join(OUT, "linked-selection" + suffix), full_page=True,
                    clip={"x": 0, "y": rows[0] - 8, "width": width, "height": rows[1] - rows[0] + 16})
    print("wrote docs/screenshots/linked-selection" + suffix)


ENGINE_VIEWS = (("top", None), ("charts", "#loss-chart"))  # where on the page: its top, the training charts
ENGINE_SIZES = ((1280, 900), (390, 844))


def engine_shots(url):
    """The app in Chromium, Firefox ESR and WebKit, driven as the cross-browser tests drive them
    (tests/browser/engines.py), after a 20-epoch run: the page's top and the training charts at 1280
    and 390 px (WebKit's window is no narrower than ~450 px), as engine-<name>-<width>-<view>.png."""
    from playwright.sync_api import sync_playwright
    from builder.bench_engines import ENGINES, open_engine, ready_ms
    idle = ("+document.querySelector('#train-view').dataset.epoch === 20 && !document.querySelector('#train')"
            ".disabled && document.querySelector('#train').textContent !== 'Pause'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name in ENGINES:
            engine = open_engine(name, browser)
            try:
                engine.goto(url + "#epochs=20")
                ready_ms(engine)
                engine.click("#train")
                engine.wait(idle, 180)
                engine.js("document.querySelector('header').style.position = 'static'")
                for width, height in ENGINE_SIZES:
                    for view, selector in ENGINE_VIEWS:
                        where = "document.querySelector('%s').scrollIntoView()" % selector if selector else "scrollTo(0, 0)"
                        engine.js("(%s, 1)" % where)
                        out = "engine-%s-%d-%s.png" % (name, width, view)
                        engine.screenshot(os.path.join(OUT, out), width, height)
                        print("wrote docs/screenshots/" + out)
            finally:
                engine.close()
        browser.close()


def view_shots(browser, url):
    """Both views whole, as a visitor sees them: the introduction once Ready, the training view after
    a 20-epoch run of the default experiment; at 390 and 1440 px, light and dark."""
    for width in (1440, 390):
        for scheme in ("light", "dark"):
            suffix = "-%d%s.png" % (width, "-dark" if scheme == "dark" else "")
            context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
            page = context.new_page()
            page.goto(url)
            page.wait_for_function(READY, timeout=60_000)
            page.wait_for_function("document.querySelector('#intro-recon').dataset.beat !== undefined", timeout=30_000)
            page.wait_for_timeout(1000)
            shot(page, "#intro", "intro" + suffix)
            page.click("#train")
            page.wait_for_function("+document.querySelector('#train-view').dataset.epoch === 20 && "
                                   "document.querySelector('#train').textContent !== 'Pause'", timeout=120_000)
            page.wait_for_timeout(1500)
            shot(page, "#train-view", "train" + suffix)
            context.close()


def main(only=()):
    """Every screenshot, or only those named (`.venv/bin/python -m builder.screenshots linked`)."""
    from playwright.sync_api import sync_playwright
    only = set(only)
    srv, url = server.start_in_background(DIST)
    try:
        if not only or "engines" in only:
            engine_shots(url)
        if only == {"engines"}:
            return 0
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            if not only or "views" in only:
                view_shots(browser, url)
            for width, scheme in ((1440, "light"), (1440, "dark"), (390, "light")):
                suffix = "-%d%s.png" % (width, "-dark" if scheme == "dark" else "")
                if not only or "history" in only:
                    history_shot(browser, url, width, scheme, suffix)
                if not only or "linked" in only:
                    context, page = trained_page(browser, url, "epochs=10", width, scheme, 10)
                    linked_selection(page, suffix)
                    context.close()
                if only:
                    if "report" in only and scheme == "light":
                        context, page = trained_page(browser, url, "baselines=on", width, scheme, 20)
                        page.wait_for_function(COMPARED, timeout=120_000)
                        report_shot(browser, page, width, "report" + suffix)
                        context.close()
                    continue
                context, page = trained_page(browser, url, "dataset=bleeding&window=32&stride=2&encoder=32,8"
                                             "&latent=4&epochs=30", width, scheme, 30)
                page.wait_for_timeout(1500)
                shot(page, "#timeline-panel", "timeline" + suffix)
                pick_sample(page, WINDOW_AT_ANOMALY)
                shot(page, SAMPLE_PANEL, "error-strip-window" + suffix)
                page.set_input_files("#data-file", SAMPLE_FILE)
                page.wait_for_function("!document.querySelector('#data-preview').hidden", timeout=30_000)
                page.wait_for_timeout(1500)
                shot(page, "#data-panel", "your-data-preview" + suffix)
                context.close()
                # the classical detectors beside the autoencoder, on the default experiment
                context, page = trained_page(browser, url, "baselines=on", width, scheme, 20)
                pick_sample(page, ABNORMAL_BEAT)
                shot(page, SAMPLE_PANEL, "error-strip-sample" + suffix)
                page.wait_for_function(COMPARED, timeout=120_000)
                page.wait_for_timeout(2000)
                shot(page, "#compare-panel", "compare" + suffix)
                if scheme == "light":
                    report_shot(browser, page, width, "report" + suffix)
                draw_spiked_heartbeat(page)
                shot(page, ".beat-panel", "error-strip-drawn" + suffix)
                context.close()
            browser.close()
    finally:
        srv.shutdown()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
