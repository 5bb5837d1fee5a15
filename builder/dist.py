"""Assemble dist/: the page, the Python it runs, runtimes, data, chart specs and a manifest.

Files are written only when their content changed, and gzip copies are cached by content
hash, so a rebuild with nothing new takes about a second.
"""
import glob
import hashlib
import io
import json
import os
import subprocess
import time
import zipfile

from builder import bytecode, dataset, runtime
from data import gallery

ROOT = runtime.ROOT
DIST = os.path.join(ROOT, "dist")
CACHE = runtime.CACHE
NM = runtime.NODE_MODULES

# Python the browser runs. UI thread (MicroPython): the page logic plus the settings table and
# link codec (with its value, number and URL-text modules), the engine's protocol and the dataset's
# description it shares with CPython. Engine worker (Pyodide): NumPy model and data code.
UI_FILES = ["app/main.py", "app/__init__.py", "app/protocol.py", "app/control_text.py", "app/drawing.py",
            "app/ui_activity.py", "app/ui_common.py", "app/ui_config.py", "app/ui_controls.py",
            "app/ui_intro.py", "app/ui_train.py", "app/ui_links.py", "app/ui_files.py", "app/ui_data.py", "app/ui_compare.py",
            "app/ui_linked.py",
            "data/__init__.py", "data/about.py", "data/gallery.py", "data/limits.py", "models/__init__.py", "models/settings.py", "models/links.py",
            "models/link_values.py", "models/exact_numbers.py", "models/url_text.py", "models/threshold_scale.py",
            "models/detectors.py",
            "app/history_record.py", "app/ui_history.py"]
ENGINE_PACKAGES_DIRS = ["models", "data"]
ENCODED = (".gz", ".br")  # precompressed copies the server picks by Accept-Encoding
COMPRESSIBLE = (".js", ".mjs", ".css", ".html", ".json", ".wasm", ".py", ".svg", ".bin", ".txt", ".webmanifest")
# Loaded only on demand (PyScript's editor/terminal extras, the gallery's other datasets; and
# scikit-learn's wheels, runtime.baseline_only_files): not part of a first visit.
LAZY = ("codemirror", "xterm", "manifest.json") + tuple("%s.bin" % k for k in gallery.KEYS if k != gallery.DEFAULT)
# Command-line modules that the worker never imports.
NOT_FOR_WORKER = ("train.py", "bench.py")
# For the host, not the app (no manifest entry, never fetched): GitHub Pages, deployed from a
# branch, runs Jekyll, which drops every file whose name starts with _ (app/__init__.py...) unless
# the site holds a .nojekyll.
HOST_FILES = {".nojekyll": b""}


def build(data_dir=None, wheels_dir=None, timings=None, log=None):
    log = log or (lambda m: print(f"[build] {m}", flush=True))
    timings = timings if timings is not None else []
    t0 = time.perf_counter()

    def timed(name, fn, *a):
        t = time.perf_counter()
        out = fn(*a)
        if time.perf_counter() - t > 0.5:
            timings.append((name, time.perf_counter() - t))
        return out

    timed("npm packages", runtime.ensure_node_modules, log)
    wheels = timed("Pyodide wheels (verify)", runtime.collect_wheels,
                   os.path.join(CACHE, "pyodide-wheels"), wheels_dir, log)
    files = {}  # dist path -> bytes or source path
    add_runtimes(files, wheels)
    ahead = _compress_ahead(files)
    timed("data", add_data, files, data_dir, log)
    timed("chart specs (Altair, compiled to Vega)", add_specs, files)
    timed("pretrained model", add_pretrained, files, log)
    engine = add_app(files)
    timed("bytecode (Pyodide under Node)", add_bytecode, files, engine, log)
    files["sw.js"] = stamp_service_worker(files)
    files.update(HOST_FILES)
    changed = timed("write dist/", write_tree, files)
    manifest = timed("manifest + gzip", finish, log, ahead)
    total = sum(e["size"] for e in manifest["files"])
    first = first_visit_bytes(manifest)
    log(f"dist/: {len(manifest['files'])} files, {total / 1e6:.1f} MB; a first visit downloads about "
        f"{first['br'] / 1e6:.1f} MB compressed ({first['gzip'] / 1e6:.1f} MB with gzip only, "
        f"{first['plain'] / 1e6:.1f} MB from a host that compresses nothing) "
        f"({changed} files changed, {time.perf_counter() - t0:.1f} s)")
    for name, secs in timings:
        log(f"  set-up step {name}: {secs:.1f} s")
    return manifest


