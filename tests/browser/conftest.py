"""Browser end-to-end fixtures: the built dist/ served on 127.0.0.1, driven by Playwright in the
system Chromium (Firefox and WebKit: tests/browser/engines.py). Any request to a non-loopback
address fails the test, and so does any uncaught page error or console error."""
import os
import sys
import urllib.parse

import pytest

from builder import browsers, csp_waits
from builder import server as dist_server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIST = os.path.join(ROOT, "dist")
CHROMIUM = browsers.CHROMIUM
# Without these Chromium phones home at start-up; the network here is closed, and must stay unused.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions"]
READY_TIMEOUT_MS = 60_000
csp_waits.install()  # waits that poll without eval, which the page's Content-Security-Policy forbids


@pytest.fixture(scope="session")
def base_url():
    if not os.path.exists(os.path.join(DIST, "manifest.json")):
        pytest.fail("dist/ is not built: run `python build.py test` (it builds first)")
    srv, url = dist_server.start_in_background(DIST)
    yield url
    srv.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `python build.py test` installs it (as root), or run "
                    + browsers.install_line(["chromium"]))
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class PageWatch:
    """Everything a test must not see: foreign requests, page errors, console errors."""

    def __init__(self):
        self.foreign, self.errors, self.console_errors, self.requests = [], [], [], []

    def check(self):
        assert not self.foreign, f"requests left 127.0.0.1: {self.foreign}"
        assert not self.errors, f"uncaught page errors: {self.errors}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


def open_page(browser, url, viewport=None, color_scheme="light", **context_options):
    """A page in a context of its own (context_options: more of Playwright's new_context options)."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900},
                                  color_scheme=color_scheme, accept_downloads=True, **context_options)
    return open_in(context, url)


def open_in(context, url):
    """A new page of `context` (a repeat visit when the context has visited before), watched."""
    watch = PageWatch()

    def route(r):
        host = urllib.parse.urlsplit(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            r.continue_()
        else:
            watch.foreign.append(r.request.url)
            r.abort()

    context.route("**/*", route)  # the newest page's watch sees foreign requests of any page of the context
    page = context.new_page()
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and watch.console_errors.append(m.text))
    page.on("request", lambda r: watch.requests.append(r.url))
    # Workers' requests go through the context route too; a worker error surfaces as a page error.
    page.goto(url)
    return page, watch


SNAPSHOT_SAVED = "(window.engineMarks || []).some((m) => m[0] === 'snapshot saved')"


@pytest.fixture(scope="session")
def warm_profile(browser, base_url):
    """One browser profile for the tests that need no first visit: its first visit installed the
    offline cache and saved the Python snapshot, so each page opened in it (open_in) is a repeat
    visit. A first visit and the snapshot made after it cost ~8 s of CPU on this machine, a repeat
    visit ~2.5; the suite has to fit in its time on two cores. What the profile keeps (run history,
    the offline cache) is shared: tests of first visits, downloads or the history open their own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light",
                                  accept_downloads=True)
    page, watch = open_in(context, base_url)
    wait_ready(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)
    page.wait_for_function(SNAPSHOT_SAVED, timeout=90_000)
    watch.check()
    page.close()
    yield context
    context.close()


@pytest.fixture
def app(browser, base_url):
    page, watch = open_page(browser, base_url)
    yield page, watch
    watch.check()
    page.context.close()


def wait_ready(page, timeout=READY_TIMEOUT_MS):
    page.wait_for_function("document.querySelector('#engine-status').textContent.startsWith('Ready')"
                           " || document.querySelector('#engine-status').className === 'error'",
                           timeout=timeout)
    status = page.text_content("#engine-status")
    assert status.startswith("Ready"), f"engine did not start: {status}"


def pytest_terminal_summary(terminalreporter):
    """What the cross-browser suite measured, in one table at the end of the run."""
    module = next((m for name, m in sys.modules.items() if name.endswith("test_cross_browser")), None)
    timings = getattr(module, "TIMINGS", None)
    if not timings:
        return
    terminalreporter.section("cross-browser timings (one visit each, this machine's load included)")
    for engine, t in timings.items():
        engine_ms = t.get("engine_epochs_ms") or []
        terminalreporter.write_line(
            "%-8s %-16s launch %s s; Ready cold %s ms, warm %s ms (%s), link %s ms; 20 epochs %s ms, warm %s ms"
            " (of which in the engine %s ms); kernels %s"
            % (engine, t.get("version"), t.get("launch_s"), t.get("cold_ready_ms"), t.get("warm_ready_ms"),
               t.get("snapshot"), t.get("link_visit_ready_ms"), t.get("train_20_epochs_ms"),
               t.get("warm_train_20_epochs_ms"), " and ".join(map(str, engine_ms)) or None, t.get("kernels")))
