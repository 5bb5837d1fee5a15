// Boots Python once more, only to take a memory snapshot of it with NumPy and the engine's modules
// imported, for the engine worker's next start (static/engine-worker.mjs, pyodide-fast-paths.mjs).
// The engine worker sends what it checked the fast paths against (engine.json, pyodide-lock.json),
// NumPy's wheel, its compiled start-up libraries and the engine's files:
// {built, lock, wheel, libraries: [[name, module]], engine: engine.zip}.
import { loadPyodide, version } from "./pyodide/pyodide.mjs";
import { storedZipEntries, writeTree } from "./numpy-wheel.mjs";
import { fastPaths } from "./pyodide-fast-paths.mjs";

self.onmessage = async ({ data: { built, lock, wheel, libraries, engine } }) => {
  try {
    const paths = fastPaths({ built, version, lock });
    if (!paths) throw new Error("the fast paths do not fit this Pyodide");
    // Not the SIMD kernels (app.engine.preload says why): the engine loads them once restored.
    const { "models/fastmath.wasm": _, ...files } = storedZipEntries(engine, "engine.zip");
    const { snapshot, layout } = await paths.makeSnapshot({
      loadPyodide, indexURL: new URL("./pyodide/", import.meta.url).href, wheel, libraries,
      prepare: (py) => writeTree(py, "/home/pyodide", files),
      then: "import sys\nsys.path.insert(0, '/home/pyodide')\nimport app.engine\napp.engine.preload()",
    });
    self.postMessage({ snapshot, layout }, [snapshot.buffer]);
  } catch (e) {
    self.postMessage({ error: String(e && e.message || e) });
  }
};
