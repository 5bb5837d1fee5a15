// The engine worker: boots Pyodide, unpacks the engine's Python (engine.zip: app/engine.py, the
// models and data packages with their bytecode) and runs app/engine.py. Messages {id, name, args}
// call that module's functions; replies carry their text.
//
// The page creates this worker once it is built, or at once on a visit that restores a snapshot
// (static/engine.js says why). Start-up then runs here on its own: the NumPy wheel, then the
// heartbeats and the pretrained model, download while Python boots, and the start-up commands the
// page will send (load_numpy, load_data, load_pretrained) run as soon as the engine can run them;
// the page's first call of each gets that early reply, a retry runs afresh.
// Its fast start-up (NumPy unpacked and linked ahead, the snapshot) relies on Pyodide's internals,
// and runs only on the Pyodide and NumPy wheel it was built for (pyodide-fast-paths.mjs checks);
// on any other, the engine boots the plain way: loadPyodide, then loadPackage("numpy").
import { loadPyodide, version } from "./pyodide/pyodide.mjs";
import { storedZipEntries, writeTree } from "./numpy-wheel.mjs";
import { fastPaths, loadedLibraries } from "./pyodide-fast-paths.mjs";
import { sha256, snapshotStore, snapshotsKept } from "./snapshot-store.mjs";

// Start-up milestones (epoch ms), sent to the page as they happen: the benchmark reports them.
const mark = (what) => self.postMessage({ mark: [what, performance.timeOrigin + performance.now()] });
mark("worker running");
// Snapshots are made in a worker of this worker's and kept in the origin's private file system,
// or in Cache Storage where a browser has no such file system (snapshot-store.mjs). A browser with
// neither boots the long way on every visit, and says why.
const snapshotsOff = !snapshotsKept ? "this browser has neither an origin private file system with sync access handles nor Cache Storage"
  : typeof Worker === "undefined" ? "this browser has no worker inside a worker" : null;
if (snapshotsOff) mark("snapshots off: " + snapshotsOff);
else if (snapshotsKept === "cache") mark("snapshots in Cache Storage: this browser has no origin private file system with sync access handles");
// The page named this worker after a Web Lock: held for as long as the worker lives, the page gets
// it the moment the worker ends, however it ends (static/engine.js).
navigator.locks?.request(self.name, () => {
  self.postMessage({ alive: true });
  return new Promise(() => {});
});

const root = new URL("./", import.meta.url);
const url = (path) => new URL(path, root).href;
const STARTUP = [["load_numpy"], ["load_data", url("data/ecg5000.bin")],
                 ["load_pretrained", url("pretrained/model.json")]];

// Early downloads: fetch() (Pyodide's loadPyodide and loadPackage, and pyodide.http.pyfetch use
// it) hands each one out once, then fetches normally. Each is read in full as it arrives: a body
// left unread until Python asks for it was still arriving then (the worker is busy for ~1 s).
const nativeFetch = self.fetch.bind(self);
const early = new Map();
const prefetch = (href) => {
  const response = nativeFetch(href).then(async (r) =>
    r.ok ? new Response(await r.arrayBuffer(), { status: r.status, statusText: r.statusText, headers: r.headers }) : r);
  response.catch(() => {});  // a failed one fails where it is used
  early.set(href, response);
  return response;
};
// Pyodide hangs, rather than failing, when its WebAssembly does not download, or comes from a host
// that serves it as another type than application/wasm (which the browser refuses to compile as it
// streams): either fails start-up here instead, with the file named (a package's wheel fails where
// it is installed: load_numpy says so).
let failStart;
const startFailed = new Promise((_, reject) => { failStart = reject; });
startFailed.catch(() => {});
const pyodideFiles = url("pyodide/");
const wrongType = (file, r) => {
  const type = (r.headers.get("content-type") || "").split(";")[0].trim();
  return file.endsWith(".wasm") && type !== "application/wasm"
    ? "the site's host serves " + file + " as " + (type || "no type") + ", where Python's WebAssembly must come " +
      "as application/wasm: the host needs that type for .wasm files" : "";
};
self.fetch = (input, init) => {
  const href = typeof input === "string" ? url(input) : input instanceof URL ? input.href : input.url;
  const hit = early.get(href);
  early.delete(href);
  const response = hit || nativeFetch(input, init);
  if (href.startsWith(pyodideFiles) && !href.endsWith(".whl")) {
    const file = href.slice(root.href.length);
    response.then((r) => r.ok ? wrongType(file, r) && failStart(new Error(wrongType(file, r)))
                              : failStart(new Error("could not download " + file + " (HTTP " + r.status + ")")),
                  (e) => failStart(new Error("could not download " + file + " (" + (e && e.message || e) + ")")));
  }
  return response;
};

