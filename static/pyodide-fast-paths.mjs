// The engine's fast paths, and the one place that uses Pyodide's private internals. They were
// written for (and are tested with) the Pyodide and the NumPy wheel engine.json names, which
// the build takes from package.json and pyodide-lock.json (the wheels as the build rewrites them:
// bytecode, stored entries), and each relies on something Pyodide does not promise to keep:
//   - NumPy, and later scikit-learn's packages, unpacked from their wheels by our zip reader
//     (numpy-wheel.mjs) in place of pyodide.loadPackage: their layout (stored entries), NumPy's
//     file list (STARTUP_LIBRARIES), where Pyodide puts shared libraries, pyodide.loadedPackages;
//   - NumPy's start-up extension modules compiled while Python boots and linked before
//     `import numpy`: Emscripten's LDSO, preloadedWasm, loadDynamicLibrary, and the 5th argument
//     (a handle) of loadWebAssemblyModule;
//   - a memory snapshot of Python with NumPy imported, made once and restored on warm visits:
//     loadPyodide's _makeSnapshot and _loadSnapshot, _createPyodideModule, API.restoreSnapshot,
//     instantiateWasm, the function table, and NumPy's modules relinked where they were.
// fastPaths() checks the running Pyodide's version and the NumPy wheel pyodide-lock.json lists
// (file name and sha256) against engine.json, and gives these paths only when they match; else it
// says why (a console warning and an engine mark) and gives null, and the engine boots the plain
// way: loadPyodide, pyodide.loadPackage("numpy"), no snapshot made or restored, and
// pyodide.loadPackage("scikit-learn") for the baselines.

import { storedZipEntries, writeTree } from "./numpy-wheel.mjs";

// Why the fast paths do not fit this runtime, or "" if they do. built: engine.json ({pyodide,
// numpy: {file_name, sha256}}); version: the running Pyodide's (pyodide.mjs exports it, and
// loadPyodide checks that pyodide.asm.js has the same); lock: the pyodide-lock.json it loads.
export const mismatch = (built, version, lock) => {
  const want = built?.numpy, have = lock?.packages?.numpy;
  if (typeof built?.pyodide !== "string" || typeof want?.file_name !== "string" || typeof want?.sha256 !== "string") {
    return "engine.json does not name the Pyodide and NumPy wheel they were built for";
  }
  if (version !== built.pyodide) return "Pyodide is " + version + ", they were built for " + built.pyodide;
  if (lock?.info?.version !== built.pyodide) {
    return "pyodide-lock.json is for Pyodide " + (lock?.info?.version ?? "(none named)") + ", they were built for " + built.pyodide;
  }
  if (have?.file_name !== want.file_name || have?.sha256 !== want.sha256) {
    return "pyodide-lock.json lists NumPy's wheel as " + (have ? have.file_name + " (sha256 " + have.sha256 + ")" : "nothing") +
           ", they were built for " + want.file_name + " (sha256 " + want.sha256 + ")";
  }
  return "";
};

const sitePackages = (py) => py.runPython("import site; site.getsitepackages()[0]");
const DYNLIB_FOLDER = "/usr/lib";  // where Pyodide's loader puts shared libraries (install_dir "dynlib")

// After files were written under `site`, each import finder there looks again.
// importlib.invalidate_caches() did that too, but imported importlib.metadata on the way (email,
// zipfile, csv...): 0.2 to 0.4 s.
const lookAgain = (py, site) => py.runPython(`import sys
for path, finder in list(sys.path_importer_cache.items()):
    if path.startswith(${JSON.stringify(site)}) and hasattr(finder, "invalidate_caches"):
        finder.invalidate_caches()`);

