// Firefox ESR for the cross-browser tests (tests/browser/engines.py): npm puppeteer-core drives it
// over WebDriver BiDi. One JSON command per line on stdin, one JSON reply per line on stdout:
// {"op": "launch", "executablePath", "proxy": "127.0.0.1:PORT", "probe": JS run in every new document}
// {"op": "goto", "url"} {"op": "reload"} {"op": "evaluate", "expr"} {"op": "waitFor", "expr", "timeout"}
// {"op": "click", "selector"} {"op": "watch"} {"op": "close"}
// Replies are {"ok": value} or {"error": message}. The page's requests (its workers' included),
// console errors and uncaught errors are recorded from puppeteer's events and returned by "watch".
import readline from "node:readline";
import puppeteer from "puppeteer-core";

let browser = null, page = null;
const seen = { requests: [], consoleErrors: [], pageErrors: [] };

const ops = {
  async launch({ executablePath, proxy, probe }) {
    const [host, port] = proxy.split(":");
    browser = await puppeteer.launch({
      browser: "firefox", protocol: "webDriverBiDi", executablePath, headless: true,
      // Every request Firefox makes beyond loopback (the page's, or its own background ones) goes
      // to the tests' refusing proxy: the network stays unused. Loopback is never proxied.
      extraPrefsFirefox: {
        "network.proxy.type": 1, "network.proxy.http": host, "network.proxy.http_port": Number(port),
        "network.proxy.ssl": host, "network.proxy.ssl_port": Number(port),
      },
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on("request", (r) => seen.requests.push(r.url()));
    page.on("console", (m) => m.type() === "error" && seen.consoleErrors.push(m.text()));
    page.on("pageerror", (e) => seen.pageErrors.push(String(e)));
    await page.evaluateOnNewDocument(probe);
    return browser.version();
  },
  goto: ({ url }) => page.goto(url).then(() => null),
  reload: () => page.reload().then(() => null),
  evaluate: ({ expr }) => page.evaluate(expr),
  waitFor: ({ expr, timeout }) => page.waitForFunction(expr, { timeout, polling: 50 }).then(() => null),
  click: ({ selector }) => page.click(selector).then(() => null),
  async screenshot({ path, width, height }) {
    await page.setViewport({ width, height });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await page.screenshot({ path });
    return null;
  },
  watch: () => seen,
  async close() {
    await browser?.close();
    return null;
  },
};

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  queue = queue.then(async () => {
    const { op, ...args } = JSON.parse(line);
    let reply;
    try {
      const value = await ops[op](args);
      reply = { ok: value === undefined ? null : value };
    } catch (e) {
      reply = { error: String(e?.message || e) };
    }
    process.stdout.write(JSON.stringify(reply) + "\n");
    if (op === "close") process.exit(0);
  });
});
lines.on("close", () => queue.then(() => browser?.close()).finally(() => process.exit(0)));
