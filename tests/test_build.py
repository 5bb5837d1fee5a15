"""Build: Pyodide wheels are verified by sha256 against pyodide-lock.json; the manifest is exact."""
import hashlib
import json
import os
import shutil
import subprocess

import pytest

from builder import dist, runtime

ROOT = runtime.ROOT
DIST = os.path.join(ROOT, "dist")
WHEELS = os.path.join(runtime.CACHE, "pyodide-wheels")  # filled, verified, by the build


def engine_wheels():
    """Every wheel the app loads: the engine's at start-up, the baselines' on first use."""
    return runtime.wanted_files(runtime.ENGINE_PACKAGES + runtime.BASELINE_PACKAGES)


@pytest.fixture
def wheel_dir(tmp_path):
    """A local --pyodide-wheels folder holding genuine copies of every wheel the app loads."""
    src = tmp_path / "wheels"
    src.mkdir()
    for name in engine_wheels():
        shutil.copyfile(os.path.join(WHEELS, name), src / name)
    return src


def test_genuine_wheels_are_accepted(wheel_dir, tmp_path):
    names = runtime.collect_wheels(str(tmp_path / "dest"), str(wheel_dir))
    assert set(engine_wheels()) <= set(names)
    for name in names:
        assert (tmp_path / "dest" / name).read_bytes() == (wheel_dir / name).read_bytes()


def test_tampered_wheel_is_refused_naming_file_and_hashes(wheel_dir, tmp_path):
    name = next(n for n in engine_wheels() if n.startswith("numpy"))
    with open(wheel_dir / name, "ab") as f:
        f.write(b"\0tampered")
    actual = hashlib.sha256((wheel_dir / name).read_bytes()).hexdigest()
    with pytest.raises(runtime.WheelError) as err:
        runtime.collect_wheels(str(tmp_path / "dest"), str(wheel_dir))
    msg = str(err.value)
    assert name in msg and engine_wheels()[name] in msg and actual in msg
    assert not (tmp_path / "dest" / name).exists()


def test_missing_wheel_is_refused(wheel_dir, tmp_path):
    name = next(n for n in engine_wheels() if n.startswith("numpy"))
    os.remove(wheel_dir / name)
    with pytest.raises(runtime.WheelError, match=f"missing: .*{name}"):
        runtime.collect_wheels(str(tmp_path / "dest"), str(wheel_dir))


def test_manifest_lists_every_file_in_dist_with_its_hash():
    with open(os.path.join(DIST, "manifest.json")) as f:
        manifest = {e["path"]: e for e in json.load(f)["files"]}
    on_disk = set()
    for dirpath, _, names in os.walk(DIST):
        for name in names:
            rel = os.path.relpath(os.path.join(dirpath, name), DIST)
            if rel != "manifest.json" and not rel.endswith((".gz", ".br")):
                on_disk.add(rel)
    assert on_disk == set(manifest) | set(dist.HOST_FILES)  # the host's files are not the app's
    for rel, entry in manifest.items():
        data = open(os.path.join(DIST, rel), "rb").read()
        assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest(), rel


def test_dist_holds_only_what_the_app_loads():
    names = {os.path.basename(p) for p in json.load(open(os.path.join(DIST, "manifest.json")))["files"]
             for p in [p["path"]]}
    wanted = engine_wheels()
    wheels = {n for n in names if n.endswith((".whl", ".zip")) and n not in ("python_stdlib.zip", "engine.zip")}
    assert wheels == set(wanted)
    assert not any(n.endswith(".map") for n in names)


def encoded_copies(ext):
    return [os.path.join(d, n) for d, _, names in os.walk(DIST) for n in names if n.endswith(ext)]


def test_every_gzip_copy_matches_its_file():
    """The server prefers .gz: a stale one would serve old code (a same-size edit once did)."""
    import gzip
    for path in encoded_copies(".gz"):
        with open(path[:-3], "rb") as plain:
            assert gzip.decompress(open(path, "rb").read()) == plain.read(), path


def test_every_brotli_copy_matches_its_file():
    """Chromium takes brotli first; each .br must decode (with Node's zlib) to its file exactly."""
    paths = encoded_copies(".br")
    assert any(p.endswith("pyodide.asm.wasm.br") for p in paths) and any(p.endswith(".whl.br") for p in paths)
    script = ("const fs = require('fs'), zlib = require('zlib'), crypto = require('crypto');"
              "for (const p of JSON.parse(process.argv[1])) console.log(crypto.createHash('sha256')"
              ".update(zlib.brotliDecompressSync(fs.readFileSync(p))).digest('hex'));")
    out = subprocess.run(["node", "-e", script, json.dumps(paths)], capture_output=True, text=True, check=True)
    for path, digest in zip(paths, out.stdout.split()):
        assert digest == runtime.sha256_file(path[:-3]), path


def test_encoded_copies_exist_only_where_smaller():
    entries = json.load(open(os.path.join(DIST, "manifest.json")))["files"]
    for e in entries:
        for ext, key in ((".gz", "gzip_size"), (".br", "br_size")):
            path = os.path.join(DIST, e["path"] + ext)
            assert (e[key] is not None) == os.path.exists(path), path
            assert e[key] is None or e[key] == os.path.getsize(path) < e["size"], path
    assert sum(e["br_size"] is not None for e in entries) > 40


def test_the_ui_thread_gets_every_module_its_python_imports():
    """PyScript gives MicroPython only the files of builder/dist.py UI_FILES: each module those
    files import from this repository must be among them (else the page stops at an ImportError)."""
    import ast
    from builder.dist import ROOT, UI_FILES
    shipped = {rel[:-len(".py")].replace("/", ".") for rel in UI_FILES}
    for rel in UI_FILES:
        tree = ast.parse(open(os.path.join(ROOT, rel)).read())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [node.module + "." + a.name for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.split(".")[0] in ("app", "data", "models") and os.path.exists(
                        os.path.join(ROOT, *name.split(".")) + ".py"):
                    assert name in shipped, "%s imports %s, which the page is not given" % (rel, name)
