// Starts the engine (Pyodide + NumPy in a web worker) the moment the page is parsed, and gives
// Python on the UI thread an object whose methods are the engine's commands:
//     reply = await window.engine.train_epoch()      (every reply is JSON text)
// A plain module worker, not PyScript's: measured, PyScript created its worker ~0.9 s into the
// page and spent ~1 s of its own before Pyodide started loading (see docs/bench.md).
(() => {
  const worker = new Worker("engine-worker.mjs", { type: "module" });
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
  worker.onmessage = ({ data }) => {
    if ("started" in data) {
      if (data.started) started(engine); else failAll(data.error);
      return;
    }
    const w = waiting.get(data.id);
    waiting.delete(data.id);
    if (data.ok) w.resolve(data.value); else w.reject(new Error(data.error));
  };
  worker.onerror = (e) => failAll(e.message || "the engine worker could not start");
  window.engine = engine;
})();
