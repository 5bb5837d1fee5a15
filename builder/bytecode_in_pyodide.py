# Runs inside Pyodide 0.27.7 under Node (builder/bytecode.mjs), so the bytecode is made by the
# very CPython 3.12 the browser runs; the host's Python may be another version. The host's file
# system is mounted at /host (job paths start with it). `job` is set by the caller:
#   {"stdlib": [src_zip, dest_zip] | None, "wheels": [[src, dest], ...],
#    "sources": [[src_py, dest_pyc, filename_in_browser], ...]}
import base64
import hashlib
import importlib.util
import marshal
import re
import zipfile

# Development files a wheel carries that nothing imports at run time. Among NumPy's test
# extensions only _multiarray_tests stays: `import numpy` itself imports it.
DROP = re.compile(r"\.(pyi|h|a|pxd|c|pyx|template|build|pc|ini|cfg|md|rst)$"
                  r"|^numpy/f2py/|^numpy/_pyinstaller/|/_examples/"
                  r"|^numpy/_core/_(operand_flag|rational|struct_ufunc|umath)_tests\.")
# numpy.f2py (Fortran wrappers, for a compiler the browser does not have) is dropped, but
# `from numpy import *` imports every name of numpy.__all__, "f2py" included, and scipy's array API
# layer does just that when scikit-learn loads: a stub stands in for it.
F2PY_STUB = (b'"""numpy.f2py is not shipped in the browser: it wraps Fortran for a compiler that is not here.\n'
             b'This stub exists because `from numpy import *` imports it (scipy does, for scikit-learn)."""\n\n\n'
             b'def __getattr__(name):\n'
             b'    raise ImportError("numpy.f2py is not available in the browser (nothing is compiled here)")\n')
STDLIB_IN_BROWSER = "/lib/python312.zip/"
SITE_PACKAGES = "/lib/python3.12/site-packages/"


def pyc(source, filename):
    """An unchecked hash-based .pyc (PEP 552): used as is, whether or not the source is there."""
    code = compile(source, filename, "exec", dont_inherit=True)
    return (importlib.util.MAGIC_NUMBER + (1).to_bytes(4, "little")
            + importlib.util.source_hash(source) + marshal.dumps(code))


def entry(name, date_time, external_attr=0):
    info = zipfile.ZipInfo(name, date_time)
    info.external_attr = external_attr
    return info


def compile_stdlib(src, dest):
    """The standard library zip with each module as bytecode only, stored uncompressed: the
    server compresses the whole file, which shrinks it more than per-entry deflate."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith(".py"):
                zout.writestr(entry(info.filename + "c", info.date_time),
                              pyc(data, STDLIB_IN_BROWSER + info.filename))
            else:
                zout.writestr(entry(info.filename, info.date_time, info.external_attr), data)


def compile_wheel(src, dest):
    """The wheel without development files, with bytecode in place of its Python sources, and
    a RECORD that lists what it now holds. Stored uncompressed, like the standard library:
    brotli over the whole file makes NumPy 1.9 MB on the wire where the original takes 3.1 MB."""
    record, record_name = [], None
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            name = info.filename
            if name.endswith(".dist-info/RECORD"):
                record_name = name
                continue
            if DROP.search(name):
                continue
            data = zin.read(info)
            if name.endswith(".py"):
                data, name = pyc(data, SITE_PACKAGES + name), name + "c"
            zout.writestr(entry(name, info.date_time, info.external_attr), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{name},sha256={digest},{len(data)}")
        stub = "numpy/f2py/__init__.pyc"
        if any(n.startswith("numpy/f2py/") for n in zin.namelist()):
            data = pyc(F2PY_STUB, SITE_PACKAGES + "numpy/f2py/__init__.py")
            zout.writestr(entry(stub, (1980, 1, 1, 0, 0, 0)), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{stub},sha256={digest},{len(data)}")
        if record_name:
            record.append(f"{record_name},,")
            zout.writestr(entry(record_name, (1980, 1, 1, 0, 0, 0)), "\n".join(record) + "\n")


def run(job):
    if job.get("stdlib"):
        compile_stdlib(*job["stdlib"])
    for src, dest in job.get("wheels", []):
        compile_wheel(src, dest)
    for src, dest, filename in job.get("sources", []):
        with open(src, "rb") as f:
            data = pyc(f.read(), filename)
        with open(dest, "wb") as f:
            f.write(data)


run(job)  # noqa: F821 (set by builder/bytecode.mjs)