const bytes = async (path, init) => {
  const r = await fetch(url(path), init);
  if (!r.ok) throw new Error("could not download " + path + " (HTTP " + r.status + ")");
  return new Uint8Array(await r.arrayBuffer());
};

// engine.json and Pyodide's lock first: the fast paths are checked against them (below) before the
// NumPy wheel downloads or a snapshot is restored. Asked for after the others, on a warm visit the
// lock came from the service worker ~0.15 s after engine.json, and held both up by as much.
const listing = bytes("engine.json").then((b) => JSON.parse(new TextDecoder().decode(b)));
// Pyodide asks for its lock and standard library once its script has loaded, the start-up
// commands for the heartbeats and the model once Python runs: asked for now, a first visit is
// ready ~0.15 s sooner (warm: the same). The lock is read here too: a copy, taken before Pyodide
// can read it.
const lock = prefetch(url("pyodide/pyodide-lock.json")).then((r) => r.ok ? r.clone().json() : null);
const bundle = bytes("engine.zip");
for (const path of ["pyodide/python_stdlib.zip", ...STARTUP.slice(1).map(([, href]) => href)]) {
  prefetch(url(path));
}
// The fast paths, or null if they do not fit this Pyodide and NumPy wheel (it says why).
const fast = Promise.all([listing, lock]).then(([built, listed]) => fastPaths({ built, version, lock: listed, mark }));
fast.catch(() => {});  // a failed download fails where it is used

// With the fast paths: NumPy's wheel (its bytes, and its files as {path: bytes}) and its start-up
// libraries as [[path, compiling module]]; it starts as soon as the check has passed. A failed
// download is forgotten when it fails: the next call (a retry) downloads again.
let numpyDownload = null;
const downloadNumpy = () => numpyDownload || (numpyDownload = (async () => {
  const paths = await fast;
  const wheel = await bytes("pyodide/" + paths.numpyWheel.fileName, { integrity: paths.numpyWheel.integrity });
  return { wheel, ...paths.readNumpy(wheel) };
})().catch((e) => {
  numpyDownload = null;
  throw e;
}));
fast.then((paths) => paths && downloadNumpy().then(({ compiling }) => compiling.forEach(([, c]) => c.catch(() => {}))))
  .catch(() => {});
const compiledLibraries = async () => {
  const { compiling } = await downloadNumpy();
  return Object.fromEntries(await Promise.all(compiling.map(async ([name, module]) => [name, await module])));
};
const linkedAhead = [];

// Installs NumPy: with the fast paths, unpacks it and links its start-up libraries (after a
// restore they are linked already and NumPy imported); else as Pyodide's package loader does.
const installNumpy = async (py) => {
  const paths = await fast;
  if (!paths) return py.loadPackage("numpy");
  await paths.installNumpy(py, await downloadNumpy(), { restored: py.numpyRestored, linked: linkedAhead });
};

// A wheel for the baselines (pyodide-fast-paths.mjs installPackages): from the offline cache when
// the service worker kept it, read here directly and checked against the lock's sha256 (through the
// service worker, with the browser checking its integrity, scikit-learn's took twice as long); else
// downloaded with that integrity, which the browser checks. A cached copy that fails the check
// (the service worker keeps what the network gave) is dropped and downloaded again.
const checkedWheel = async (fileName, sha256hex) => {
  const href = url("pyodide/" + fileName);
  const kept = await self.caches?.match(href).catch(() => null);
  if (kept) {
    const wheel = new Uint8Array(await kept.arrayBuffer());
    if (await sha256(wheel) === sha256hex) return wheel;
    for (const name of await caches.keys()) await (await caches.open(name)).delete(href);
  }
  const integrity = "sha256-" + btoa(String.fromCharCode(...sha256hex.match(/../g).map((hex) => parseInt(hex, 16))));
  try {
    return await bytes("pyodide/" + fileName, { integrity });
  } catch (e) {  // the browser's words for a failed integrity check are only "Failed to fetch"
    throw e.message.startsWith("could not download") ? e
      : new Error("could not download " + fileName + ", or it does not match its sha256 (" + e.message + ")");
  }
};

// For tests: the extension modules loaded, and those linked ahead of their import; and the value of
// some Python run in the engine.
self.engineLibraries = async () => ({
  loaded: loadedLibraries((await ready).py),
  linkedAhead,
});
self.enginePython = async (code) => (await ready).py.runPython(code);
// For the benchmark: the size of Python's WebAssembly memory in bytes. It only grows, so after a
// command it is the most that command (and all before it) needed (docs/bench.md, your own data).
self.engineMemoryBytes = async () => (await ready).py._module.HEAP8.length;

