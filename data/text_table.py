"""A user's text table: decode its bytes, find its delimiter, decimal mark and header, and read its
numbers with NumPy's C parser (data/user_file.py decides what the numbers are).

Every refusal is a FileError whose message starts with the file's name and names the line (1-based,
counted as an editor counts them: header and blank lines included) and column (1-based) where
there is one. NumPy reads the numbers; only when it refuses do we walk the lines in Python, to find
the first line and column it could not read and say why in words (its own message counts rows
without the header or the blank lines, which is not what the user's editor shows).

Plain NumPy and the standard library: runs in CPython and in the browser's Pyodide worker.
"""
import math

import numpy as np


class FileError(ValueError):
    """A user's file cannot be read as samples; the message names the file, and the line and column."""


CAP = 100  # characters of user text (file names, headers, labels, cells) quoted in a message

# Files people pick by mistake; each starts with its own signature. A ZIP is also what an .xlsx is.
BINARY = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF87a", "a GIF image"),
          (b"GIF89a", "a GIF image"), (b"%PDF", "a PDF document"),
          (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one too)"), (b"\x1f\x8b", "a gzip-compressed file"))


CHOICES = {"format": ("rows", "series"), "delimiter": (",", "\t", ";", "whitespace"), "decimal": (".", ","),
           "header": (True, False), "labels": ("first", "none")}
OPTIONS = tuple(CHOICES) + ("value_column", "label_column")


def cap(text):
    """User text as it is (never escaped: the UI shows messages as text), cut to CAP characters."""
    text = str(text)
    return text if len(text) <= CAP else text[:CAP] + "…"


def plural(n, word):
    return f"{n:,} {word}{'s' * (n != 1)}"


def check_options(options, name):
    """The options checked (see data/user_file.py): None for a key means 'detect it'."""
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise FileError(f"{name}: options must be a dict of {', '.join(OPTIONS)}")
    for key, value in options.items():
        if key not in OPTIONS:
            raise FileError(f"{name}: options: unknown option '{cap(key)}' (known: {', '.join(OPTIONS)})")
        if value is None:
            continue
        if key in CHOICES:
            if value not in CHOICES[key] or isinstance(value, bool) != (key == "header"):
                allowed = ", ".join("tab" if c == "\t" else repr(c) for c in CHOICES[key])
                raise FileError(f"{name}: options: {key} '{cap(value)}' is not one of {allowed}")
        elif not isinstance(value, int) or isinstance(value, bool) or value < (1 if key == "value_column" else 0):
            least = "1" if key == "value_column" else "0 (none)"
            raise FileError(f"{name}: options: {key} '{cap(value)}' is not a column number (1-based, at least {least})")
    return dict(options)


def resolved(fmt, **found):
    """Every option, as found: None where one does not apply."""
    out = dict.fromkeys(OPTIONS)
    out.update(found, format=fmt)
    return out


def decode(blob, name):
    """The file's text: UTF-8 (its BOM dropped) or UTF-16 with a BOM; anything else is refused."""
    for magic, what in BINARY:
        if blob.startswith(magic):
            raise FileError(f"{name}: looks like {what}, not a text table")
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = blob.decode("utf-16")  # the BOM says which byte order, and is dropped
        except UnicodeDecodeError as e:
            raise FileError(f"{name}: starts with a UTF-16 byte-order mark but is not valid UTF-16 "
                            f"(byte {e.start:,}); save it as UTF-8") from None
        if "\0" in text:
            raise FileError(f"{name}: contains NUL characters: looks like a binary file, not a text table")
        return text
    if b"\0" in blob:
        raise FileError(f"{name}: {_nul_guess(blob)}")
    try:
        return blob.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = blob.count(b"\n", 0, e.start) + 1
        raise FileError(f"{name}, line {line}: byte 0x{blob[e.start]:02x} is not UTF-8 (the file may be Latin-1 or "
                        f"Windows-1252 text); save it as UTF-8, or as UTF-16 with a byte-order mark") from None


def _nul_guess(blob):
    # Text in UTF-16 has a NUL in every other byte (for Latin letters and digits); without a BOM its
    # byte order is a guess, and so is whether it is text at all: we say what it looks like.
    head = blob[:4096]
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if max(odd, even) > 0.4 * (len(head) // 2) and min(odd, even) < 0.05 * (len(head) // 2):
        order = "little-endian" if odd > even else "big-endian"
        return (f"looks like UTF-16 text ({order}) without a byte-order mark (BOM); "
                f"save it as UTF-8, or as UTF-16 with a BOM")
    first = blob.find(b"\0")
    return f"contains NUL bytes (the first at byte {first:,}): looks like a binary file, not a text table"


def split_lines(text):
    """Lines as an editor counts them: \\r\\n, \\n and a lone \\r each end one (str.splitlines would
    also split at form feeds and Unicode separators, and the line numbers would drift)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def fields(line, delimiter):
    """A line's cells; delimiter None is any run of whitespace."""
    return line.split() if delimiter is None else line.split(delimiter)


def clean(cell):
    """A header name or label as the user wrote it: surrounding spaces and one pair of quotes dropped."""
    s = cell.strip()
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] == '"' else s


