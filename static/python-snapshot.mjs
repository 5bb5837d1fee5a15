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

import { linkLibrary } from "./numpy-wheel.mjs";

// The maker's side: link the start-up libraries through handles, import NumPy, run `then` (Python:
// more imports), take the snapshot. `py` was booted with _makeSnapshot and NumPy's files are
// unpacked in `site`; `libraries` is [[name, compiled module]], names as in the wheel.
// Returns {snapshot, layout}.
export const snapshotWithNumpy = (py, site, libraries, then = "") => {
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
export const restoringNumpy = async (indexURL, { layout, compiled, main, intact }, boot) => {
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