def is_lazy(path):
    name = os.path.basename(path)
    return (any(m in name for m in LAZY) or path.endswith(ENCODED)
            or path.startswith("pyodide/") and name in runtime.baseline_only_files())


def add_data(files, data_dir, log):
    from data import ecg5000, pack
    folder, origin = dataset.locate(data_dir, log)
    sources = [os.path.join(folder, n) for n in (ecg5000.POOL_FILE, ecg5000.TEST_FILE)]
    code = glob.glob(os.path.join(ROOT, "data", "*.py"))  # the pack's format and the description
    key = hashlib.sha256(b"".join(_sha(p).encode() for p in sorted(code) + sources if os.path.isfile(p))).hexdigest()
    cached = os.path.join(CACHE, f"ecg5000-{key[:16]}.bin")
    if not os.path.exists(cached):
        log(f"reading ECG5000 from {folder} ({origin})")
        ds = ecg5000.load_folder(folder)
        os.makedirs(CACHE, exist_ok=True)
        with open(cached + ".part", "wb") as f:
            f.write(pack.to_bytes(ds))
        os.replace(cached + ".part", cached)
    files["data/ecg5000.bin"] = cached
    add_gallery(files, key, log)


def add_gallery(files, key, log):
    """The gallery's other datasets, packed from the pinned aeon wheel (builder/gallery.py)."""
    from builder import gallery as gallery_files
    from data import gallery, pack
    for name in gallery.KEYS:
        if name == "ecg5000":
            continue
        cached = os.path.join(CACHE, f"{name}-{key[:16]}.bin")
        if not os.path.exists(cached):
            ds = gallery_files.load(name, log)
            with open(cached + ".part", "wb") as f:
                f.write(pack.to_bytes(ds))
            os.replace(cached + ".part", cached)
        files[gallery.data_path(name)] = cached


def add_specs(files):
    """The charts as Vega specs: written with Altair (Vega-Lite), compiled by vega-lite in Node."""
    from app import charts
    from data import ecg5000
    sources = [os.path.join(ROOT, "app", "charts.py"), os.path.join(ROOT, "builder", "vega_specs.mjs"),
               os.path.join(NM, "vega-lite", "package.json"), *sorted(glob.glob(os.path.join(ROOT, "data", "*.py")))]
    key = hashlib.sha256(b"".join(_content(p) for p in sources)).hexdigest()[:16]
    cached = os.path.join(CACHE, f"specs-{key}.json")
    if not os.path.exists(cached):
        os.makedirs(CACHE, exist_ok=True)
        with open(cached + ".vl", "w") as f:
            json.dump(charts.all_specs(ecg5000.ABOUT), f, separators=(",", ":"))
        subprocess.run(["node", sources[1], cached + ".vl", cached + ".part"], cwd=ROOT, check=True)
        os.replace(cached + ".part", cached)
        os.remove(cached + ".vl")
    files["specs.json"] = cached


def add_pretrained(files, log):
    """The model the introduction view starts with, trained in CPython with a fixed seed."""
    from app import pretrained
    files.update(pretrained.build(files["data/ecg5000.bin"], CACHE, log))


