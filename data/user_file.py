"""A user's own data file -> NumPy samples the autoencoder can train on.

parse(blob, name, options) reads a file of at most MAX_BYTES = 64 MiB (a 50 MB CSV of 100,000 rows
x 140 values fits) into one of two kinds:
  rows    each line is one sample of the same length, maybe with a label in the first column
          (UCR style); to_dataset splits them into training and test sets like ECG5000;
  series  one long series (a single column, or timestamp,value[,is_anomaly] columns), maybe with a
          0/1 anomaly label per point; to_dataset keeps time order (windows are cut later).
preview(parsed) is what the page shows before training. Every refusal is a FileError naming the
file and, where there is one, the line (1-based, as an editor counts, header included) and column.

What is detected, in this order (every step can be overridden by an option of the same name):
  .npy      by its magic b"\\x93NUMPY" (not by the name): 2-D -> rows, 1-D or one column -> series;
            numbers only: objects (pickles, never loaded), structured arrays and >2 dims are refused.
  text      UTF-8 (a BOM is dropped), or UTF-16 with a BOM; NUL bytes, other encodings and known
            binary signatures (PNG, JPEG, GIF, PDF, ZIP, gzip) are refused saying what they look like.
  delimiter in the first 20 lines after the first non-blank one: tab if any has a tab, else ';',
            else ',', else runs of whitespace.
  decimal   ',' only when the delimiter is not ',' and those lines hold numbers written with a comma.
  header    the first non-blank line, when one of its cells after the first is not a number, or its
            first cell is text (or empty) above a number (a first column of text labels on every
            line is data, not a header).
  format    series when there is one column; or the header names a column 'value', or one other
            than the first 'is_anomaly', 'anomaly', 'label' or 'outlier' (rows files keep their
            labels first), and there are at most 3 columns; or it names such an anomaly column and
            there are at most 10 columns and 10 lines per column (a series with extra columns,
            scores say). Otherwise rows.
  labels    (rows) 'first' when there are at least 3 columns and the first holds whole numbers or
            text, at most 50 distinct; else 'none'. Text in it with more than 50 distinct values is
            refused (it cannot be a value either).
  value_column, label_column (series, 1-based; label_column 0 = none): the column named 'value',
            else the last column of numbers that is not the label; the label column is the one
            named is_anomaly, anomaly, label or outlier. Other columns (a timestamp) are ignored.

The parsed dict's "options" holds every option as resolved, so the same file parses the same way
again from a link; an option that does not apply (labels for a series, the text options for .npy)
is None. Options (all optional; None = detect): format 'rows' | 'series'; delimiter ',' '\t' ';'
'whitespace'; decimal '.' | ','; header bool; labels 'first' | 'none'; value_column (1-based);
label_column (1-based, 0 = none).

Speed: NumPy's C parser (np.loadtxt) reads the numbers; Python touches each line only to drop blank
ones and split off a label, and walks cells one by one only to name the cell NumPy refused.
Measured (time.perf_counter around parse(), median of 5; not a timed test): a generated 100,000 x
141 CSV (a label and 140 one-decimal values a line, 56 MB) parses in 2.3 s in CPython 3.11 with
NumPy 2.0.2 on the development machine (2 busy cores), and in 1.0 s in Pyodide 0.27.7 under Node 20
on the same machine; np.loadtxt is most of it. Peak memory while parsing it: ~190 MiB besides the
file's bytes (tracemalloc, CPython), the parsed float32 array 54 MiB of it.
"""
import math
from collections import Counter

import numpy as np

from data import about, limits, npy_file
from data.text_table import (OPTIONS, FileError, Where, cap, check_finite, check_options, clean, decode, detect,
                             fault, fields, number, plural, read_numbers, resolved, split_lines)

__all__ = ["MAX_BYTES", "OPTIONS", "FileError", "parse", "to_dataset", "preview"]

MAX_BYTES = limits.MAX_FILE_BYTES
MIN_ROWS, MAX_VALUES, MAX_CLASSES, MIN_POINTS = 10, 10_000, 50, 20
ANOMALY_NAMES = ("is_anomaly", "anomaly", "label", "outlier")
PREVIEW_POINTS, PREVIEW_ROWS, PREVIEW_HEAD, PREVIEW_LABELS = 300, 5, 2000, 20


