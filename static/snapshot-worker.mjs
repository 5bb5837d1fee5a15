// Boots Python once more, only to take a memory snapshot of the fresh interpreter for the engine
// worker's next start (static/engine-worker.mjs). Pyodide 0.27 cannot snapshot loaded extension
// modules, so this snapshot holds no NumPy: it saves the interpreter's own start-up.
import { loadPyodide } from "./pyodide/pyodide.mjs";

try {
  const py = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href, _makeSnapshot: true });
  const snapshot = py.makeMemorySnapshot();
  self.postMessage({ snapshot }, [snapshot.buffer]);
} catch (e) {
  self.postMessage({ error: String(e && e.message || e) });
}