def number(cell, decimal="."):
    """The cell's value, or None when NumPy's parser would not read it as a number (it reads ASCII
    only and no '_', which Python's float() accepts)."""
    s = clean(cell)
    if decimal == ",":
        s = s.replace(",", ".")
    if not s.isascii() or "_" in s:
        return None
    try:
        return float(s)
    except ValueError:
        return None


def line_numbers(lines, first):
    """The 1-based line numbers of the non-blank lines from index `first` (for messages only: O(n))."""
    return [k + 1 for k in range(first, len(lines)) if lines[k].strip()]


def detect(lines, start, options, name):
    """Delimiter (None for whitespace), decimal mark and whether line `start` is a header, each taken
    from `options` when given. See data/user_file.py's docstring for the rules."""
    head = []
    for line in lines[start:]:
        if line.strip():
            head.append(line)
            if len(head) == 21:
                break
    sample = head[1:] or head  # the lines that are data whether or not the first is a header
    delimiter = options.get("delimiter")
    if delimiter is None:
        delimiter = next((d for d in ("\t", ";", ",") if any(d in line for line in sample)), "whitespace")
    delimiter = None if delimiter == "whitespace" else delimiter
    decimal = options.get("decimal")
    if decimal is None:
        decimal = "." if delimiter == "," else (
            "," if any("," in c and number(c, ",") is not None for line in sample for c in fields(line, delimiter))
            else ".")
    if decimal == "," and delimiter == ",":
        raise FileError(f"{name}: options: decimal ',' cannot be used with delimiter ','")
    header = options.get("header")
    if header is None:
        first = fields(head[0], delimiter)
        # A header has a name that is not a number. The first column may hold text labels on every
        # line ("normal,0.1,0.2"), so text (or nothing: pandas' index column) there makes a header
        # only when the line below holds a number in that column.
        below = fields(head[1], delimiter)[0] if len(head) > 1 else ""
        header = (any(c.strip() and number(c, decimal) is None for c in first[1:])
                  or number(first[0], decimal) is None and number(below, decimal) is not None)
    return delimiter, decimal, bool(header)


def read_numbers(data, block, where, delimiter, decimal, ncols, skip=0, usecols=None):
    """Float32 array (rows, columns) of the numbers in `block`: the non-blank lines `data` (each of
    `ncols` cells), or those lines with their first `skip` cells (a label column) split off.
    usecols: 0-based columns of `data` to read (others are ignored, a timestamp say). where(i) is
    the 1-based line number of data[i]; raises FileError naming the first cell NumPy could not read."""
    text = [line.replace(",", ".") for line in block] if decimal == "," else block
    want = len(usecols) if usecols else ncols - skip
    try:
        # float32 straight away: NumPy reads each number as a double and rounds it once to float32,
        # the same values as float64 then astype, without a float64 copy twice the size
        x = np.loadtxt(text, delimiter=delimiter, dtype=np.float32, comments=None, ndmin=2, quotechar='"',
                       usecols=usecols)
        if x.shape == (len(data), want):
            return x
        problem = "NumPy read %d rows of %d values" % x.shape  # a label-only line reads as blank, say
    except ValueError as e:
        problem = str(e)
    found = fault(data, where, delimiter, decimal, ncols, skip, usecols)
    raise FileError(f"{where.name}, {found}" if found else f"{where.name}: {problem}")


def fault(data, where, delimiter, decimal, ncols, skip=0, usecols=None):
    """The first ragged line, empty cell or text where a number should be, in words (None if none)."""
    for i, line in enumerate(data):
        cells = fields(line, delimiter)
        if len(cells) != ncols:
            return f"line {where(i)} has {plural(len(cells), 'column')}, the lines before it {ncols:,}"
        for c in usecols or range(skip, ncols):
            if not cells[c].strip():
                return f"line {where(i)}, column {c + 1}: the cell is empty"
            if number(cells[c], decimal) is None:
                return f"line {where(i)}, column {c + 1}: '{cap(cells[c].strip())}' is not a number"
    return None


def check_finite(x, data, where, delimiter, decimal, skip=0, usecols=None):
    """NaN, infinity or a number past float32's range (it became infinity) is refused at its cell."""
    bad = ~np.isfinite(x)
    if not bad.any():
        return
    r, c = divmod(int(np.argmax(bad)), x.shape[1])
    col = usecols[c] if usecols else c + skip
    cell = clean(fields(data[r], delimiter)[col])
    value = number(cell, decimal)
    why = ("is too large for float32 (at most ±3.4e38)" if value is not None and math.isfinite(value)
           else "is not a finite number")
    raise FileError(f"{where.name}, line {where(r)}, column {col + 1}: {cap(cell)} {why}")


class Where:
    """Line numbers of data lines, worked out only when a message needs one."""

    def __init__(self, name, lines, first):
        self.name, self._lines, self._first, self._numbers = name, lines, first, None

    def __call__(self, i):
        if self._numbers is None:
            self._numbers = line_numbers(self._lines, self._first)
        return self._numbers[i]
