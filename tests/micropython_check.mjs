// Run a Python script under the browser's MicroPython (the PyScript build, in Node), with the
// repository's app/, data/ and models/ packages importable, and print what the script prints.
//
//   node tests/micropython_check.mjs SCRIPT.py [INPUT_FILE]
//
// The script sees the repository's models/*.py under /app/models, likewise app/ and data/ (sys.path
// has /app; a module that needs the browser or NumPy fails only when imported) and,
// if given, INPUT_FILE as /app/input. The heap is MicroPython's default (1 MiB), as PyScript
// 0.6.60 leaves it. Exit status 1 and the Python traceback on stderr if the script raises.
// MicroPython comes from node_modules/@micropython/micropython-webassembly-pyscript under the
// repository root, or from the file named by $MICROPYTHON_MJS.
import fs from "node:fs";
import path from "node:path";
import url from "node:url";

const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), "..");
const mjs = process.env.MICROPYTHON_MJS ||
  path.join(root, "node_modules", "@micropython", "micropython-webassembly-pyscript", "micropython.mjs");
if (!fs.existsSync(mjs)) {
  console.error(`MicroPython not found at ${mjs}: run 'python build.py build' (it installs node_modules)`);
  process.exit(2);
}
const [script, input] = process.argv.slice(2);
if (!script) {
  console.error("usage: node tests/micropython_check.mjs SCRIPT.py [INPUT_FILE]");
  process.exit(2);
}

const { loadMicroPython } = await import(url.pathToFileURL(mjs).href);
const out = [];
const mp = await loadMicroPython({
  linebuffer: false,
  stdout: (bytes) => out.push(Buffer.from(bytes)),
  stderr: (bytes) => process.stderr.write(Buffer.from(bytes)),
});

mp.FS.mkdir("/app");
for (const pkg of ["app", "data", "models"]) {
  mp.FS.mkdir(`/app/${pkg}`);
  for (const name of fs.readdirSync(path.join(root, pkg))) {
    if (name.endsWith(".py")) mp.FS.writeFile(`/app/${pkg}/${name}`, fs.readFileSync(path.join(root, pkg, name)));
  }
}
if (input) mp.FS.writeFile("/app/input", fs.readFileSync(input));

let status = 0;
try {
  mp.runPython("import sys\nsys.path.insert(0, '/app')\n");
  mp.runPython(fs.readFileSync(script, "utf8"));
} catch (error) {
  if (error.name !== "PythonError") throw error;
  process.stderr.write(`MicroPython raised ${error.type}:\n${error.message}\n`);
  status = 1;
}
// exit only once everything is written: a pipe takes 64 KiB at a time
process.stdout.write(Buffer.concat(out), () => process.exit(status));
