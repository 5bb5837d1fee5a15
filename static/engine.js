// The engine (Pyodide + NumPy in a web worker). window.startEngine() starts it and resolves to an
// object whose methods are the engine's commands, for Python on the UI thread:
//     engine = await window.startEngine();  reply = await engine.train_epoch()   (JSON text)
// A plain module worker, not PyScript's: measured, PyScript created its worker ~0.9 s into the
// page and spent ~1 s of its own before Pyodide started loading. The UI starts it once the page
// is built (static/engine-worker.mjs says why not sooner).
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
  // Start-up milestones from the worker, in ms since this page started (the benchmark reads them).
  window.engineMarks = [];
  const onmessage = ({ data }) => {
    if ("mark" in data) {
      window.engineMarks.push([data.mark[0], Math.round(data.mark[1] - performance.timeOrigin)]);
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
      worker = new Worker("engine-worker.mjs", { type: "module" });
      worker.onmessage = onmessage;
      worker.onerror = (e) => failAll(e.message || "the engine worker could not start");
    }
    return window.engineReady;
  };
})();