// The fast paths if they fit this runtime (see mismatch), else null, having said why. mark(what)
// records an engine milestone.
export const fastPaths = ({ built, version, lock, mark = () => {} }) => {
  const why = mismatch(built, version, lock);
  if (why) {
    console.warn("Pyodide fast paths off (" + why + "): booting Python and loading NumPy the plain way");
    mark("fast paths off: " + why);
    return null;
  }
  const sha256 = built.numpy.sha256.match(/../g).map((hex) => parseInt(hex, 16));
  return {
    // NumPy's wheel: with the integrity Pyodide would ask for, the browser checks its sha256.
    numpyWheel: { fileName: built.numpy.file_name, integrity: "sha256-" + btoa(String.fromCharCode(...sha256)) },

    // NumPy's files ({path: bytes}) and its start-up libraries, compiling off the worker's thread:
    // [[path, promised WebAssembly.Module]].
    readNumpy: (wheel) => {
      const files = storedZipEntries(wheel, "the NumPy wheel");
      return { files, compiling: startupLibraries(files).map((name) => [name, WebAssembly.compile(files[name])]) };
    },

    // Unpacks NumPy (readNumpy's) and links its start-up libraries, listing their paths in
    // `linked`; after a restore they are linked already and NumPy imported, and its files are
    // still written, for what it imports later.
    installNumpy: async (py, { files, compiling }, { restored, linked = [] }) => {
      const site = sitePackages(py);
      writeTree(py, site, files);
      lookAgain(py, site);
      py.loadedPackages.numpy = "default channel";  // so a later loadPackage (baselines) skips it
      mark("NumPy unpacked");
      if (restored) return;
      for (const [name, module] of compiling) {
        linkLibrary(py._module, site + "/" + name, await module);
        linked.push(site + "/" + name);
      }
      mark("NumPy linked");
    },

    // Installs packages of Pyodide's lock (names, with what they depend on, but not what is
    // installed already) in place of pyodide.loadPackage: scikit-learn's, for the baselines.
    // read(fileName, sha256) resolves to a wheel's bytes, checked. Each wheel's extension modules
    // compile off the worker's thread as it arrives; once every wheel is in, all are unpacked and
    // linked as Pyodide's loader links them (shared libraries first, each one also known by its
    // file name), and Python's import finders look again. Nothing is installed unless every wheel
    // came. Resolves to the names of the packages installed. (loadPackage took 2 s for
    // scikit-learn from the offline cache: its checked fetches through the service worker,
    // unzipping in Python, and compiling each library in turn; this takes ~0.6 s.)
    installPackages: async (py, names, { lock, read }) => {
      const wanted = [], todo = [...names];
      while (todo.length) {
        const name = todo.pop();
        if (wanted.includes(name) || py.loadedPackages[name]) continue;
        if (!lock.packages[name]) throw new Error("Pyodide's lock has no package " + name);
        wanted.push(name);
        todo.push(...lock.packages[name].depends);
      }
      const folders = { site: sitePackages(py), dynlib: DYNLIB_FOLDER };
      const wheels = await Promise.all(wanted.map(async (name) => {
        const { file_name: fileName, sha256, install_dir: where, package_type: type } = lock.packages[name];
        if (!folders[where]) throw new Error(name + " installs into " + where + ", which this loader does not know");
        const files = storedZipEntries(await read(fileName, sha256), fileName);
        const compiling = Object.keys(files).filter((path) => path.endsWith(".so"))
          .map((path) => [folders[where] + "/" + path, WebAssembly.compile(files[path])]);
        compiling.forEach(([, module]) => module.catch(() => {}));  // awaited below, unless another wheel failed
        return { name, files, folder: folders[where], shared: type === "shared_library", compiling };
      }));
      // A library's bytes go to the compiler only: in the file system an empty file stands for it,
      // for import to find, as it is linked already (Emscripten's dlopen looks it up by path).
      // That saves copying 45 MB, and as much memory.
      for (const { files, folder, compiling } of wheels) {
        for (const [path] of compiling) files[path.slice(folder.length + 1)] = new Uint8Array(0);
        writeTree(py, folder, files);
      }
      wheels.sort((a, b) => b.shared - a.shared);
      const M = py._module;
      for (const { compiling } of wheels) {
        for (const [path, module] of compiling) {
          linkLibrary(M, path, await module);
          M.LDSO.loadedLibsByName[path.slice(path.lastIndexOf("/") + 1)] ||= M.LDSO.loadedLibsByName[path];
        }
      }
      lookAgain(py, folders.site);
      for (const { name } of wheels) py.loadedPackages[name] = "default channel";
      return wheels.map(({ name }) => name);
    },

    // Boots Python restored from the snapshot read() resolves to ({snapshot, layout, intact}, see
    // restoringNumpy), or resolves to null if read() does. Pyodide's script and WebAssembly load
    // while it reads: the WebAssembly through fetch (the network's), while withhold(href) keeps
    // Pyodide's own request for it from being sent (it returns how to undo that). compiled():
    // resolves to {name: compiled module} for NumPy's libraries.
    restore: async ({ loadPyodide, indexURL, read, compiled, fetch, withhold }) => {
      const wasmURL = indexURL + "pyodide.asm.wasm";
      const main = WebAssembly.compileStreaming(fetch(wasmURL));
      main.catch(() => {});  // if it fails, restoringNumpy says so
      const release = withhold(wasmURL);
      import(indexURL + "pyodide.asm.js").catch(() => {});  // loadPyodide imports it again, and reports
      try {
        const saved = await read();
        if (!saved) return null;
        return await restoringNumpy(indexURL, { ...saved, compiled: compiled(), main },
                                    () => loadPyodide({ indexURL, _loadSnapshot: saved.snapshot }));
      } finally {
        release();
      }
    },

    // Boots Python to take a memory snapshot of it with NumPy (its wheel's bytes) unpacked and
    // imported, its start-up libraries ([[name, compiled module]]) linked; prepare(py) runs first,
    // `then` (Python) after `import numpy`. Resolves to {snapshot, layout}, for restore().
    makeSnapshot: async ({ loadPyodide, indexURL, wheel, libraries, prepare = () => {}, then = "" }) => {
      const py = await loadPyodide({ indexURL, _makeSnapshot: true });
      const site = sitePackages(py);
      writeTree(py, site, storedZipEntries(wheel, "the NumPy wheel"));
      prepare(py);
      return snapshotWithNumpy(py, site, libraries, then);
    },
  };
};

