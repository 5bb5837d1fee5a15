"""Zips for the zip reader's unit tests (tests/zip_reader.test.mjs), written by Python's zipfile:
an implementation independent of the reader. Never committed; made afresh for every run.

    python tests/zip_fixtures.py FOLDER    writes FOLDER/<name>.zip and FOLDER/contents.json

contents.json: {zip name: {entry name: hex of its bytes}} for the zips the reader must read
(directories are left out, as the reader leaves them out), and the names of those it must refuse."""
import json
import os
import sys
import zipfile

FILES = {  # entry name -> bytes; a folder, an empty file, a non-ASCII name, bytes of every value
    "numpy/__init__.py": b"from ._core import *\n",
    "numpy/_core/": b"",
    "numpy/_core/_multiarray_umath.cpython-312-wasm32-emscripten.so": b"\0asm\1\0\0\0" + bytes(range(256)) * 40,
    "numpy/py.typed": b"",
    "numpy/caf\u00e9.txt": "d\u00e9j\u00e0 vu\n".encode(),
}


def write(path, compression=zipfile.ZIP_STORED, comment=b"", force_zip64=False):
    with zipfile.ZipFile(path, "w", compression) as z:
        z.comment = comment
        for name, data in FILES.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            if name.endswith("/"):
                z.writestr(info, b"")
            else:  # force_zip64: zip64 sizes in each local header, as for files of unknown size
                with z.open(info, "w", force_zip64=force_zip64) as f:
                    f.write(data)


def write_zip64(path):
    """A zip64 archive throughout: zip64 sizes and offsets in every header, and the zip64 end of
    central directory record and locator. zipfile writes those past 4 GiB or 65535 entries; with
    its limits lowered it writes them for these small files."""
    limits = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
    zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 0, 0
    try:
        write(path, force_zip64=True)
    finally:
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = limits
    data = open(path, "rb").read()
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data and data[-22:-18] == b"PK\x05\x06", "not zip64"


def main(folder):
    os.makedirs(folder, exist_ok=True)
    write(os.path.join(folder, "stored.zip"))
    write(os.path.join(folder, "commented.zip"), comment=b"a comment " * 20)
    write(os.path.join(folder, "zip64-local.zip"), force_zip64=True)
    write_zip64(os.path.join(folder, "zip64.zip"))
    write(os.path.join(folder, "deflated.zip"), compression=zipfile.ZIP_DEFLATED)
    contents = {name: data.hex() for name, data in FILES.items() if not name.endswith("/")}
    for name in ("stored", "commented", "zip64-local", "zip64"):  # and zipfile reads them back
        with zipfile.ZipFile(os.path.join(folder, name + ".zip")) as z:
            assert {n: z.read(n).hex() for n in contents} == contents, name
    with open(os.path.join(folder, "contents.json"), "w") as f:
        json.dump(contents, f)


if __name__ == "__main__":
    main(sys.argv[1])
