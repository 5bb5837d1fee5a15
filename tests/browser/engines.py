"""One small driver per browser engine, with the same few verbs, for the cross-browser smoke suite
(tests/browser/test_cross_browser.py): Chromium through Playwright, Firefox ESR over WebDriver BiDi
through puppeteer-core (tests/browser/firefox_bridge.mjs, a Node process), WebKit (WebKitGTK's
MiniBrowser) through Selenium and WebKitWebDriver on an Xvfb display. Binaries: builder/browsers.py.

Each driver opens one fresh profile and one page: goto, reload, js (an expression, awaited when it
is a promise), wait (until an expression is true), click (a real click on a selector), problems
(requests that left 127.0.0.1, uncaught errors, console errors) and close.

What leaves 127.0.0.1 is seen by each engine's own means: Playwright's routes (Chromium), puppeteer's
request events, which include the workers' (Firefox), and for WebKit, which Selenium cannot watch, a
proxy the browser must use for anything beyond loopback (WebDriver's `proxy` capability), which
records and refuses every request. Firefox uses that proxy too, so nothing it sends (its own
background requests included) reaches the network. Uncaught errors and console errors come from
Playwright's and puppeteer's events; for WebKit from PROBE, which the test installs in each
document once it is parsed (WebKitWebDriver has no log, and MiniBrowser's console-to-stdout
setting is ignored under automation): an error thrown before that would not be seen there.
"""
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse

from builder import browsers

HERE = os.path.dirname(os.path.abspath(__file__))
VIEWPORT = {"width": 1280, "height": 900}

# In every document: when the engine status first said Ready (ms since navigation start, as the
# benchmark's READY_JS; `late` if it did already when the probe came), polled every 10 ms; and, for
# WebKit, the uncaught errors and console errors. `watchTrain(n)` times a click on Train to the end
# of an n-epoch run (the first poll that sees epoch n shown and the controls idle), and keeps the
# engine's own time of each epoch.
PROBE = """(() => {
  if (window.__smoke) return;
  const s = window.__smoke = {readyAt: null, late: false, errors: [], consoleErrors: []};
  addEventListener('error', (e) => s.errors.push(String(e.message || e.error || e)));
  addEventListener('unhandledrejection', (e) => s.errors.push('unhandled rejection: ' + String(e.reason)));
  const consoleError = console.error;
  console.error = function (...args) { s.consoleErrors.push(args.map(String).join(' ')); return consoleError.apply(this, args); };
  const until = (done, then) => { const poll = () => done() ? then() : setTimeout(poll, 10); poll(); };
  const ready = () => ((document.querySelector('#engine-status') || {}).textContent || '').startsWith('Ready');
  s.late = ready();
  until(ready, () => { s.readyAt = performance.now(); });
  s.watchTrain = (epochs) => {
    s.trainStart = s.trainEnd = null;
    const train = document.querySelector('#train'), step = document.querySelector('#step');
    const done = () => +document.querySelector('#train-view').dataset.epoch === epochs && !train.disabled
      && train.textContent !== 'Pause' && !step.disabled;
    // each epoch's time in the engine, as the progress line says it: the rest is the page's
    s.epochMs = [];
    const progress = document.querySelector('#progress');
    const epochTimes = new MutationObserver(() => {
      const said = / (\\d+) ms per epoch/.exec(progress.textContent);
      if (said) s.epochMs.push(+said[1]);
    });
    train.addEventListener('click', () => {
      s.trainStart = performance.now();
      epochTimes.observe(progress, {childList: true, characterData: true, subtree: true});
      until(done, () => { s.trainEnd = performance.now(); epochTimes.disconnect(); });
    }, {once: true, capture: true});
  };
})()"""