// For tests: the extension modules Python has loaded (paths), whichever way it booted.
export const loadedLibraries = (py) =>
  Object.keys(py._module?.LDSO?.loadedLibsByName ?? {}).filter((name) => name.endsWith(".so"));

// The extension modules start-up imports (import numpy, numpy.random). They are compiled off the
// worker's thread while Python boots and linked before `import numpy`, or restored with the
// snapshot. One missing from this list still loads, when first imported.
const STARTUP_LIBRARIES = [
  "_core/_multiarray_umath", "_core/_multiarray_tests", "linalg/_umath_linalg",
  ...["bit_generator", "_common", "mtrand", "_bounded_integers", "_mt19937", "_philox", "_pcg64",
      "_sfc64", "_generator"].map((name) => "random/" + name),
];
const startupLibraries = (files) => Object.keys(files).filter((name) =>
  STARTUP_LIBRARIES.some((lib) => name.startsWith("numpy/" + lib + ".") && name.endsWith(".so")));

// Links a compiled extension module (Module is Pyodide's Emscripten module) as Pyodide's package
// loader would, so CPython's import finds it loaded. With a handle (8 zeroed words of Python's
// memory), Emscripten records there where the module's data and function table entries went, and
// linking again with that handle puts them back in the same places: how a snapshot restores it.
const linkLibrary = (Module, path, module, handle = 0) => {
  const flags = { loadAsync: false, nodelete: true, allowUndefined: true, global: false };
  if (Module.LDSO.loadedLibsByName[path]) return;
  Module.preloadedWasm[path] = Module.loadWebAssemblyModule(module, flags, path, {}, handle);
  Module.loadDynamicLibrary(path, flags, {});
  delete Module.preloadedWasm[path];
};

// A memory snapshot of Python with NumPy imported, and its restore (Pyodide 0.27's _makeSnapshot
// and _loadSnapshot). A warm visit restores it instead of booting Python, unpacking NumPy and
// importing it: ~300 interpreter modules and ~100 of NumPy's, ~0.7 s in all.
//
// Pyodide snapshots only Python's memory. NumPy's extension modules are WebAssembly instances of
// their own, with their data in that memory and their functions in a table that memory points
// into. So the snapshot comes with a layout: where each module was linked (a handle, in memory,
// recording its data's address and its table slots) and the table's length before and after. A
// restore links each module again through its handle, at the same addresses and slots, checks the
// table came out the same, and copies the snapshot's memory back over what linking initialised.