def parse(blob, name, options=None):
    """A user's file -> {"kind": "rows", "x", "labels", "options", "header"} or
    {"kind": "series", "values", "anomaly", "options", "header"} (see the module's docstring)."""
    name = cap(name)
    opts = check_options(options, name)
    blob = blob if isinstance(blob, bytes) else bytes(blob)
    if len(blob) > MAX_BYTES:
        raise FileError(f"{name}: {len(blob) / 2**20:.1f} MB ({len(blob):,} bytes) is over the limit of "
                        f"{MAX_BYTES // 2**20} MB")
    if not blob:
        raise FileError(f"{name}: the file is empty")
    return _npy(blob, name, opts) if blob.startswith(b"\x93NUMPY") else _text(blob, name, opts)


def _text(blob, name, opts):
    lines = split_lines(decode(blob, name))  # the text itself is not kept: a 64 MB file is big in a browser
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise FileError(f"{name}: " + ("holds only blank lines, no data" if lines != [""] else "the file is empty"))
    delimiter, decimal, has_header = detect(lines, start, opts, name)
    header = [clean(c) for c in fields(lines[start], delimiter)] if has_header else None
    first = start + 1 if has_header else start
    data = [line for line in lines[first:] if line.strip()]
    if not data:
        raise FileError(f"{name}: only a header (line {start + 1}), no data below it")
    where = Where(name, lines, first)
    ncols = len(fields(data[0], delimiter))
    if header is not None and len(header) != ncols:
        raise FileError(f"{name}, line {where(0)} has {plural(ncols, 'column')}, the header (line {start + 1}) "
                        f"{len(header):,}")
    fmt = opts.get("format") or _kind(header, ncols, len(data))
    found = {"delimiter": delimiter or "whitespace", "decimal": decimal, "header": has_header}
    if fmt == "rows":
        return _rows(data, where, header, delimiter, decimal, ncols, opts, found)
    return _series(data, where, header, delimiter, decimal, ncols, opts, found)


def _kind(header, ncols, nrows):
    if ncols == 1:
        return "series"
    names = [h.lower() for h in header or ()]
    anomaly = any(h in ANOMALY_NAMES for h in names[1:])
    if ("value" in names or anomaly) and ncols <= 3 or anomaly and ncols <= 10 and nrows >= 10 * ncols:
        return "series"
    return "rows"


def _rows(data, where, header, delimiter, decimal, ncols, opts, found):
    name = where.name
    labels, block, choice = None, data, opts.get("labels")
    if choice == "first" or choice is None and ncols >= 3:
        if delimiter is None:
            parts = [line.split(None, 1) for line in data]
            firsts, rests = [p[0] for p in parts], [p[1] if len(p) > 1 else "" for p in parts]
        else:
            parts = [line.partition(delimiter) for line in data]
            firsts, rests = [p[0] for p in parts], [p[2] for p in parts]
        del parts
        texts = {raw: clean(raw) for raw in set(firsts)}
        distinct = set(texts.values())
        if choice is None and len(distinct) <= MAX_CLASSES:
            choice = "first" if all(_whole_or_text(t, decimal) for t in distinct) else "none"
        elif choice is None:  # text cannot be a value: it must be labels, too many of them (refused below)
            choice = "first" if any(number(t, decimal) is None for t in distinct) else "none"
        if choice == "first":
            _check_labels(texts, firsts, where, decimal)
            labels, block = [texts[raw] for raw in firsts], rests
    skip = int(labels is not None)
    _check_rows(name, len(data), ncols - skip, skip, where)
    x = read_numbers(data, block, where, delimiter, decimal, ncols, skip)
    check_finite(x, data, where, delimiter, decimal, skip)
    found["labels"] = "first" if labels is not None else "none"
    return {"kind": "rows", "x": x, "labels": labels, "options": resolved("rows", **found), "header": header}


def _whole_or_text(cell, decimal):
    v = number(cell, decimal)
    return v is None or math.isfinite(v) and v == int(v)


def _check_labels(texts, firsts, where, decimal):
    """A label column: no empty label, at most MAX_CLASSES distinct (the hint depends on whether the
    column could be read as values instead)."""
    distinct = set(texts.values())
    if len(distinct) > MAX_CLASSES:
        hint = ("if it is not a label, choose labels: none" if all(number(t, decimal) is not None for t in distinct)
                else "it holds text, so it cannot be a value either")
        raise FileError(f"{where.name}: column 1 has {len(distinct):,} distinct labels; at most {MAX_CLASSES} "
                        f"classes — {hint}")
    if "" in distinct:
        i = next(i for i, raw in enumerate(firsts) if not texts[raw])
        raise FileError(f"{where.name}, line {where(i)}, column 1: the label is empty")