def add_app(files):
    """The page, the UI thread's Python, and the engine's sources ({bundle path: source path})."""
    for path in glob.glob(os.path.join(ROOT, "static", "*")):
        files[os.path.basename(path)] = path
    for rel in UI_FILES:
        if os.path.exists(os.path.join(ROOT, rel)):
            files[rel] = os.path.join(ROOT, rel)
    engine = {f"app/{name}": os.path.join(ROOT, "app", name) for name in ("__init__.py", "engine.py", "protocol.py")}
    for pkg in ENGINE_PACKAGES_DIRS:
        for path in sorted(glob.glob(os.path.join(ROOT, pkg, "*.py"))):
            if os.path.basename(path) not in NOT_FOR_WORKER:
                engine[f"{pkg}/{os.path.basename(path)}"] = path
    files["models/fastmath.wasm"] = assemble_kernels()  # also read by the training benchmark
    # PyScript gives the UI thread's MicroPython the ui.json files.
    files["ui.json"] = json.dumps({
        "interpreter": "./micropython/micropython.mjs",
        "files": {"./" + rel: "./" + rel for rel in UI_FILES if rel != "app/main.py"
                  and os.path.exists(os.path.join(ROOT, rel))},
    }).encode()
    add_preloads(files)
    add_dataset_about(files)
    return engine


PRELOADS_MARK = b"<!-- preloads: filled in by the build (builder/dist.py add_preloads) -->"


def add_preloads(files):
    """Preload links, in index.html, for what PyScript fetches one after another before the page's
    Python runs (its config, then MicroPython's module and WebAssembly, then our files): asked for
    at once, the page is built ~0.15 s sooner on a first visit, and so the engine starts sooner."""
    ui = json.loads(files["ui.json"])
    fetched = ["ui.json", ui["interpreter"], ui["interpreter"][:-len(".mjs")] + ".wasm", "app/main.py",
               *ui["files"]]
    links = []
    for path in (p.removeprefix("./") for p in fetched):
        if path.endswith(".mjs"):
            links.append(f'<link rel="modulepreload" href="{path}">')
        else:  # as fetch() asks: same-origin credentials, which is what crossorigin means here
            links.append(f'<link rel="preload" href="{path}" as="fetch" crossorigin>')
    page = _content(files["index.html"])
    if PRELOADS_MARK not in page:
        raise ValueError("static/index.html lost its preloads mark")
    files["index.html"] = page.replace(PRELOADS_MARK, "\n".join(links).encode())


ABOUT_MARK = b"<!-- the dataset's description: filled in by the build (builder/dist.py add_dataset_about) -->"


def add_dataset_about(files):
    """The built-in dataset's description (data/about.py) inside index.html, so the UI knows a
    sample's length and the classes as it starts, before the engine has loaded the data."""
    from data import ecg5000
    page = _content(files["index.html"])
    if ABOUT_MARK not in page:
        raise ValueError("static/index.html lost its dataset description mark")
    about = json.dumps(ecg5000.ABOUT, separators=(",", ":")).replace("</", "<\\/")
    files["index.html"] = page.replace(ABOUT_MARK, about.encode())


def bytecode_replaced():
    """The runtimes' files add_bytecode replaces with bytecode-compiled copies."""
    compiled = runtime.package_files(runtime.ENGINE_PACKAGES + runtime.BASELINE_PACKAGES)
    return {"pyodide/python_stdlib.zip"} | {f"pyodide/{name}" for name in compiled}