class RefusingProxy:
    """An HTTP proxy on 127.0.0.1 that records every request (CONNECT included) and refuses it."""

    def __init__(self):
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def refuse(self):
                seen.append(f"{self.command} {self.path}")
                self.send_error(403, "the tests' network is closed")
                self.close_connection = True
            do_GET = do_POST = do_HEAD = do_PUT = do_OPTIONS = do_CONNECT = refuse

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = "127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Xvfb:
    """A virtual X display for WebKitGTK (MiniBrowser's --headless hung); Xvfb picks a free number."""

    def __init__(self):
        read, write = os.pipe()
        self.log = tempfile.TemporaryFile()  # not a pipe: one nobody reads would fill and stop Xvfb
        self.process = subprocess.Popen([browsers.XVFB, "-displayfd", str(write), "-screen", "0", "1280x1024x24",
                                         "-nolisten", "tcp"], pass_fds=(write,), stdout=self.log, stderr=self.log)
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number:
            self.process.kill()
            self.log.seek(0)
            raise RuntimeError("Xvfb did not start: " + self.log.read().decode(errors="replace")[-2000:])
        self.display = ":" + number

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


class Chromium:
    name = "chromium"

    def __init__(self, playwright_browser):
        from tests.browser.conftest import PageWatch
        self.context = playwright_browser.new_context(viewport=VIEWPORT)
        self.context.add_init_script(PROBE)
        self.watch = PageWatch()

        def route(r):
            url = r.request.url
            if url.startswith(("data:", "blob:")) or urllib.parse.urlsplit(url).hostname == "127.0.0.1":
                r.continue_()
            else:
                self.watch.foreign.append(url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.watch.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.watch.console_errors.append(m.text))
        self.version = playwright_browser.version

    def goto(self, url):
        self.page.goto(url)

    def reload(self):
        self.page.reload()

    def js(self, expr):
        return self.page.evaluate(expr)

    def wait(self, expr, timeout):
        self.page.wait_for_function(expr, timeout=timeout * 1000, polling=50)

    def click(self, selector):
        self.page.click(selector)

    def screenshot(self, path, width, height):
        """The viewport at width x height px, to look at (builder/screenshots.py)."""
        self.page.set_viewport_size({"width": width, "height": height})
        self.page.wait_for_timeout(500)
        self.page.screenshot(path=path)

    def problems(self):
        self.page.evaluate("0")  # Playwright hands out the page's events while it waits on a call
        return {"foreign": list(self.watch.foreign), "errors": list(self.watch.errors),
                "console_errors": list(self.watch.console_errors)}

    def close(self):
        self.context.close()


class Firefox:
    name = "firefox"

    def __init__(self):
        node = shutil.which("node")
        self.proxy = RefusingProxy()
        self.log = tempfile.TemporaryFile()  # the bridge's stderr: a failure quotes it
        self.process = subprocess.Popen([node, os.path.join(HERE, "firefox_bridge.mjs")], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.log, text=True, bufsize=1)
        try:
            self.version = self._call("launch", executablePath=browsers.FIREFOX, proxy=self.proxy.address,
                                      probe=PROBE)
        except Exception:
            self.close()
            raise

    def _call(self, op, **args):
        self.process.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            self.log.seek(0)
            raise RuntimeError("puppeteer's Node process ended: " + self.log.read().decode(errors="replace")[-3000:])
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"Firefox ({op}): {reply['error']}")
        return reply["ok"]

    def goto(self, url):
        self._call("goto", url=url)

    def reload(self):
        self._call("reload")

    def js(self, expr):
        return self._call("evaluate", expr=expr)

    def wait(self, expr, timeout):
        self._call("waitFor", expr=expr, timeout=timeout * 1000)

    def click(self, selector):
        self._call("click", selector=selector)

    def screenshot(self, path, width, height):
        self._call("screenshot", path=path, width=width, height=height)

    def problems(self):
        seen = self._call("watch")
        foreign = [u for u in seen["requests"] if not u.startswith(("data:", "blob:"))
                   and urllib.parse.urlsplit(u).hostname != "127.0.0.1"]
        return {"foreign": foreign, "errors": seen["pageErrors"], "console_errors": seen["consoleErrors"]}

    def close(self):
        try:
            if self.process.poll() is None:
                self._call("close")
                self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.log.close()
            self.proxy.close()