def _series(data, where, header, delimiter, decimal, ncols, opts, found):
    name = where.name
    for key in ("value_column", "label_column"):
        if (opts.get(key) or 0) > ncols:
            raise FileError(f"{name}: options: {key} {opts[key]} is past the last column ({ncols})")
    names = [h.lower() for h in header or ()]
    label = opts.get("label_column")
    if label is None:
        label = next((i + 1 for i, h in enumerate(names) if h in ANOMALY_NAMES), 0) if ncols > 1 else 0
    value = opts.get("value_column")
    if value is None and "value" in names:
        value = names.index("value") + 1
    if value is None:
        cells = fields(data[0], delimiter)
        value = next((c + 1 for c in reversed(range(ncols)) if c + 1 != label and number(cells[c], decimal) is not None),
                     None)
        if value is None:
            raise FileError(f"{name}, line {where(0)}: no column holds a number; choose value_column")
    if value == label:
        raise FileError(f"{name}: options: value_column and label_column are both column {value}")
    _check_series(name, len(data))
    usecols = [value - 1] + ([label - 1] if label else [])
    if ncols > 1 and delimiter is not None and len(set(line.count(delimiter) for line in data)) > 1:
        raise FileError(f"{name}, " + fault(data, where, delimiter, decimal, ncols, usecols=usecols))
    x = read_numbers(data, data, where, delimiter, decimal, ncols, usecols=usecols)
    check_finite(x[:, :1], data, where, delimiter, decimal, usecols=usecols[:1])
    values = np.ascontiguousarray(x[:, 0])
    anomaly = None
    if label:
        bad = (x[:, 1] != 0) & (x[:, 1] != 1)
        if bad.any():
            i = int(np.argmax(bad))
            cell = clean(fields(data[i], delimiter)[label - 1])
            raise FileError(f"{name}, line {where(i)}, column {label}: an anomaly label is 0 or 1, not {cap(cell)}")
        anomaly = x[:, 1].astype(np.int8)
    found.update(value_column=value, label_column=label)
    return {"kind": "series", "values": values, "anomaly": anomaly, "options": resolved("series", **found),
            "header": header}


def _npy(blob, name, opts):
    kind, x = npy_file.read(blob, name, opts.get("format"))
    if kind == "series":
        _check_series(name, len(x))
        return {"kind": "series", "values": x, "anomaly": None, "options": resolved("series"), "header": None}
    _check_rows(name, *x.shape)
    return {"kind": "rows", "x": x, "labels": None, "options": resolved("rows"), "header": None}


def _check_rows(name, rows, values, labelled=False, where=None):
    if rows == 1:
        raise FileError(f"{name}: one row: a file of samples needs one sample per line, at least {MIN_ROWS}")
    if values < 2:
        raise FileError(f"{name}: {'a label and ' if labelled else ''}one value per line: a sample needs at least 2 "
                        f"values (a single column of numbers is read as one series: format series)")
    if values > MAX_VALUES:
        raise FileError(f"{name}, line {where(0)} has {values:,} values; a sample has at most {MAX_VALUES:,}" if where
                        else f"{name}: {values:,} values per row; a sample has at most {MAX_VALUES:,}")
    if rows < MIN_ROWS:
        raise FileError(f"{name}: {rows} rows: a file of samples needs at least {MIN_ROWS}, one sample per line")


def _check_series(name, points):
    if points < MIN_POINTS:
        raise FileError(f"{name}: {plural(points, 'point')}: a series needs at least {MIN_POINTS}")


def class_names(labels):
    """The distinct label texts in class order: by value when every one is a number, else by text."""
    texts = sorted(set(labels))
    values = {t: number(t) for t in texts}
    if all(v is not None and math.isfinite(v) for v in values.values()):
        texts.sort(key=lambda t: (values[t], t))
    return texts