def add_bytecode(files, engine, log):
    """Swap Pyodide's standard library, NumPy and scikit-learn's wheels (with SciPy's, joblib's,
    threadpoolctl's and OpenBLAS's) for bytecode-compiled copies, their entries stored (the lock
    gets each new file's sha256, which Pyodide checks): importing scikit-learn's detectors compiled
    ~1,000 modules in the worker, 2 s of a warm Compare's 3. And pack the engine's files with their bytecode
    into engine.zip: the worker (static/engine-worker.mjs) fetches that one file as it starts,
    where one request per module cost about 0.3 s through the service worker."""
    lock = runtime.pyodide_lock()
    compiled = runtime.package_files(runtime.ENGINE_PACKAGES + runtime.BASELINE_PACKAGES)
    out = bytecode.compile_for_browser(
        files["pyodide/python_stdlib.zip"], {n: files[f"pyodide/{n}"] for n in compiled}, engine, log)
    for name, package in compiled.items():
        files[f"pyodide/{name}"] = out.pop(f"pyodide/{name}")
        lock["packages"][package]["sha256"] = _sha(files[f"pyodide/{name}"])
    files["pyodide/python_stdlib.zip"] = out.pop("pyodide/python_stdlib.zip")
    files["pyodide/pyodide-lock.json"] = json.dumps(lock, separators=(",", ":")).encode()
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as z:
        for rel, src in sorted({**engine, **out, "models/fastmath.wasm": files["models/fastmath.wasm"]}.items()):
            z.writestr(zipfile.ZipInfo(rel, (1980, 1, 1, 0, 0, 0)), _content(src))
    files["engine.zip"] = bundle.getvalue()
    numpy = lock["packages"]["numpy"]
    python_files = hashlib.sha256()
    for name in ("pyodide/pyodide.asm.wasm", "pyodide/pyodide.asm.js", "pyodide/python_stdlib.zip",
                 "pyodide/" + numpy["file_name"], "engine.zip", "numpy-wheel.mjs", "pyodide-fast-paths.mjs",
                 "snapshot-worker.mjs"):
        python_files.update(_content(files[name]))
    files["engine.json"] = json.dumps({
        # names the Python memory snapshot the worker keeps (NumPy and the engine imported): it
        # fits only these exact files, and only the code that made it
        "runtime": python_files.hexdigest()[:16],
        # what the worker's fast start-up (static/pyodide-fast-paths.mjs) was built for: it runs only
        # on this Pyodide with this NumPy wheel in its lock; the wheel downloads while Pyodide boots
        "pyodide": runtime.pinned_version("pyodide"),
        "numpy": {"file_name": numpy["file_name"], "sha256": numpy["sha256"]},
    }).encode()


def assemble_kernels():
    """models/fastmath.wat -> the WebAssembly SIMD kernels the worker's NumPy code calls (cached)."""
    sources = [os.path.join(ROOT, "models", "fastmath.wat"), os.path.join(ROOT, "builder", "wat2wasm.mjs")]
    key = hashlib.sha256(b"".join(_content(p) for p in sources)).hexdigest()[:16]
    cached = os.path.join(CACHE, f"fastmath-{key}.wasm")
    if not os.path.exists(cached):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run(["node", sources[1], sources[0], cached + ".part"], cwd=ROOT, check=True)
        os.replace(cached + ".part", cached)
    return cached


def add_runtimes(files, wheels):
    pyo = os.path.join(NM, "pyodide")
    for name in ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"):
        files[f"pyodide/{name}"] = os.path.join(pyo, name)
    for name in wheels:
        files[f"pyodide/{name}"] = os.path.join(CACHE, "pyodide-wheels", name)
    mp = os.path.join(NM, "@micropython", "micropython-webassembly-pyscript")
    for name in ("micropython.mjs", "micropython.wasm"):
        files[f"micropython/{name}"] = os.path.join(mp, name)
    core = os.path.join(NM, "@pyscript", "core", "dist")
    for path in glob.glob(os.path.join(core, "*")):
        name = os.path.basename(path)
        if not name.endswith(".map") and name != "service-worker.js":
            files[f"pyscript/{name}"] = path
    # no vega-lite: the specs are compiled to Vega (add_specs); vega-interpreter runs their
    # expressions without eval (static/charts.js), which the page's Content-Security-Policy forbids
    for pkg in ("vega", "vega-interpreter", "vega-embed"):
        files[f"vendor/{pkg}.min.js"] = os.path.join(NM, pkg, "build", f"{pkg}.min.js")
    files["vendor/vega-embed.css"] = vega_embed_css()


def vega_embed_css():
    """vega-embed's own styles (its action menu, and its tooltips from vega-tooltip) as a style
    sheet: by default it writes them into <style> elements, which the page's Content-Security-Policy
    refuses (static/charts.js turns that off). Taken from the packages' sources, and checked to be
    exactly the text the pinned vega-embed.min.js would have written, so an upgrade cannot drift."""
    bundle = _content(os.path.join(NM, "vega-embed", "build", "vega-embed.min.js")).decode()
    parts = []
    for pkg in ("vega-embed", "vega-tooltip"):
        source = _content(os.path.join(NM, pkg, "src", "style.ts")).decode()
        css = source[source.index("`") + 1:source.rindex("`")]
        if css.replace("\n", "\\n") not in bundle:
            raise ValueError(f"{pkg}/src/style.ts is not the style vega-embed.min.js embeds: "
                             f"update builder/dist.py vega_embed_css")
        parts.append(f"/* {pkg} {_package_version(pkg)} (src/style.ts) */\n{css}")
    return "\n".join(parts).encode()


