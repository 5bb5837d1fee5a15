"""Find ECG5000 for the build: --data DIR, $ECG5000_DIR, ../shared/data/ecg5000, else download.

A download is trusted only if each file's git blob id equals the archive original's
(see data/ecg5000.py). A local folder is validated for structure, not hash: the copy
used in CI holds TEST rounded to 2 decimals.
"""
import io
import os
import urllib.request
import zipfile

from data import ecg5000

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCHIVE_URL = "https://www.timeseriesclassification.com/aeon-toolkit/ECG5000.zip"
SIBLING = os.path.join(ROOT, "..", "shared", "data", "ecg5000")


def locate(data_dir, log):
    """The folder to read, and where it came from (for the build log)."""
    if data_dir:
        return data_dir, "--data"
    if os.environ.get("ECG5000_DIR"):
        return os.environ["ECG5000_DIR"], "ECG5000_DIR"
    if os.path.isdir(SIBLING):
        return SIBLING, "../shared/data/ecg5000"
    return download(os.path.join(ROOT, ".cache", "ecg5000"), log), "download"


def download(folder, log, url=ARCHIVE_URL):
    names = [ecg5000.POOL_FILE, ecg5000.TEST_FILE]
    if all(_identity_ok(os.path.join(folder, n), n) for n in names):
        return folder
    log(f"downloading ECG5000 from the UCR/UEA archive ({url})")
    with urllib.request.urlopen(url, timeout=60) as r:
        blob = r.read()
    os.makedirs(folder, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        for name in names:
            data = z.read(name)
            actual = ecg5000.git_blob_id(data)
            if actual != ecg5000.ORIGINAL_BLOBS[name]:
                raise ecg5000.DataError(f"{name} from {url}: git blob id {actual}, "
                                        f"expected {ecg5000.ORIGINAL_BLOBS[name]}: not the archive's file")
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
    return folder


def _identity_ok(path, name):
    try:
        with open(path, "rb") as f:
            return ecg5000.git_blob_id(f.read()) == ecg5000.ORIGINAL_BLOBS[name]
    except OSError:
        return False
