"""Screenshots of the built app for docs/screenshots/, to look at (not a test):

    .venv/bin/python -m builder.screenshots

Chromium (/usr/bin/chromium) on dist/ served on 127.0.0.1: your own data's preview, the timeline of
the sensor log, the compare panel, and the error strip under a reconstruction (a window of the
sensor log and a heartbeat in the training view, a drawn heartbeat in the introduction), at 390
and 1440 px, light and dark.
"""
import os
import sys

from builder import server
from builder.dist import DIST, ROOT
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

OUT = os.path.join(ROOT, "docs", "screenshots")
READY = "document.querySelector('#engine-status').textContent.startsWith('Ready')"
SAMPLE_FILE = os.path.join(ROOT, "tests", "fixtures", "good_files", "ucr_labelled.csv")
SAMPLE_PANEL = "div.panel:has(#recon-chart)"  # the training view's selected sample
WINDOW_AT_ANOMALY = 1503  # the sensor log's test window 4,176-4,207 at window=32&stride=2: over its labelled anomaly
ABNORMAL_BEAT = 292  # ECG5000's first abnormal test heartbeat (an R-on-T PVC), in the default experiment


def shot(page, selector, name):
    page.evaluate("document.querySelector('header') && (document.querySelector('header').style.position = 'static')")
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


def main():
    from playwright.sync_api import sync_playwright
    srv, url = server.start_in_background(DIST)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for width, scheme in ((1440, "light"), (1440, "dark"), (390, "light")):
                suffix = "-%d%s.png" % (width, "-dark" if scheme == "dark" else "")
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
                page.wait_for_function("document.querySelectorAll('#compare-rows tr').length === 6"
                                       " && !document.querySelector('#compare-rows tr[data-detector=autoencoder]')"
                                       ".textContent.includes('–')", timeout=120_000)
                page.wait_for_timeout(2000)
                shot(page, "#compare-panel", "compare" + suffix)
                draw_spiked_heartbeat(page)
                shot(page, ".beat-panel", "error-strip-drawn" + suffix)
                context.close()
            browser.close()
    finally:
        srv.shutdown()


if __name__ == "__main__":
    sys.exit(main())
