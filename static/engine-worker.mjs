// The engine worker: boots Pyodide, unpacks the engine's Python (engine.zip: app/engine.py, the
// models and data packages with their bytecode) and runs app/engine.py. Messages {id, name, args}
// call that module's functions; replies carry their text.
//
// The page creates this worker once it is built, or at once on a visit that restores a snapshot
// (static/engine.js says why). Start-up then runs here on its own: the NumPy wheel, then the
// heartbeats and the pretrained model, download while Python boots, and the start-up commands the
// page will send (load_numpy, load_data, load_pretrained) run as soon as the engine can run them;
// the page's first call of each gets that early reply, a retry runs afresh.
import { loadPyodide } from "./pyodide/pyodide.mjs";

// Start-up milestones (epoch ms), sent to the page as they happen: the benchmark reports them.
const mark = (what) => self.postMessage({ mark: [what, performance.timeOrigin + performance.now()] });
mark("worker running");

const root = new URL("./", import.meta.url);
const url = (path) => new URL(path, root).href;
const STARTUP = [["load_numpy"], ["load_data", url("data/ecg5000.bin")],
                 ["load_pretrained", url("pretrained/model.json")]];

// Early downloads: fetch() (Pyodide's loadPackage and pyodide.http.pyfetch use it) hands each
// one out once, then fetches normally.
const nativeFetch = self.fetch.bind(self);
const early = new Map();
const prefetch = (href, init) => early.set(href, nativeFetch(href, init));
self.fetch = (input, init) => {
  const href = typeof input === "string" ? url(input) : input instanceof URL ? input.href : input.url;
  const hit = early.get(href);
  early.delete(href);
  return hit || nativeFetch(input, init);
};

const bytes = async (path, init) => {
  const r = await fetch(url(path), init);
  if (!r.ok) throw new Error("could not download " + path + " (HTTP " + r.status + ")");
  return new Uint8Array(await r.arrayBuffer());
};

const bundle = bytes("engine.zip");
const listing = bytes("engine.json").then((b) => JSON.parse(new TextDecoder().decode(b)));

// Files of a zip whose entries are stored (not deflated), as {name: bytes}.
const storedZipEntries = (zip, what) => {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < 0) throw new Error(what + " is not a zip file");
  const out = {}, names = new TextDecoder();
  for (let i = 0, p = view.getUint32(end + 16, true); i < view.getUint16(end + 10, true); i++) {
    const nameLength = view.getUint16(p + 28, true), size = view.getUint32(p + 20, true);
    const name = names.decode(zip.subarray(p + 46, p + 46 + nameLength));
    if (view.getUint16(p + 10, true) !== 0) throw new Error(what + " is compressed: " + name);
    const local = view.getUint32(p + 42, true);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (!name.endsWith("/")) out[name] = zip.subarray(start, start + size);
    p += 46 + nameLength + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  }
  return out;
};

