"""The Python the browser runs is shipped as CPython 3.12 bytecode made at build time
(builder/bytecode.py): complete, current, and what Pyodide's loader will accept."""
import base64
import hashlib
import json
import os
import subprocess
import zipfile

import pytest

from builder import bytecode, runtime

DIST = os.path.join(runtime.ROOT, "dist")
PYODIDE = os.path.join(DIST, "pyodide")
MAGIC_312 = (3531).to_bytes(2, "little") + b"\r\n"  # CPython 3.12's bytecode version
UNCHECKED_HASH = (1).to_bytes(4, "little")  # PEP 552 flags: hash-based, never checked


def numpy_wheel():
    return os.path.join(PYODIDE, runtime.pyodide_lock()["packages"]["numpy"]["file_name"])


def original(name):
    return os.path.join(runtime.CACHE, "pyodide-wheels", name)


def test_standard_library_is_all_bytecode_and_complete():
    with zipfile.ZipFile(os.path.join(runtime.PYODIDE_DIR, "python_stdlib.zip")) as z:
        sources = {n for n in z.namelist() if n.endswith(".py")}
    with zipfile.ZipFile(os.path.join(PYODIDE, "python_stdlib.zip")) as z:
        names = set(z.namelist())
        assert not any(n.endswith(".py") for n in names)
        assert {n[:-1] for n in names if n.endswith(".pyc")} == sources
        header = z.read("asyncio/base_events.pyc")[:8]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
    assert header == MAGIC_312 + UNCHECKED_HASH


def test_numpy_wheel_is_bytecode_without_development_files_and_its_record_is_true():
    with zipfile.ZipFile(original(os.path.basename(numpy_wheel()))) as z:
        before = set(z.namelist())
    with zipfile.ZipFile(numpy_wheel()) as z:
        after = set(z.namelist())
        record = z.read("numpy-2.0.2.dist-info/RECORD").decode().splitlines()
        for line in record[:-1]:
            name, digest, size = line.rsplit(",", 2)
            data = z.read(name)
            assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert int(size) == len(data)
        assert z.read("numpy/__init__.pyc")[:8] == MAGIC_312 + UNCHECKED_HASH
    assert {line.split(",")[0] for line in record} == after
    assert not any(n.endswith((".py", ".pyi", ".h", ".pxd")) for n in after)
    assert "numpy/_core/_multiarray_tests.cpython-312-wasm32-emscripten.so" in after  # import numpy needs it
    assert {n for n in before if n.endswith(".so")} - after == {
        f"numpy/_core/_{m}_tests.cpython-312-wasm32-emscripten.so" for m in ("operand_flag", "rational",
                                                                            "struct_ufunc", "umath")}
    # f2py is dropped but for a stub: `from numpy import *` (scipy, for scikit-learn) imports it
    assert {n + "c" for n in before if n.endswith(".py") and not n.startswith("numpy/f2py/")
            and not n.startswith("numpy/_pyinstaller/") and "/_examples/" not in n} | {"numpy/f2py/__init__.pyc"} == \
        {n for n in after if n.endswith(".pyc")}


def test_served_lock_carries_the_compiled_wheels_hash():
    """Pyodide checks each package against the lock's sha256 (subresource integrity)."""
    lock = json.load(open(os.path.join(PYODIDE, "pyodide-lock.json")))
    official = runtime.pyodide_lock()["packages"]
    compiled = runtime.package_files(runtime.ENGINE_PACKAGES + runtime.BASELINE_PACKAGES)
    assert set(compiled.values()) == {"numpy", "scipy", "scikit-learn", "joblib", "threadpoolctl", "openblas"}
    for name, package in compiled.items():
        served = lock["packages"][package]
        assert served["sha256"] == runtime.sha256_file(os.path.join(PYODIDE, name))
        assert {**served, "sha256": None} == {**official[package], "sha256": None}  # only the hash differs
        with zipfile.ZipFile(os.path.join(PYODIDE, name)) as z:  # stored: the worker's zip reader takes them
            assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist()), name
            assert not [n for n in z.namelist() if n.endswith(".py")], name  # bytecode only
    assert lock["packages"]["pandas"] == official["pandas"]  # what the app does not load is as it comes


@pytest.mark.needs_node_modules
def test_engine_bytecode_matches_its_sources_in_the_browsers_python(tmp_path):
    """engine.zip holds each engine module with a .pyc beside it; the .pyc's recorded source hash
    is computed again here by Pyodide's own CPython, so a stale .pyc cannot pass."""
    with zipfile.ZipFile(os.path.join(DIST, "engine.zip")) as z:
        names = set(z.namelist())
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
        z.extractall(tmp_path)
    sources = sorted(n for n in names if n.endswith(".py"))
    assert {"models/nn.py", "data/ecg5000.py", "models/fastmath.wasm", "app/engine.py"} <= names
    assert not any(n.endswith(("train.py", "bench.py")) for n in names)  # command-line only
    pairs = []
    for rel in sources:
        pyc = bytecode.pyc_path(rel)
        assert pyc in names, rel
        pairs.append([bytecode.HOST + str(tmp_path / rel), bytecode.HOST + str(tmp_path / pyc)])
    script = """
import fs from "node:fs";
const { loadPyodide } = await import(process.argv[1] + "/pyodide.mjs");
const py = await loadPyodide({ indexURL: process.argv[1] + "/" });
py.mountNodeFS("/host", "/");
py.globals.set("pairs", py.toPy(JSON.parse(process.argv[2])));
console.log(py.runPython(`
import importlib.util
bad = []
for src, pyc in pairs:
    data = open(pyc, "rb").read()
    if data[:4] != importlib.util.MAGIC_NUMBER or data[8:16] != importlib.util.source_hash(open(src, "rb").read()):
        bad.append(src)
",".join(bad) or "ok"
`));
"""
    out = subprocess.run(["node", "--input-type=module", "-e", script, runtime.PYODIDE_DIR, json.dumps(pairs)],
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stdout + out.stderr
