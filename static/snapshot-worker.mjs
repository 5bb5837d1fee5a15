// Boots Python once more, only to take a memory snapshot of it with NumPy and the engine's modules
// imported, for the engine worker's next start (static/engine-worker.mjs, python-snapshot.mjs).
// The engine worker sends NumPy's wheel, its compiled start-up libraries and the engine's files:
// {wheel, libraries: [[name, module]], engine: engine.zip}.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { storedZipEntries, writeTree } from "./numpy-wheel.mjs";
import { snapshotWithNumpy } from "./python-snapshot.mjs";

self.onmessage = async ({ data: { wheel, libraries, engine } }) => {
  try {
    const py = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href, _makeSnapshot: true });
    const site = py.runPython("import site; site.getsitepackages()[0]");
    writeTree(py, site, storedZipEntries(wheel, "the NumPy wheel"));
    // Not the SIMD kernels (app.engine.preload says why): the engine loads them once restored.
    const { "models/fastmath.wasm": _, ...files } = storedZipEntries(engine, "engine.zip");
    writeTree(py, "/home/pyodide", files);
    const { snapshot, layout } = snapshotWithNumpy(py, site, libraries,
      "import sys\nsys.path.insert(0, '/home/pyodide')\nimport app.engine\napp.engine.preload()");
    self.postMessage({ snapshot, layout }, [snapshot.buffer]);
  } catch (e) {
    self.postMessage({ error: String(e && e.message || e) });
  }
};
