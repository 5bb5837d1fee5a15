"""Python for the browser, compiled to bytecode at build time.

Pyodide 0.27.7 ships its standard library and NumPy as .py sources, so each start of the engine
compiled about 300 modules inside WebAssembly: 2.5 of the 4.7 s a bare worker took to import
NumPy here. Compiled once at build time, the same start takes about 2 s. The compiler is the
browser's own CPython 3.12 (Pyodide under Node), whatever Python the host runs.
"""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from builder import runtime

SCRIPTS = [os.path.join(runtime.ROOT, "builder", n) for n in ("bytecode.mjs", "bytecode_in_pyodide.py")]
HOST = "/host"  # where bytecode.mjs mounts the host's file system inside Pyodide
ENGINE_HOME = "/home/pyodide/"  # where the engine worker writes its Python files


def pyc_path(rel):
    """models/nn.py -> models/__pycache__/nn.cpython-312.pyc (what Pyodide's import looks for)."""
    folder, name = os.path.split(rel)
    return os.path.join(folder, "__pycache__", name[:-3] + ".cpython-312.pyc")


def compile_for_browser(stdlib_zip, wheels, sources, log):
    """Return {dist path: cached file}: the standard library zip, each wheel in `wheels`
    ({name: path}) and a .pyc for each engine source in `sources` ({dist path: path})."""
    runtime_dir = _cache_dir("runtime", [stdlib_zip, *wheels.values()], list(wheels))
    app_dir = _cache_dir("app", list(sources.values()), list(sources))
    job = {"stdlib": None, "wheels": [], "sources": []}
    out = {"pyodide/python_stdlib.zip": os.path.join(runtime_dir, "python_stdlib.zip")}
    out.update({f"pyodide/{name}": os.path.join(runtime_dir, name) for name in wheels})
    out.update({pyc_path(rel): os.path.join(app_dir, pyc_path(rel)) for rel in sources})
    stale = [d for d in (runtime_dir, app_dir) if not os.path.isdir(d)]
    if not stale:
        return out
    parts = {d: d + ".part" for d in stale}
    for part in parts.values():
        shutil.rmtree(part, ignore_errors=True)
        os.makedirs(part)
    if runtime_dir in parts:
        job["stdlib"] = [_host(stdlib_zip), _host(os.path.join(parts[runtime_dir], "python_stdlib.zip"))]
        job["wheels"] = [[_host(p), _host(os.path.join(parts[runtime_dir], n))] for n, p in wheels.items()]
    if app_dir in parts:
        for rel, path in sources.items():
            dest = os.path.join(parts[app_dir], pyc_path(rel))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            job["sources"].append([_host(path), _host(dest), ENGINE_HOME + rel])
    log("compiling Python to bytecode with Pyodide under Node (" + ", ".join(
        os.path.basename(d).split("-")[1] for d in stale) + ")")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(job, f)
    try:
        subprocess.run(["node", SCRIPTS[0], f.name], cwd=runtime.ROOT, check=True)
    finally:
        os.remove(f.name)
    for final, part in parts.items():
        os.replace(part, final)
    return out


def _cache_dir(kind, files, names):
    """A folder named for the content of `files` (and the scripts) and for `names`."""
    h = hashlib.sha256()
    for path in SCRIPTS + files:
        h.update(runtime.sha256_file(path).encode())
    h.update("\0".join(names).encode())
    return os.path.join(runtime.CACHE, f"bytecode-{kind}-{h.hexdigest()[:16]}")


def _host(path):
    # realpath: Pyodide's view of the host resolves a symlink's target inside its own tree, where
    # an absolute target (a shared .cache, say) is not found
    return HOST + os.path.realpath(path)
