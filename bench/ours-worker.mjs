// Loads the very runtime the app ships (app/pyodide), NumPy, and the repository's models/ and
// data/ code, then runs models.bench.run_once on the real 2600 normal beats, exactly as the app's
// engine would: in the fastest kernels (models/kernels: "wasm", models/fastmath's, when they load).
import { loadPyodide } from "./app/pyodide/pyodide.mjs";

self.onmessage = async (e) => {
  try {
    const py = await loadPyodide({ indexURL: new URL("./app/pyodide/", import.meta.url).href });
    await py.loadPackage("numpy");
    const files = await (await fetch("./py/files.json")).json();
    for (const f of files) {
      py.FS.mkdirTree("/bench/" + f.split("/")[0]);
      py.FS.writeFile("/bench/" + f, new Uint8Array(await (await fetch("./py/" + f)).arrayBuffer()));
    }
    py.globals.set("blob", new Uint8Array(await (await fetch("./app/data/ecg5000.bin")).arrayBuffer()));
    py.globals.set("runs", e.data.runs);
    const times = py.runPython(`
import sys
sys.path.insert(0, "/bench")
from data import pack
from models import bench, kernels
kernels.use("fastest")
ds = pack.from_bytes(blob.to_py())
[bench.run_once(ds, seed) for seed in range(runs)]
`).toJs();
    // which kernels ran ("wasm": models/fastmath's SIMD kernels; "einsum": they did not load)
    self.postMessage({ times: Array.from(times), kernels: py.runPython("kernels.KIND") });
  } catch (err) {
    self.postMessage({ error: String(err) });
  }
};