// Writes {name: bytes} under folder. Each folder is made once: FS.mkdirTree per file threw (and
// caught) an error for every existing folder on the way, which was most of unpacking NumPy.
const writeTree = (py, folder, files) => {
  const made = new Set();
  const makeFolder = (path) => {
    if (made.has(path)) return;
    const parent = path.slice(0, path.lastIndexOf("/"));
    if (parent) makeFolder(parent);
    if (!py.FS.analyzePath(path).exists) py.FS.mkdir(path);
    made.add(path);
  };
  for (const [name, data] of Object.entries(files)) {
    const path = folder + "/" + name.replace(/^\.\//, "");
    makeFolder(path.slice(0, path.lastIndexOf("/")));
    py.FS.writeFile(path, data);
  }
};

// The extension modules start-up imports (import numpy, numpy.random): they are compiled while
// Python boots, off this thread, and linked right after NumPy is unpacked. Imported lazily, each
// was compiled on this thread at its import (~0.1 s in all) and checked for undefined symbols.
// One missing from this list still loads, lazily; a test checks that none is missing.
const STARTUP_LIBRARIES = [
  "_core/_multiarray_umath", "_core/_multiarray_tests", "linalg/_umath_linalg",
  ...["bit_generator", "_common", "mtrand", "_bounded_integers", "_mt19937", "_philox", "_pcg64",
      "_sfc64", "_generator"].map((name) => "random/" + name),
];

// NumPy's wheel as {path: bytes}, and its start-up libraries as [path, compiling module]; it starts
// as soon as the worker does, and starts again after a failure.
let numpyDownload = null;
const downloadNumpy = () => numpyDownload || (numpyDownload = (async () => {
  const { numpy } = await listing;
  // With the integrity (the lock's sha256) Pyodide would ask for, so the browser checks it.
  const wheel = await bytes("pyodide/" + numpy.file_name, { integrity: numpy.integrity });
  const files = storedZipEntries(wheel, "the NumPy wheel");
  const libraries = Object.keys(files).filter((name) =>
    STARTUP_LIBRARIES.some((lib) => name.startsWith("numpy/" + lib + ".") && name.endsWith(".so")));
  return { files, compiling: libraries.map((name) => [name, WebAssembly.compile(files[name])]) };
})());
downloadNumpy().then(({ compiling }) => compiling.forEach(([, c]) => c.catch(() => {})), () => {})
  // The heartbeats and the model are needed after NumPy: they wait, not to slow its download.
  .finally(() => STARTUP.slice(1).forEach(([, href]) => prefetch(href)));

// Links a compiled extension module the way Pyodide's package loader does, so CPython's import
// finds it loaded.
const linkLibrary = async (py, path, module) => {
  const M = py._module, flags = { loadAsync: true, nodelete: true, allowUndefined: true, global: false };
  if (M.LDSO.loadedLibsByName[path]) return;
  M.preloadedWasm[path] = await M.loadWebAssemblyModule(module, flags, path, {});
  await M.loadDynamicLibrary(path, flags, {});
  delete M.preloadedWasm[path];
};
const linkedAhead = [];

const installNumpy = async (py) => {
  try {
    const { files, compiling } = await downloadNumpy();
    const site = py.runPython("import site; site.getsitepackages()[0]");
    writeTree(py, site, files);
    py.runPython("import importlib; importlib.invalidate_caches()");
    py.loadedPackages.numpy = "default channel";  // so a later loadPackage (baselines) skips it
    mark("NumPy unpacked");
    for (const [name, module] of compiling) {
      await linkLibrary(py, site + "/" + name, await module);
      linkedAhead.push(site + "/" + name);
    }
    mark("NumPy linked");
  } catch (e) {
    numpyDownload = null;  // a retry downloads it again
    throw e;
  }
};

// For tests: the extension modules loaded, and those linked ahead of their import.
self.engineLibraries = async () => ({
  loaded: Object.keys((await ready).py._module.LDSO.loadedLibsByName).filter((n) => n.endsWith(".so")),
  linkedAhead,
});

// Warm visits restore Python from a memory snapshot of a booted interpreter (Pyodide's
// _loadSnapshot): booting runs ~300 module imports, a restore copies 21 MB. The snapshot is made
// once per build, in a worker of its own (snapshot-worker.mjs) after the engine is ready, and kept
// in Cache Storage under a key naming the exact runtime files (engine.json "runtime"). It is kept
// as it is, 21 MB: reading it back takes ~45 ms, gunzipping a 4 MB copy took ~150 ms.
const SNAPSHOTS = "python-snapshots";  // not "anomaly-explorer-*": the service worker owns those
const snapshotURL = listing.then(({ runtime }) => url("python-snapshot-" + runtime));
const sha256 = async (bytes) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
// Only a snapshot whose bytes are exactly those saved is used: Pyodide hangs on a damaged one.
const savedSnapshot = async () => {
  if (!self.caches) return null;
  const cache = await caches.open(SNAPSHOTS);
  const hit = await cache.match(await snapshotURL);
  if (!hit) return null;
  const snapshot = new Uint8Array(await hit.arrayBuffer());
  if (await sha256(snapshot) === hit.headers.get("X-Snapshot-SHA256")) return snapshot;
  await cache.delete(await snapshotURL);
  return null;
};

const boot = async () => {
  const indexURL = url("pyodide/");
  const snapshot = await savedSnapshot().catch(() => null);
  if (snapshot) {
    mark("snapshot restored");
    try {
      return await loadPyodide({ indexURL, _loadSnapshot: snapshot });
    } catch (e) {  // a snapshot that does not restore is dropped; boot the long way
      console.warn("Python snapshot not usable, booting without it:", e);
      await (await caches.open(SNAPSHOTS)).delete(await snapshotURL);
    }
  }
  mark("no snapshot");
  const py = await loadPyodide({ indexURL });
  py.snapshotNeeded = true;
  return py;
};

const ready = (async () => {
  const py = await boot();
  mark("Python booted");
  // NumPy starts installing now, alongside the file downloads. load_numpy calls install_numpy,
  // which returns this same install, or a fresh one after a failure (a retry downloads again).
  let install = null;
  const installOnce = () => install || (install = installNumpy(py).catch((e) => { install = null; throw e; }));
  installOnce().catch(() => {});
  writeTree(py, "/home/pyodide", storedZipEntries(await bundle, "engine.zip"));
  py.runPython("import sys\nif '/home/pyodide' not in sys.path: sys.path.insert(0, '/home/pyodide')");
  // Imported, so from its bytecode: compiling its source took ~0.1 s on a warm visit.
  const engine = py.pyimport("app.engine");
  engine.install_numpy = installOnce;
  mark("engine code loaded");
  return { py, commands: engine.__dict__ };
})();

const run = async (name, args) => {
  const { commands } = await ready;
  const fn = commands.get(name);
  if (typeof fn !== "function") throw new Error("the engine has no command " + name);
  try {
    return await fn(...args);
  } finally {
    fn.destroy();
  }
};

// The start-up commands, one after another, each reply kept for the page's first identical call.
const key = (name, args) => name + " " + JSON.stringify(args);
const startup = new Map();
STARTUP.reduce((previous, [name, ...args]) => {
  const reply = previous.then(() => run(name, args)).finally(() => mark(name + " done"));
  startup.set(key(name, args), reply);
  return reply.catch(() => {});
}, ready.catch(() => {}));

// After start-up, a worker of its own makes the snapshot the next visit restores.
Promise.all([ready, ...startup.values()]).then(async ([{ py }]) => {
  if (!py.snapshotNeeded || !self.caches || typeof Worker === "undefined") return;
  await new Promise((resolve) => setTimeout(resolve, 1000));  // not during the first clicks
  const maker = new Worker(url("snapshot-worker.mjs"), { type: "module" });
  maker.onmessage = async ({ data }) => {
    maker.terminate();
    if (data.snapshot) {
      const headers = { "X-Snapshot-SHA256": await sha256(data.snapshot) };
      const cache = await caches.open(SNAPSHOTS);
      for (const old of await cache.keys()) await cache.delete(old);
      await cache.put(await snapshotURL, new Response(data.snapshot, { headers }));
      mark("snapshot saved");
    }
  };
}, () => {});

ready.then(() => self.postMessage({ started: true }),
           (e) => self.postMessage({ started: false, error: String(e && e.message || e) }));

// An early reply is used once; after a failed one, the page retries and everything runs afresh.
const failed = (value) => { try { return "error" in JSON.parse(value); } catch { return true; } };

// Commands run one after another, in the order sent: the page sends its whole start-up at once
// (load_numpy, load_data, load_pretrained, then configure and snapshot for your model), and each
// runs the moment the one before is done, with no round trip through the page in between.
let queue = Promise.resolve();
self.onmessage = ({ data: { id, name, args } }) => {
  const k = key(name, args);
  const kept = startup.get(k);
  startup.delete(k);
  const reply = queue.then(() => kept || run(name, args));
  queue = reply.catch(() => {});
  reply.then((value) => {
    if (kept && failed(value)) startup.clear();
    self.postMessage({ id, ok: true, value });
  }, (e) => {
    if (kept) startup.clear();
    self.postMessage({ id, ok: false, error: String(e && e.message || e) });
  });
};