class WebKit:
    name = "webkit"
    COMMAND_S = 60  # the longest command (a navigation, under load) takes ~20 s
    TRIES = 2  # WebKitWebDriver now and then never answers a new session: a second one starts
    SESSION_S = 20  # a new session takes 0.5-3 s; one not started by then is given up (its driver stopped)

    def __init__(self):
        self.proxy = RefusingProxy()
        self.xvfb = Xvfb()
        self.log = tempfile.TemporaryFile()  # WebKitWebDriver's and MiniBrowser's output
        for attempt in range(self.TRIES):
            try:
                self.driver = self._start()
                break
            except Exception as e:
                self.service.stop()
                if attempt == self.TRIES - 1:
                    self.xvfb.close()
                    self.proxy.close()
                    self.log.seek(0)
                    raise RuntimeError(f"WebKit did not start ({e}); its output: "
                                       + self.log.read().decode(errors="replace")[-3000:]) from e
        self.driver.set_window_size(VIEWPORT["width"], VIEWPORT["height"])
        self.driver.set_script_timeout(self.COMMAND_S)
        self.version = self.driver.capabilities.get("browserVersion")
        self.errors, self.console_errors = [], []

    def _start(self):
        from selenium import webdriver
        from selenium.webdriver.remote.client_config import ClientConfig
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service
        options = Options()
        options.binary_location = browsers.minibrowser()
        options.add_argument("--automation")
        options.set_capability("proxy", {"proxyType": "manual", "httpProxy": self.proxy.address,
                                         "sslProxy": self.proxy.address, "noProxy": ["127.0.0.1"]})
        # navigation returns once the document is parsed, long before Ready: the probe goes in then.
        # ("none", then asking for the new document while it loaded, hung WebKitWebDriver at times.)
        options.page_load_strategy = "eager"
        self.service = Service(executable_path=browsers.WEBKIT_DRIVER, log_output=self.log,
                               env=dict(os.environ, DISPLAY=self.xvfb.display))
        self.service.start()
        # a command the driver never answers fails after COMMAND_S instead of hanging the run
        config = ClientConfig(remote_server_addr=self.service.service_url, timeout=self.COMMAND_S)
        # a session that hangs would hold the run for COMMAND_S: its driver is stopped sooner, which
        # fails the request, and __init__ tries once more (it cost a clean run 60 s)
        watchdog = threading.Timer(self.SESSION_S, self.service.stop)
        watchdog.start()
        try:
            return webdriver.Remote(command_executor=self.service.service_url, options=options, client_config=config)
        finally:
            watchdog.cancel()

    def _collect(self):
        """The probe's findings in the document about to be left."""
        found = self.driver.execute_script("return window.__smoke ? [__smoke.errors, __smoke.consoleErrors] : null")
        if found:
            self.errors += found[0]
            self.console_errors += found[1]

    def _probe(self):
        if not self.driver.execute_script("return Boolean(window.__smoke)"):
            self.driver.execute_script(PROBE)

    def goto(self, url):
        self._collect()
        self.driver.get(url)  # returns once the new document is parsed (page_load_strategy "eager")
        self._probe()

    def reload(self):
        # A new visit to the same address, as goto makes one: after WebKitWebDriver's own refresh,
        # the probe's script went unanswered at times (60 s, then the test failed).
        url = self.driver.current_url
        self._collect()
        self.driver.get("about:blank")
        self.driver.get(url)
        self._probe()

    def js(self, expr):
        return self.driver.execute_script("return (%s)" % expr)  # WebDriver awaits a returned promise

    def wait(self, expr, timeout):
        end = time.monotonic() + timeout
        while not self.js(expr):
            if time.monotonic() > end:
                raise TimeoutError(f"WebKit: waited {timeout} s for {expr}")
            time.sleep(0.05)

    def click(self, selector):
        from selenium.webdriver.common.by import By
        element = self.driver.find_element(By.CSS_SELECTOR, selector)
        # WebKitWebDriver scrolls it just into view, where the page's sticky header can cover it
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def screenshot(self, path, width, height):
        # the window's size: MiniBrowser's toolbar takes some of its height, none of its width
        self.driver.set_window_size(width, height)
        time.sleep(0.5)
        self.driver.save_screenshot(path)

    def problems(self):
        self._collect()
        self.driver.execute_script("if (window.__smoke) { __smoke.errors = []; __smoke.consoleErrors = []; }")
        return {"foreign": [r for r in self.proxy.seen], "errors": list(self.errors),
                "console_errors": list(self.console_errors)}

    def close(self):
        try:
            self.driver.quit()
        finally:
            self.service.stop()
            self.xvfb.close()
            self.proxy.close()
            self.log.close()
