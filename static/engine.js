// The engine (Pyodide + NumPy in a web worker). window.startEngine(timeouts) starts it and resolves
// to an object whose methods are the engine's commands (app/protocol.py), for Python on the UI thread:
//     engine = await window.startEngine(timeouts);  reply = await engine.train_epoch()   (JSON text)
// A plain module worker, not PyScript's: measured, PyScript created its worker ~0.9 s into the
// page and spent ~1 s of its own before Pyodide started loading.
// When it starts: on a first visit, once the page is built (the UI calls startEngine), because
// booting Python alongside the page's own start-up tripled the page's tasks on two cores
// (Lighthouse TBT 100 -> 650 ms). On a repeat visit whose engine restores Python from a snapshot
// (static/engine-worker.mjs), at once, from here: every file comes from the cache and a restore is
// short, so the engine is ready about 0.5 s sooner while the page is built ~0.2 s later and its
// longest task grows from ~75 to ~120 ms (docs/bench.md has the figures).
//
// Every call settles, and never by rejecting: the page's MicroPython never resumes from awaiting a
// promise that rejects (it raises nothing; the page would wait for good). A call resolves to its
// reply text, or to an error reply {"error": ..., "engine": "dead"} when the engine cannot answer:
// its worker could not start, threw past the engine's own error replies (a fatal Python error:
// out of memory, a stack overflow), fired an error event, ended (it holds a Web Lock for as long as
// it lives, which the page then gets), or did not finish a command within its time-out (counted
// from when the worker starts it, not while it waits behind others). The engine
// is then dead: every call answers at once with the reason, window.engineProblem() says it, and
// the next startEngine() starts a fresh worker.
(() => {
  let worker = null;   // the live worker, or null
  let problem = "";    // why the engine is dead ("" while it lives or has not started)
  let ready = null;    // resolves once the current worker has started, or died
  let timeouts = {};   // command -> seconds (app/protocol.py)
  const waiting = new Map();  // call id -> {resolve, timer}
  let next = 0;
  const errorReply = (message) => JSON.stringify({ error: message, engine: "dead" });

  const die = (why) => {
    if (!worker) return;
    problem = why;
    const dead = worker;
    worker = null;
    dead.terminate();
    for (const { resolve, timer } of waiting.values()) {
      clearTimeout(timer);
      resolve(errorReply(why));
    }
    waiting.clear();
    window.dispatchEvent(new CustomEvent("enginedied", { detail: why }));
  };

  const engine = new Proxy({}, {
    has: (_, name) => typeof name === "string",
    get: (_, name) => (typeof name !== "string" || name === "then") ? undefined : (...args) =>
      new Promise((resolve) => {
        if (!worker) return resolve(errorReply(problem || "the engine is not running"));
        const id = next++;
        waiting.set(id, { resolve, name, timer: null });
        worker.postMessage({ id, name, args });
      }),
  });

  // Start-up milestones, in ms since this page started (the benchmark and tests read them).
  window.engineMarks = [];
  const mark = (what, epochMs) => window.engineMarks.push([what, Math.round(epochMs - performance.timeOrigin)]);
  // Whether the engine restores Python from a snapshot: then the next visit starts it at once.
  const RESTORES = "anomaly-explorer-engine-restores";
  const remember = (restores) => {
    try { restores ? localStorage.setItem(RESTORES, "1") : localStorage.removeItem(RESTORES); } catch { /* no storage */ }
  };

  const start = () => {
    problem = "";
    mark("worker created", performance.timeOrigin + performance.now());
    const lock = "anomaly-explorer-engine-" + Math.random().toString(36).slice(2);
    const own = new Worker("engine-worker.mjs", { type: "module", name: lock });
    worker = own;
    let started;
    ready = new Promise((resolve) => { started = resolve; });
    window.addEventListener("enginedied", () => started(), { once: true });
    // A worker ended before it took its lock (it was still loading its modules) is noticed here.
    const loading = setTimeout(() => { if (own === worker) die("its worker did not start within 30 s"); }, 30_000);
    own.onmessage = ({ data }) => {
      if (own !== worker) return;
      if ("mark" in data) {
        mark(...data.mark);
        if (data.mark[0] === "snapshot saved" || data.mark[0] === "snapshot restored") remember(true);
        if (data.mark[0] === "no snapshot") remember(false);
        return;
      }
      if ("progress" in data) {  // "batch/batches" of the epoch in flight
        window.dispatchEvent(new CustomEvent("engineprogress", { detail: data.progress }));
        return;
      }
      if ("alive" in data) {  // the worker holds its lock: the page gets it when the worker ends
        clearTimeout(loading);
        navigator.locks?.request(lock, () => { if (own === worker) die("its worker stopped"); });
        return;
      }
      if ("started" in data) {
        if (data.started) started(); else die(data.error);
        return;
      }
      const w = waiting.get(data.id);
      if (!w) return;
      if ("running" in data) {  // its time-out counts from here, not from the queue
        const seconds = (timeouts[w.name] || 60) * (window.engineTimeoutScale || 1);  // tests shorten them
        w.timer = setTimeout(() => die(`it did not finish ${w.name} within ${seconds} s`), seconds * 1000);
        return;
      }
      waiting.delete(data.id);
      clearTimeout(w.timer);
      if (data.ok) return w.resolve(data.value);
      const why = "it failed running a command: " + data.error;  // past the engine's own error replies
      w.resolve(errorReply(why));
      die(why);
    };
    own.onerror = (e) => {
      e.preventDefault();
      if (own === worker) die("its worker failed: " + (e.message || "it could not be loaded"));
    };
    own.onmessageerror = () => { if (own === worker) die("a message from its worker could not be read"); };
  };

  // The engine, once its worker has started (or died: then every call answers with the reason).
  window.startEngine = async (commandTimeouts) => {
    if (commandTimeouts) timeouts = JSON.parse(commandTimeouts);
    if (!worker) start();
    await ready;
    return engine;
  };
  window.engineProblem = () => problem;
  // For tests that end the engine the hard ways a browser can: the worker itself, by reference.
  window.engineWorker = () => worker;

  // A host that serves .mjs files as another type than JavaScript (nginx's stock mime.types has no
  // .mjs) stops the page before its Python runs: browsers refuse such module scripts, and the page
  // would say "Loading the engine…" for good. Their preload links (builder/dist.py add_preloads)
  // fail first, with an error event, and the module scripts after them (a preload listed above this
  // script fails before this listener exists); the page then says why.
  window.addEventListener("error", async ({ target }) => {
    const preload = target instanceof HTMLLinkElement && target.rel === "modulepreload";
    const module = target instanceof HTMLScriptElement && target.type === "module";
    if (!preload && !module) return;
    let type;
    try {
      type = ((await fetch(target.href || target.src, { method: "HEAD" })).headers.get("content-type") || "").split(";")[0];
    } catch {
      return;  // not the host's types: offline, or the file is missing (PyScript reports that)
    }
    if (type.includes("javascript")) return;
    if (document.readyState === "loading") await new Promise((done) => document.addEventListener("DOMContentLoaded", done));
    const status = document.getElementById("engine-status");
    status.textContent = "The page cannot start: the site's host serves " + new URL(target.href || target.src).pathname +
      " as " + (type || "no type") + ", and browsers run a module only when it comes as JavaScript: the host " +
      "needs text/javascript for .mjs files.";
    status.className = "error";
  }, true);

  let restores = false;
  try { restores = localStorage.getItem(RESTORES) === "1"; } catch { /* no storage */ }
  if (restores) start();
})();
