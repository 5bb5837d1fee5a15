// Boots Python once more, only to take a memory snapshot of it with NumPy imported, for the engine
// worker's next start (static/engine-worker.mjs, static/python-snapshot.mjs). The engine worker
// sends NumPy's wheel and its compiled start-up libraries: {wheel, libraries: [[name, module]]}.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { storedZipEntries, writeTree } from "./numpy-wheel.mjs";
import { snapshotWithNumpy } from "./python-snapshot.mjs";

self.onmessage = async ({ data: { wheel, libraries } }) => {
  try {
    const py = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href, _makeSnapshot: true });
    const site = py.runPython("import site; site.getsitepackages()[0]");
    writeTree(py, site, storedZipEntries(wheel, "the NumPy wheel"));
    const { snapshot, layout } = snapshotWithNumpy(py, site, libraries);
    self.postMessage({ snapshot, layout }, [snapshot.buffer]);
  } catch (e) {
    self.postMessage({ error: String(e && e.message || e) });
  }
};
