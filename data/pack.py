"""A dataset packed for the browser: a small JSON header (the arrays' layout, the dataset's
description and its other plain fields) then raw little-endian arrays. The browser and CPython
read this same form, so they work on identical float32 values.

    to_bytes({"train_x": ..., "train_y": ..., "about": {...}, "kind": "rows"}) -> bytes
    from_bytes(blob) -> the same dict (sample arrays float32, label arrays int64)
"""
import json
import struct

import numpy as np

MAGIC = b"AEXDATA\x01"
# How each array travels: samples and series as float32, labels as small integers.
_WIRE = {"f": "<f4", "i": "<i2"}


class PackError(ValueError):
    pass


def to_bytes(ds):
    parts, header, offset = [], {"arrays": {}}, 0
    for key, value in ds.items():
        if not isinstance(value, np.ndarray):
            header[key] = value
            continue
        arr = np.ascontiguousarray(value, dtype=_WIRE["f" if value.dtype.kind == "f" else "i"])
        header["arrays"][key] = {"dtype": arr.dtype.str, "shape": list(arr.shape), "offset": offset}
        parts.append(arr.tobytes())
        offset += arr.nbytes
    head = json.dumps(header).encode()
    return MAGIC + struct.pack("<I", len(head)) + head + b"".join(parts)


def from_bytes(blob):
    blob = bytes(blob)
    if blob[:8] != MAGIC:
        raise PackError("prepared data: not a dataset pack (bad magic)")
    (n,) = struct.unpack("<I", blob[8:12])
    header = json.loads(blob[12:12 + n])
    body = memoryview(blob)[12 + n:]
    out = {}
    for key, h in header.pop("arrays").items():
        dt = np.dtype(h["dtype"])
        count = int(np.prod(h["shape"]))
        arr = np.frombuffer(body, dtype=dt, count=count, offset=h["offset"]).reshape(h["shape"])
        out[key] = arr.astype(np.float32 if dt.kind == "f" else np.int64)
    out.update(header)
    return out