// Warm visits restore Python, NumPy imported, from a memory snapshot (pyodide-fast-paths.mjs) instead
// of booting it, unpacking NumPy and importing it. The snapshot is made once per build, in a worker
// of its own (snapshot-worker.mjs) after the engine is ready, and kept (snapshot-store.mjs) under a
// name naming the exact files it holds (engine.json "runtime").
const snapshots = listing.then(({ runtime }) => snapshotStore("python-snapshot-" + runtime));
const findSnapshot = async () => snapshotsOff ? null : (await snapshots).find().catch(() => null);

const boot = async () => {
  const indexURL = url("pyodide/");
  const handle = await findSnapshot();
  // With a snapshot saved, its reading, Pyodide's WebAssembly and its script start at once, while
  // Pyodide's lock still downloads: they use none of Pyodide's internals, the fast-path check
  // (which needs the lock) gates only the restore. Waiting for the check first made a warm
  // visit's snapshot ~0.2 s later.
  const wasmURL = indexURL + "pyodide.asm.wasm";
  let reading = null, wasm = null;
  if (handle) {
    wasm = nativeFetch(wasmURL);
    wasm.catch(() => {});  // a failed one fails where it is used
    import(indexURL + "pyodide.asm.js").catch(() => {});  // loadPyodide imports it again, and reports
    reading = snapshots.then((store) => store.read(handle));
    reading.catch(() => {});
  }
  const paths = await fast;  // without them, no snapshot is restored, nor made
  if (handle && paths) {
    // Pyodide's WebAssembly compiles (from Chrome's code cache) while the snapshot is read and
    // checked; Pyodide's own request for the WebAssembly is never sent.
    const withhold = (href) => {
      early.set(href, new Promise(() => {}));
      return () => early.delete(href);  // booting the long way, Pyodide fetches it itself
    };
    const read = async () => {
      const saved = await reading;
      saved?.intact.then((intact) => intact && mark("snapshot restored"), () => {});
      return saved;
    };
    const fetchEarly = (href) => href === wasmURL ? wasm : nativeFetch(href);
    try {
      const py = await paths.restore({ loadPyodide, indexURL, read, compiled: compiledLibraries, fetch: fetchEarly, withhold });
      if (py) {
        py.numpyRestored = true;
        return py;
      }
    } catch (e) {  // a snapshot that does not restore is dropped; boot the long way
      console.warn("Python snapshot not usable, booting without it:", e);
      await (await snapshots).drop();
    }
  }
  mark("no snapshot");
  const py = await loadPyodide({ indexURL });
  py.snapshotNeeded = Boolean(paths);
  return py;
};

const ready = (async () => {
  const py = await Promise.race([boot(), startFailed]);
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
  // Whether scikit-learn and all it needs are in the offline cache (Compare was used on this
  // device): then the page loads it while idle (app/ui_compare.py); it never downloads it unasked.
  engine.baselines_cached = async () => {
    const { packages } = (await lock) || { packages: {} };
    const names = new Set(), todo = ["scikit-learn"];
    while (todo.length) {
      const name = todo.pop();
      if (!names.has(name) && packages[name]) {
        names.add(name);
        todo.push(...packages[name].depends);
      }
    }
    for (const name of names) {
      const kept = await self.caches?.match(url("pyodide/" + packages[name].file_name)).catch(() => null);
      if (!kept) return false;
    }
    return names.size > 0;
  };
  // With the fast paths, the baselines' packages install by hand (app/engine.py load_baselines);
  // else through pyodide.loadPackage.
  const paths = await fast;
  if (paths) {
    engine.install_packages = async (names) =>
      paths.installPackages(py, Array.from(names), { lock: await lock, read: checkedWheel });
  }
  // how far a long epoch has got, while Python holds this thread (app/engine.py train_epoch)
  engine.post_progress = (step, steps) => self.postMessage({ progress: step + "/" + steps });
  mark("engine code loaded");
  return { py, commands: engine.__dict__ };
})();

// A file argument comes as the File (a Blob: static/userdata.js) and is read here, off the page's
// thread, into the Uint8Array the command takes. A file that cannot be read (changed or removed
// since it was chosen) is the command's error reply, as the page's own reading said it; the engine
// lives on.
const readFiles = async (args) => {
  try {
    return [await Promise.all(args.map(async (a) => a instanceof Blob ? new Uint8Array(await a.arrayBuffer()) : a)), null];
  } catch (e) {
    const file = args.find((a) => a instanceof Blob);
    const error = (file.name ? file.name + ": " : "") + "the file could not be read (" + (e && e.message || e) + ")";
    return [null, JSON.stringify({ error })];
  }
};