// The maker's side: link the start-up libraries through handles, import NumPy, run `then` (Python:
// more imports), take the snapshot. `py` was booted with _makeSnapshot and NumPy's files are
// unpacked in `site`; `libraries` is [[name, compiled module]], names as in the wheel.
// Returns {snapshot, layout}.
const snapshotWithNumpy = (py, site, libraries, then = "") => {
  const M = py._module, before = M.wasmTable.length, linked = [];
  for (const [name, module] of libraries) {
    const handle = M._calloc(1, 32);
    linkLibrary(M, site + "/" + name, module, handle);
    linked.push([name, handle]);
  }
  py.runPython("import numpy, numpy.random\n" + then);
  // Frozen: the collector never walks these objects (nor does it before a restore relinks).
  py.runPython("import gc; gc.collect(); gc.freeze()");
  // CPython's own dlopen handles, which Emscripten maps to the libraries outside memory.
  const opened = Object.entries(M.LDSO.loadedLibsByHandle)
    .filter(([handle, lib]) => +handle && linked.some(([name]) => site + "/" + name === lib.name))
    .map(([handle, lib]) => [+handle, lib.name.slice(site.length + 1)]);
  const layout = { site, linked, opened, table: [before, M.wasmTable.length] };
  return { snapshot: py.makeMemorySnapshot(), layout };
};

const checkLayout = (layout) => {
  const pairs = (list, first, second) => Array.isArray(list) && list.every((p) =>
    Array.isArray(p) && p.length === 2 && typeof p[0] === first && typeof p[1] === second);
  if (!layout || typeof layout.site !== "string" || !pairs(layout.linked, "string", "number") ||
      !pairs(layout.opened, "number", "string") || !Array.isArray(layout.table) ||
      layout.table.length !== 2 || !layout.table.every(Number.isInteger)) {
    throw new Error("the snapshot's layout is malformed");
  }
};

// Relinks into a Module whose memory restoreSnapshot just filled. `compiled` is {name: module}.
const relink = (M, layout, compiled, snapshot) => {
  const [before, after] = layout.table;
  if (M.wasmTable.length !== before) throw new Error("the function table does not match the snapshot's");
  for (const [name, handle] of layout.linked) {
    if (!compiled[name]) throw new Error("no compiled module for " + name);
    linkLibrary(M, layout.site + "/" + name, compiled[name], handle);
  }
  if (M.wasmTable.length !== after) throw new Error("NumPy's functions did not relink where they were");
  for (const [handle, name] of layout.opened) {
    M.LDSO.loadedLibsByHandle[handle] = M.LDSO.loadedLibsByName[layout.site + "/" + name];
  }
  // Linking initialised each module's data afresh; the snapshot's memory holds it as NumPy left it.
  const headerBytes = new Uint32Array(snapshot.buffer, snapshot.byteOffset, 2)[1];
  M.HEAP8.set(snapshot.subarray(headerBytes));
};

// Runs boot() (a loadPyodide with _loadSnapshot) so that the restore relinks NumPy's libraries.
// restore: {layout; compiled, resolving to {name: compiled module} for every name in layout.linked;
// main, resolving to Pyodide's compiled WebAssembly; intact, resolving to whether the snapshot's
// bytes are those saved}. Python is restored only once all three have resolved, and an error in
// any makes boot() reject.
const restoringNumpy = async (indexURL, { layout, compiled, main, intact }, boot) => {
  checkLayout(layout);
  if (typeof globalThis._createPyodideModule !== "function") await import(indexURL + "pyodide.asm.js");
  const create = globalThis._createPyodideModule;
  globalThis._createPyodideModule = async (settings) => {
    // Emscripten would wait forever on a WebAssembly that failed to compile or instantiate: fail.
    let fail;
    const failed = new Promise((_, reject) => { fail = reject; });
    settings.instantiateWasm = (imports, receive) => {
      main.then((module) => WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module)))
        .catch(fail);
      return {};
    };
    const M = await Promise.race([create(settings), failed]);
    const [modules, ok] = await Promise.all([compiled, intact]);
    if (!ok) throw new Error("the snapshot is damaged");
    const restore = settings.API.restoreSnapshot;
    settings.API.restoreSnapshot = (snapshot) => {
      const state = restore(snapshot);
      relink(M, layout, modules, snapshot);
      return state;
    };
    return M;
  };
  try {
    return await boot();
  } finally {
    globalThis._createPyodideModule = create;
  }
};
