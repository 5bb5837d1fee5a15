"""A user's .npy file -> a float32 array, read without np.load: the header is parsed by NumPy's own
safe reader (a literal, never evaluated code) and the numbers are viewed from the bytes, so an
array of Python objects (a pickle) is refused before anything in it is loaded."""
import io
import math

import numpy as np

from data.text_table import FileError


def read(blob, name, fmt=None):
    """("rows", 2-D float32) or ("series", 1-D float32) from .npy bytes (they start with
    b"\\x93NUMPY"). 2-D is rows, unless it has one column (a series); fmt overrides that guess."""
    f = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(f)
        header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if header is None:
            raise FileError(f"{name}: .npy version {version[0]}.{version[1]} is not supported (1.0 and 2.0 are)")
        shape, fortran, dtype = header(f)
    except FileError:
        raise
    except (ValueError, TypeError, SyntaxError, EOFError):  # NumPy's reasons name Python internals
        raise FileError(f"{name}: not a valid .npy file: its header cannot be read") from None
    if dtype.hasobject:
        raise FileError(f"{name}: holds Python objects (saved with pickle), which are never loaded; save a float array")
    if dtype.names or dtype.kind not in "fiu":
        raise FileError(f"{name}: holds {'a structured array' if dtype.names else dtype.name + ' values'}; "
                        f"a sample file needs a plain array of numbers")
    size = " x ".join(f"{n:,}" for n in shape)
    if len(shape) not in (1, 2):
        raise FileError(f"{name}: has {len(shape)} dimensions ({size}); a sample file needs 2 (one sample per "
                        f"row) or 1 (one series)")
    count, have = math.prod(shape), len(blob) - f.tell()
    if have < count * dtype.itemsize:
        raise FileError(f"{name}: truncated: its header promises {size} {dtype.name} values "
                        f"({count * dtype.itemsize:,} bytes) but only {have:,} bytes follow")
    flat = np.frombuffer(blob, dtype, count, f.tell()) if count else np.zeros(0, dtype)
    arr = flat.reshape(shape, order="F" if fortran else "C")
    fmt = fmt or ("series" if arr.ndim == 1 or shape[1] == 1 else "rows")
    if fmt == "series" and arr.ndim == 2 and 1 not in shape:
        raise FileError(f"{name}: a {size} array is not one series (format series needs one row or column)")
    if fmt == "rows" and arr.ndim == 1:
        raise FileError(f"{name}: a 1-D array is one series; format rows needs a 2-D array, one sample per row")
    if fmt == "series":
        arr = arr.reshape(-1)
    with np.errstate(over="ignore"):
        x = arr.astype(np.float32)
    bad = ~np.isfinite(x)
    if bad.any():
        i = int(np.argmax(bad))
        if fmt == "rows":
            r, c = divmod(i, shape[1])
            where, v = f"row {r + 1}, column {c + 1}", arr[r, c]
        else:
            where, v = f"point {i + 1}", arr[i]
        why = "is too large for float32 (at most ±3.4e38)" if np.isfinite(v) else "is not a finite number"
        raise FileError(f"{name}, {where}: {v} {why}")
    return fmt, x
