"""The `.ts` text format of the UCR/UEA archives (as aeon ships it): '#' comment lines, '@' header
lines up to '@data', then one series per line, "v1,v2,...,vn:label". Only what the gallery needs:
univariate, equal-length, labelled series without missing values; anything else is refused by name.
"""
import numpy as np


class TsError(ValueError):
    pass


def parse(text, name="<text>"):
    """-> (float32 array (n, length), list of label strings)."""
    header, rows, labels = {}, [], []
    in_data = False
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            if line.lower() == "@data":
                in_data = True
            elif line.startswith("@"):
                key, _, value = line[1:].partition(" ")
                header[key.lower()] = value.strip()
            continue
        values, sep, label = line.rpartition(":")
        if not sep or ":" in values:
            raise TsError("%s, line %d: expected one univariate series then ':label'" % (name, lineno))
        if "?" in values:
            raise TsError("%s, line %d: missing values ('?') are not supported" % (name, lineno))
        try:
            rows.append(np.array(values.split(","), dtype=np.float64))
        except ValueError:
            raise TsError("%s, line %d: a value is not a number" % (name, lineno)) from None
        labels.append(label.strip())
    if header.get("univariate", "true") != "true" or header.get("equallength", "true") != "true":
        raise TsError("%s: only univariate, equal-length series are supported" % name)
    if not rows:
        raise TsError("%s: no series after @data" % name)
    lengths = {len(r) for r in rows}
    if len(lengths) != 1:
        raise TsError("%s: series of different lengths %s" % (name, sorted(lengths)))
    x = np.vstack(rows)
    if not np.isfinite(x).all():
        raise TsError("%s: values that are not finite" % name)
    return x.astype(np.float32), labels