def _package_version(pkg):
    with open(os.path.join(NM, pkg, "package.json")) as f:
        return json.load(f)["version"]


def stamp_service_worker(files):
    """static/sw.js with its cache VERSION set to a hash of every other file's content."""
    h = hashlib.sha256()
    for rel in sorted(files):
        if rel != "sw.js":
            h.update(rel.encode() + b"\0" + hashlib.sha256(_content(files[rel])).digest())
    return _content(files["sw.js"]).replace(b"__BUILD_VERSION__", h.hexdigest()[:16].encode())


def _content(src):
    if isinstance(src, bytes):
        return src
    with open(src, "rb") as f:
        return f.read()


def _sha(path):
    return runtime.sha256_file(path)


def write_tree(files):
    """Make dist/ hold exactly `files`, touching only what changed."""
    changed = 0
    for rel, src in files.items():
        dest = os.path.join(DIST, rel)
        data = _content(src)
        if os.path.exists(dest) and os.path.getsize(dest) == len(data):
            with open(dest, "rb") as f:
                if f.read() == data:
                    continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(data)
        changed += 1
    keep = set(files) | {"manifest.json"} | {rel + ext for rel in files for ext in ENCODED}
    for dirpath, _, names in os.walk(DIST, topdown=False):
        for name in names:
            rel = os.path.relpath(os.path.join(dirpath, name), DIST)
            if rel not in keep:
                os.remove(os.path.join(dirpath, name))
        if dirpath != DIST and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return changed