const run = async (name, args) => {
  const { commands } = await ready;
  const fn = commands.get(name);
  if (typeof fn !== "function") throw new Error("the engine has no command " + name);
  try {
    const [read, failed] = await readFiles(args);
    return failed || await fn(...read);
  } finally {
    fn.destroy();
  }
};

// The start-up commands, one after another, each reply kept for the page's first identical call.
// Only a start-up command's call is looked up: another's arguments may be a file's bytes, whose
// JSON text (a Uint8Array's is {"0":..,"1":..}) outgrew V8's longest string for a 62 MB file,
// after 18 s, and failed the worker.
const STARTUP_NAMES = new Set(STARTUP.map(([name]) => name));
const key = (name, args) => name + " " + JSON.stringify(args);
const startup = new Map();
STARTUP.reduce((previous, [name, ...args]) => {
  const reply = previous.then(() => run(name, args)).finally(() => mark(name + " done"));
  startup.set(key(name, args), reply);
  return reply.catch(() => {});
}, ready.catch(() => {}));

// After a start-up that went well, a worker of its own makes the snapshot the next visit restores.
// Every way this ends is marked, so a visit that makes none says why (one that cannot keep snapshots
// or has no fast paths said so as it started: "snapshots off: ...", "fast paths off: ...").
Promise.all([ready, ...startup.values()]).then(async ([{ py }, ...replies]) => {
  if (!py.snapshotNeeded || snapshotsOff) return;
  if (replies.some(failed)) return mark("snapshot not made: a start-up command failed");
  // Making it takes a second core for ~2 s: not while the page is asking the engine for things.
  while (performance.now() - lastCommand < 2000) await new Promise((resolve) => setTimeout(resolve, 500));
  mark("snapshot making");
  const { wheel } = await downloadNumpy();
  const libraries = Object.entries(await compiledLibraries());
  const maker = new Worker(url("snapshot-worker.mjs"), { type: "module" });
  maker.postMessage({ built: await listing, lock: await lock, wheel, libraries, engine: await bundle });
  // a worker that fails to load or dies (out of memory) says so; none is waited for for ever (it
  // takes ~2 s in Chromium, ~6 s in WebKit)
  const notMade = (why) => {
    clearTimeout(late);
    maker.terminate();
    mark("snapshot not made: " + why);
    console.warn("Python snapshot not made:", why);
  };
  maker.onerror = (e) => notMade("its worker failed (" + (e.message || "no message") + ")");
  const late = setTimeout(() => notMade("its worker did not answer within 60 s"), 60_000);
  maker.onmessage = async ({ data }) => {
    clearTimeout(late);
    maker.terminate();
    if (!data.snapshot) return notMade(data.error);
    mark("snapshot made");
    // the browser's storage is not waited for for ever either (saving takes ~0.1 s)
    let stuck;
    const saving = new Promise((_, reject) => {
      stuck = setTimeout(() => reject(new Error("the browser's storage did not answer within 30 s")), 30_000);
    });
    try {
      await Promise.race([snapshots.then((store) => store.save(data.snapshot, data.layout)), saving]);
      mark("snapshot saved");
    } catch (e) {  // another tab holds the file, the disk is full or storage hangs: the next visit boots
      mark("snapshot not saved: " + e);
      console.warn("Python snapshot not saved:", e);
    } finally {
      clearTimeout(stuck);
    }
  };
}).catch((e) => mark("snapshot not made: " + (e && e.message || e)));

ready.then(() => self.postMessage({ started: true }),
           (e) => self.postMessage({ started: false, error: String(e && e.message || e) }));

// An early reply is used once; after a failed one, the page retries and everything runs afresh.
const failed = (value) => { try { return "error" in JSON.parse(value); } catch { return true; } };

// Commands run one after another, in the order sent: the page sends its whole start-up at once
// (load_numpy, load_data, load_pretrained, then configure and training_view for your model), and each
// runs the moment the one before is done, with no round trip through the page in between.
let queue = Promise.resolve();
let lastCommand = performance.now();
self.onmessage = ({ data: { id, name, args } }) => {
  lastCommand = performance.now();
  const k = STARTUP_NAMES.has(name) ? key(name, args) : null;
  const kept = k !== null && startup.get(k);
  startup.delete(k);
  const reply = queue.then(() => {
    self.postMessage({ id, running: true });  // the page's time-out for it starts now
    return kept || run(name, args);
  });
  queue = reply.catch(() => {});
  reply.then((value) => {
    if (kept && failed(value)) startup.clear();
    self.postMessage({ id, ok: true, value });
  }, (e) => {
    if (kept) startup.clear();
    self.postMessage({ id, ok: false, error: String(e && e.message || e) });
  });
};
