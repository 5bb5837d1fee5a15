// Unit tests of the check that guards the engine's fast start-up paths (fastPaths and mismatch in
// static/pyodide-fast-paths.mjs): they are given only when the running Pyodide and the NumPy wheel
// its lock lists are those engine.json says they were built for. Run: node --test tests/
import assert from "node:assert/strict";
import { test } from "node:test";
import { fastPaths, mismatch } from "../static/pyodide-fast-paths.mjs";

// Made-up versions and wheel: the check compares, it knows none of them.
const SHA256 = "0123456789abcdef".repeat(4);
const built = { runtime: "0123456789abcdef", pyodide: "9.8.7", numpy: { file_name: "numpy-1.2.3-x.whl", sha256: SHA256 } };
const lock = { info: { version: "9.8.7" }, packages: { numpy: { name: "numpy", file_name: "numpy-1.2.3-x.whl", sha256: SHA256 } } };
const changed = (object, path, value) => {
  const copy = structuredClone(object);
  const keys = path.split(".");
  keys.slice(0, -1).reduce((o, k) => o[k], copy)[keys.at(-1)] = value;
  return copy;
};

// fastPaths with a mark and console.warn that record what they were told.
const check = (t, built, version, lock) => {
  const marks = [], warn = t.mock.method(console, "warn", () => {});
  const paths = fastPaths({ built, version, lock, mark: (what) => marks.push(what) });
  return { paths, marks, warnings: warn.mock.calls.map((call) => call.arguments.join(" ")) };
};

test("on the Pyodide and NumPy wheel they were built for, the fast paths are given, silently", (t) => {
  assert.equal(mismatch(built, "9.8.7", lock), "");
  const { paths, marks, warnings } = check(t, built, "9.8.7", lock);
  assert.deepEqual([marks, warnings], [[], []]);
  assert.deepEqual(Object.keys(paths).sort(), ["installNumpy", "installPackages", "makeSnapshot", "numpyWheel", "readNumpy", "restore"]);
  // the wheel downloads with the integrity Pyodide would ask for: the same sha256, in base64
  assert.deepEqual(paths.numpyWheel, { fileName: "numpy-1.2.3-x.whl",
                                       integrity: "sha256-" + Buffer.from(SHA256, "hex").toString("base64") });
});

const MISMATCHES = [
  ["another Pyodide", built, "9.8.8", lock, "Pyodide is 9.8.8, they were built for 9.8.7"],
  ["a lock of another Pyodide", built, "9.8.7", changed(lock, "info.version", "9.9.0"),
   "pyodide-lock.json is for Pyodide 9.9.0, they were built for 9.8.7"],
  ["another NumPy wheel", built, "9.8.7", changed(lock, "packages.numpy.file_name", "numpy-1.2.4-x.whl"),
   `pyodide-lock.json lists NumPy's wheel as numpy-1.2.4-x.whl (sha256 ${SHA256}), they were built for numpy-1.2.3-x.whl (sha256 ${SHA256})`],
  ["the same wheel name with other bytes", built, "9.8.7", changed(lock, "packages.numpy.sha256", "0".repeat(64)),
   `pyodide-lock.json lists NumPy's wheel as numpy-1.2.3-x.whl (sha256 ${"0".repeat(64)}), they were built for numpy-1.2.3-x.whl (sha256 ${SHA256})`],
  ["a lock without NumPy", built, "9.8.7", changed(lock, "packages", {}),
   `pyodide-lock.json lists NumPy's wheel as nothing, they were built for numpy-1.2.3-x.whl (sha256 ${SHA256})`],
  ["an engine.json that names no Pyodide (an older build's)", changed(built, "pyodide", undefined), "9.8.7", lock,
   "engine.json does not name the Pyodide and NumPy wheel they were built for"],
  ["an engine.json that names no wheel sha256", changed(built, "numpy.sha256", undefined), "9.8.7", lock,
   "engine.json does not name the Pyodide and NumPy wheel they were built for"],
  ["no lock at all", built, "9.8.7", undefined, "pyodide-lock.json is for Pyodide (none named), they were built for 9.8.7"],
];
for (const [what, built, version, lock, why] of MISMATCHES) {
  test(`with ${what}, the fast paths are off, and it says why in a mark and a console warning`, (t) => {
    assert.equal(mismatch(built, version, lock), why);
    const { paths, marks, warnings } = check(t, built, version, lock);
    assert.equal(paths, null);
    assert.deepEqual(marks, ["fast paths off: " + why]);
    assert.deepEqual(warnings, ["Pyodide fast paths off (" + why + "): booting Python and loading NumPy the plain way"]);
  });
}