def finish(log, ahead=None):
    """Precompress what compresses well (gzip, and brotli for browsers that take it), then write
    the manifest of every served file. `ahead`: the compression _compress_ahead started."""
    entries = []
    for dirpath, _, names in os.walk(DIST):
        for name in sorted(names):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, DIST)
            if rel == "manifest.json" or rel in HOST_FILES or rel.endswith(ENCODED):
                continue
            entries.append({"path": rel, "size": os.path.getsize(path), "sha256": _sha(path),
                            "gzip_size": None, "br_size": None, "first_visit": not is_lazy(rel)})
    squeeze = [e for e in entries if compressible(os.path.join(DIST, e["path"]))]
    if ahead is not None:
        ahead.wait()  # what it did not make (it failed) is made below
    _brotli_cached(squeeze, log)
    for e in entries:
        e["gzip_size"], e["br_size"] = (_place_encoded(e, ext, e in squeeze) for ext in ENCODED)
    entries.sort(key=lambda e: e["path"])
    manifest = {"files": entries}
    with open(os.path.join(DIST, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def compressible(path):
    """Text and WebAssembly; and zips whose entries are stored (our bytecode zips), where one
    compression over the whole file beats deflate per entry."""
    if path.endswith(COMPRESSIBLE):
        return True
    if path.endswith((".zip", ".whl")):
        with zipfile.ZipFile(path) as z:
            return all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
    return False


def wire_size(entry):
    """Bytes a first visit in Chromium (which takes brotli) transfers for this file."""
    return entry.get("br_size") or entry.get("gzip_size") or entry["size"]


def first_visit_bytes(manifest):
    """What a first visit downloads (the manifest's first_visit files, bytes), by what the host
    serves: "br" its brotli copies (else gzip: `build.py serve`, nginx's brotli_static), "gzip"
    its gzip copies (level 9: nginx's gzip_static), "plain" no compression at all (S3, nginx
    without gzip; a host compressing on the fly lies between, by its level and the types it
    compresses)."""
    first = [e for e in manifest["files"] if e["first_visit"]]
    return {"br": sum(wire_size(e) for e in first), "gzip": sum(e["gzip_size"] or e["size"] for e in first),
            "plain": sum(e["size"] for e in first)}


# Brotli's quality: the highest for what a first visit downloads; for scikit-learn's wheels, only
# fetched when someone first compares (builder/runtime.baseline_only_files), a quicker one: 70 MB
# at quality 11 took 2 minutes of every clean build, for 2 MB (of 16) less to download once.
BROTLI_QUALITY, LAZY_BROTLI_QUALITY = 11, 5


def _encoded_cache(entry, ext):
    name = entry["sha256"] + ext
    if ext == ".br" and is_lazy(entry["path"]):
        name = "%s.q%d%s" % (entry["sha256"], LAZY_BROTLI_QUALITY, ext)
    return os.path.join(CACHE, "gz", name)


def _compress_ahead(files):
    """Starts making the missing compressed copies of the runtimes' files served as the pinned
    packages have them (`files` holds add_runtimes' only), in a Node process of its own, while the
    rest of the build runs: on two cores it leaves one mostly idle (its bytecode step is one Node
    process), and Pyodide's WebAssembly alone takes ~25 s at brotli's quality 11. Returns the
    process (finish waits for it), or None when every copy is cached."""
    todo = []
    replaced = bytecode_replaced()
    for rel, src in files.items():
        if rel not in replaced and isinstance(src, str) and compressible(src):
            entry = {"path": rel, "sha256": _sha(src)}
            todo += [(src, entry, ext) for ext in ENCODED if not os.path.exists(_encoded_cache(entry, ext))]
    if not todo:
        return None
    job = _brotli_job(todo, "ahead")
    return _Compressing(subprocess.Popen(["node", os.path.join(ROOT, "builder", "brotli.mjs"), job]), job)


class _Compressing:
    """A compression job running; wait() returns once it ended, its job file removed."""

    def __init__(self, process, job):
        self.process, self.job = process, job

    def wait(self):
        self.process.wait()
        os.remove(self.job)


def _brotli_job(todo, kind):
    """builder/brotli.mjs's job file that makes the copies in `todo`: (source path, entry, ext)."""
    os.makedirs(os.path.join(CACHE, "gz"), exist_ok=True)
    # one job file per build: builds in other worktrees share this cache, and one overwriting
    # another's job left files without their brotli copy
    job = os.path.join(CACHE, "gz", "brotli-%s-%d.json" % (kind, os.getpid()))
    with open(job, "w") as f:
        json.dump([[src, _encoded_cache(e, ext), "gzip" if ext == ".gz" else
                    LAZY_BROTLI_QUALITY if is_lazy(e["path"]) else BROTLI_QUALITY] for src, e, ext in todo], f)
    return job


def _brotli_cached(entries, log):
    """Brotli at quality 11 is slow (about 30 s for Pyodide's 10 MB of WebAssembly), so every
    missing one is made in one Node run, in parallel, and kept by content hash; the missing gzip
    copies too, in the same run (made here one after another, they took another 8 s of a clean build)."""
    todo = [(e, ".br") for e in entries if not os.path.exists(_encoded_cache(e, ".br"))]
    todo += [(e, ".gz") for e in entries if not os.path.exists(_encoded_cache(e, ".gz"))]
    if not todo:
        return
    log(f"compressing {len(todo)} copies of files, brotli and gzip (cached by content)")
    job = _brotli_job([(os.path.join(DIST, e["path"]), e, ext) for e, ext in todo], "job")
    try:
        subprocess.run(["node", os.path.join(ROOT, "builder", "brotli.mjs"), job], check=True)
    finally:
        os.remove(job)


def _place_encoded(entry, ext, wanted):
    """Write the file's .gz or .br copy beside it (from the cache keyed by content) if wanted and
    smaller, else remove any left from an earlier build; its size, or None."""
    path = os.path.join(DIST, entry["path"])
    dest = path + ext
    if not wanted:
        if os.path.exists(dest):
            os.remove(dest)
        return None
    cache = _encoded_cache(entry, ext)
    if not os.path.exists(cache):  # _brotli_cached made every one
        raise RuntimeError("no %s copy of %s was made" % (ext, entry["path"]))
    data = _content(cache)
    if len(data) >= entry["size"]:  # tiny files: the plain one is smaller, so serve that
        if os.path.exists(dest):
            os.remove(dest)
        return None
    if not (os.path.exists(dest) and _content(dest) == data):  # same size is not same content
        with open(dest, "wb") as f:
            f.write(data)
    return len(data)
