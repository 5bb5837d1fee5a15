// The engine (Pyodide + NumPy in a web worker). window.startEngine() starts it and resolves to an
// object whose methods are the engine's commands, for Python on the UI thread:
//     engine = await window.startEngine();  reply = await engine.train_epoch()   (JSON text)
// A plain module worker, not PyScript's: measured, PyScript created its worker ~0.9 s into the
// page and spent ~1 s of its own before Pyodide started loading.
// When it starts: on a first visit, once the page is built (the UI calls startEngine), because
// booting Python alongside the page's own start-up tripled the page's tasks on two cores
// (Lighthouse TBT 100 -> 650 ms). On a repeat visit whose engine restores Python from a snapshot
// (static/engine-worker.mjs), at once, from here: every file comes from the cache and a restore is
// short, so the engine is ready about 0.5 s sooner while the page is built ~0.2 s later and its
// longest task grows from ~75 to ~120 ms (docs/bench.md has the figures).
(() => {
  let worker = null;
  const waiting = new Map();
  let next = 0;
  let started, failed;
  window.engineReady = new Promise((resolve, reject) => { started = resolve; failed = reject; });
  const engine = new Proxy({}, {
    has: (_, name) => typeof name === "string",
    get: (_, name) => (typeof name !== "string" || name === "then") ? undefined : (...args) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, name, args });
      }),
  });
  const failAll = (message) => {
    failed(new Error(message));
    for (const w of waiting.values()) w.reject(new Error(message));
    waiting.clear();
  };
  // Start-up milestones, in ms since this page started (the benchmark and tests read them).
  window.engineMarks = [];
  const mark = (what, epochMs) => window.engineMarks.push([what, Math.round(epochMs - performance.timeOrigin)]);
  // Whether the engine restores Python from a snapshot: then the next visit starts it at once.
  const RESTORES = "anomaly-explorer-engine-restores";
  const remember = (restores) => {
    try { restores ? localStorage.setItem(RESTORES, "1") : localStorage.removeItem(RESTORES); } catch { /* no storage */ }
  };
  const onmessage = ({ data }) => {
    if ("mark" in data) {
      mark(...data.mark);
      if (data.mark[0] === "snapshot saved" || data.mark[0] === "snapshot restored") remember(true);
      if (data.mark[0] === "no snapshot") remember(false);
      return;
    }
    if ("started" in data) {
      if (data.started) started(engine); else failAll(data.error);
      return;
    }
    const w = waiting.get(data.id);
    waiting.delete(data.id);
    if (data.ok) w.resolve(data.value); else w.reject(new Error(data.error));
  };
  window.startEngine = () => {
    if (!worker) {
      mark("worker created", performance.timeOrigin + performance.now());
      worker = new Worker("engine-worker.mjs", { type: "module" });
      worker.onmessage = onmessage;
      worker.onerror = (e) => failAll(e.message || "the engine worker could not start");
    }
    return window.engineReady;
  };
  let restores = false;
  try { restores = localStorage.getItem(RESTORES) === "1"; } catch { /* no storage */ }
  if (restores) window.startEngine();
})();
