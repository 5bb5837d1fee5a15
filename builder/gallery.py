"""The gallery's datasets for the build and the command line: taken from the pinned aeon wheel
(data/gallery.py pins it and its sha256; downloaded from PyPI once into .cache/aeon/), each packed
for the browser as dist/data/<key>.bin.
"""
import os
import subprocess
import sys

from builder import runtime
from data import gallery

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.path.join(ROOT, ".cache", "aeon")


class GalleryError(RuntimeError):
    pass


def wheel(log=print):
    """The verified aeon wheel's path, downloaded from PyPI if it is not cached."""
    path = os.path.join(FOLDER, gallery.AEON_WHEEL)
    if os.path.isfile(path) and runtime.sha256_file(path) == gallery.AEON_SHA256:
        return path
    log(f"downloading {gallery.AEON} (6.4 MB) from PyPI for the gallery's datasets")
    os.makedirs(FOLDER, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                    "--only-binary", ":all:", "-d", FOLDER, gallery.AEON], check=True)
    actual = runtime.sha256_file(path)
    if actual != gallery.AEON_SHA256:
        os.remove(path)
        raise GalleryError(f"{gallery.AEON}: sha256 {actual} does not match the pinned {gallery.AEON_SHA256}")
    return path


def load(key, log=print):
    """A gallery dataset as a dataset dict (ECG5000 excepted: builder/dataset.py finds it)."""
    from data import aeon_files
    return aeon_files.load(key, wheel(log))
