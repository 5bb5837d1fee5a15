import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: see build.py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def ecg_dir():
    """ECG5000 for tests: $ECG5000_DIR, else the shared copy beside the repo."""
    return os.environ.get("ECG5000_DIR") or os.path.join(ROOT, "..", "shared", "data", "ecg5000")