def to_dataset(parsed, name, normal=None):
    """A parsed file -> the dataset the engine trains on. Rows: ECG5000's shape (data/ecg5000.py):
    train_x, train_y, test_x, test_y and "about"; labels become classes 1..K in class_names order,
    named by their text; the normal class is the most frequent unless `normal` (class numbers) says.
    Unlabelled rows are one class 0. Series: {"kind": "series", "series", "anomaly", "train_end",
    "about"} with classes 0 Normal and 1 Anomaly when labelled, else one class 0."""
    name = cap(name)
    if parsed["kind"] == "series":
        labelled = parsed["anomaly"] is not None
        classes = [[0, "Normal", "Normal"], [1, "Anomaly", "Anomaly"]] if labelled else [[0, "Unlabelled", "Unlabelled"]]
        series = parsed["values"]
        # Time order, as the UCR anomaly archive splits its series: the first half trains, the second
        # is tested; shuffling would let the model see the future. "length" 2 is a placeholder: the
        # windowing code writes the window length it cuts.
        return {"kind": "series", "series": series, "anomaly": parsed["anomaly"], "train_end": len(series) // 2,
                "about": about.describe(name, "window", 2, classes, _normal(normal, classes, [0], name), labelled)}
    x, labels = parsed["x"], parsed["labels"]
    if labels is None:
        y, classes, default = np.zeros(len(x), np.int64), [[0, "Unlabelled", "Unlabelled"]], [0]
    else:
        texts = class_names(labels)
        code = {t: k for k, t in enumerate(texts, 1)}
        y = np.array([code[t] for t in labels], dtype=np.int64)
        classes = [[k, t, t] for t, k in code.items()]
        # the most frequent class (argmax takes the smallest on ties); intp: bincount in 32-bit Pyodide refuses int64
        default = [int(np.argmax(np.bincount(y.astype(np.intp))[1:])) + 1]
    test = np.arange(len(x)) % 5 == 4  # fixed: the same file always gives the same split
    return {"train_x": x[~test], "train_y": y[~test], "test_x": x[test], "test_y": y[test],
            "about": about.describe(name, "sample", int(x.shape[1]), classes, _normal(normal, classes, default, name),
                                    labels is not None)}


def _normal(normal, classes, default, name):
    if normal is None:
        return default
    known = [c[0] for c in classes]
    if not isinstance(normal, (list, tuple)) or not normal or any(n not in known or isinstance(n, bool) for n in normal):
        raise FileError(f"{name}: normal must list classes among {known}; got {cap(normal)}")
    return [int(n) for n in normal]


def _thin(values, cap_points=PREVIEW_POINTS):
    """Every k-th point (k the smallest that leaves at most cap_points) as short plain floats: a
    preview shows a sample's shape, not its extremes."""
    k = max(1, math.ceil(len(values) / cap_points))
    return [float(str(v)) for v in values[::k]], k


def preview(parsed):
    """A JSON-ready summary of a parsed file for the page, shown before training: kind, options,
    header, warnings; rows: rows, length, labels ([[text, count]] most frequent first, at most 20;
    "more" counts the rest), samples (the first 5) and step; series: points, anomaly_points (None
    without labels), head (the first 2,000 points) and step. Drawn lines keep every step-th value."""
    out = {"kind": parsed["kind"], "options": dict(parsed["options"]),
           "header": None if parsed["header"] is None else list(parsed["header"]), "warnings": []}
    warn = out["warnings"].append
    if parsed["kind"] == "rows":
        x, labels = parsed["x"], parsed["labels"]
        out.update(rows=int(x.shape[0]), length=int(x.shape[1]), labels=None, more=0)
        if labels is None:
            warn("no labels: every sample is taken as normal; ROC and AUC need labelled samples of two classes")
        else:
            order = {t: k for k, t in enumerate(class_names(labels))}
            ranked = sorted(Counter(labels).items(), key=lambda tc: (-tc[1], order[tc[0]]))
            out.update(labels=[[t, c] for t, c in ranked[:PREVIEW_LABELS]], more=max(0, len(ranked) - PREVIEW_LABELS))
            if len(ranked) == 1:
                warn(f"only one class ({cap(ranked[0][0])}): ROC and AUC need at least one sample of another class")
        thinned = [_thin(row) for row in x[:PREVIEW_ROWS]]
        out.update(samples=[t[0] for t in thinned], step=thinned[0][1])
    else:
        values, anomaly = parsed["values"], parsed["anomaly"]
        out.update(points=int(len(values)), anomaly_points=None if anomaly is None else int(anomaly.sum()))
        if anomaly is None:
            warn("no anomaly labels: every point is taken as normal; ROC and AUC need labelled anomalies")
        elif not anomaly.any():
            warn("the anomaly column marks no point: ROC and AUC need at least one labelled anomaly")
        out["head"], out["step"] = _thin(values[:PREVIEW_HEAD])
    return out
