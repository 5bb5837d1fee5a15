// The engine worker: boots Pyodide, starts loading NumPy at once (the UI's load_numpy then only
// waits for it), writes the engine's Python files (listed by the build in engine.json) and runs
// app/engine.py. Messages {id, name, args} call that module's functions; replies carry their text.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const root = new URL("./", import.meta.url);
const text = async (path) => {
  const r = await fetch(new URL(path, root));
  if (!r.ok) throw new Error("could not download " + path + " (HTTP " + r.status + ")");
  return new Uint8Array(await r.arrayBuffer());
};

const ready = (async () => {
  const py = await loadPyodide({ indexURL: new URL("pyodide/", root).href });
  // NumPy starts loading now, alongside the file downloads; load_numpy awaits this same promise.
  py.globals.set("numpy_loading", py.loadPackage("numpy"));
  const { files } = JSON.parse(new TextDecoder().decode(await text("engine.json")));
  const sources = await Promise.all(Object.keys(files).map(text));
  Object.values(files).forEach((dest, i) => {
    const path = "/home/pyodide/" + dest.replace(/^\.\//, "");
    py.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    py.FS.writeFile(path, sources[i]);
  });
  py.runPython("import sys\nif '/home/pyodide' not in sys.path: sys.path.insert(0, '/home/pyodide')");
  await py.runPythonAsync(new TextDecoder().decode(await text("app/engine.py")));
  return py;
})();

ready.then(() => self.postMessage({ started: true }),
           (e) => self.postMessage({ started: false, error: String(e && e.message || e) }));

self.onmessage = async ({ data: { id, name, args } }) => {
  try {
    const py = await ready;
    const fn = py.globals.get(name);
    if (typeof fn !== "function") throw new Error("the engine has no command " + name);
    let value = fn(...args);
    if (value && typeof value.then === "function") value = await value;
    fn.destroy();
    self.postMessage({ id, ok: true, value });
  } catch (e) {
    self.postMessage({ id, ok: false, error: String(e && e.message || e) });
  }
};
