// Compile Python to bytecode with the browser's own CPython (Pyodide under Node):
//   node builder/bytecode.mjs JOB.json
// builder/bytecode_in_pyodide.py does the work; the host's "/" is mounted at /host for it.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const pyodideDir = path.join(here, "..", "node_modules", "pyodide");
const { loadPyodide } = await import(path.join(pyodideDir, "pyodide.mjs"));
const py = await loadPyodide({ indexURL: pyodideDir + "/" });
py.mountNodeFS("/host", "/");
py.globals.set("job", py.toPy(JSON.parse(fs.readFileSync(process.argv[2], "utf8"))));
py.runPython(fs.readFileSync(path.join(here, "bytecode_in_pyodide.py"), "utf8"),
             { filename: "bytecode_in_pyodide.py" });
