// NumPy's wheel in a Pyodide worker: its files, and the extension modules start-up imports, linked
// the way Pyodide's own loader links them. Used by the engine worker and by the snapshot maker.

// Files of a zip whose entries are stored (not deflated), as {name: bytes}.
export const storedZipEntries = (zip, what) => {
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
export const writeTree = (py, folder, files) => {
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

// The extension modules start-up imports (import numpy, numpy.random). They are compiled off the
// worker's thread while Python boots and linked before `import numpy`, or restored with the
// snapshot (python-snapshot.mjs). One missing from this list still loads, when first imported.
const STARTUP_LIBRARIES = [
  "_core/_multiarray_umath", "_core/_multiarray_tests", "linalg/_umath_linalg",
  ...["bit_generator", "_common", "mtrand", "_bounded_integers", "_mt19937", "_philox", "_pcg64",
      "_sfc64", "_generator"].map((name) => "random/" + name),
];
export const startupLibraries = (files) => Object.keys(files).filter((name) =>
  STARTUP_LIBRARIES.some((lib) => name.startsWith("numpy/" + lib + ".") && name.endsWith(".so")));

// Links a compiled extension module (Module is Pyodide's Emscripten module) as Pyodide's package
// loader would, so CPython's import finds it loaded. With a handle (8 zeroed words of Python's
// memory), Emscripten records there where the module's data and function table entries went, and
// linking again with that handle puts them back in the same places: how a snapshot restores it.
export const linkLibrary = (Module, path, module, handle = 0) => {
  const flags = { loadAsync: false, nodelete: true, allowUndefined: true, global: false };
  if (Module.LDSO.loadedLibsByName[path]) return;
  Module.preloadedWasm[path] = Module.loadWebAssemblyModule(module, flags, path, {}, handle);
  Module.loadDynamicLibrary(path, flags, {});
  delete Module.preloadedWasm[path];
};
