"""One setting's value in a link: written as text, and read back from any text.

    s = settings.BY_KEY["learning_rate"]
    read_value(s, "0.005")  -> (0.005, None)
    read_value(s, "1e999")  -> (10.0, "above the maximum 10: '1e999'; clamped to 10")
    format_value(0.005)     -> "0.005"        format_value([32, 8]) -> "32,8"

`read_value(s, text)` never fails: for a setting `s` (a row of `settings.SETTINGS`) it returns a
valid value of its kind and, when it did not take the text exactly as given, the reason in plain
language, safe to show (offending text is quoted through `url_text.quoted`).
Imported by the browser's UI thread (MicroPython) and by CPython: core builtins only.
"""

try:
    from models import exact_numbers, url_text
except ImportError:  # the module files sit side by side (e.g. copied flat into the browser)
    import exact_numbers
    import url_text

_INF = float("inf")


def format_value(value):
    """A setting's value as text: floats with the fewest digits that read back exactly,
    lists comma-separated ("(none)" when empty), anything else as str()."""
    if isinstance(value, float):
        return exact_numbers.format_float(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return "(none)"
        return ",".join([format_value(v) for v in value])
    return str(value)


def _fit(s, value, nonzero, whole):
    """Bring a parsed number into setting `s`'s type and range.

    Returns (value, problem): problem None (taken as given), "whole" (not a whole number;
    value None), "low"/"high" (clamped) or "zero" (too small to store, read as 0)."""
    lo, hi = s["min"], s["max"]
    problem = None
    if isinstance(value, float):
        if value == _INF:
            value = hi
            problem = "high"
        elif value == -_INF:
            value = lo
            problem = "low"
        elif whole and value != int(value):
            return None, "whole"
        elif value == 0 and nonzero:
            value = 0.0
            problem = "zero"
    if value < lo:
        value, problem = lo, "low"
    elif value > hi:
        value, problem = hi, "high"
    if whole:
        value = int(value)
    else:
        value = float(value) + 0.0  # also turns -0.0 into 0.0
    return value, problem


def _read_number(s, text, whole):
    default = s["default"]
    if text is None or text.strip() == "":
        return default, "no value given; used the default " + format_value(default)
    parsed = exact_numbers.parse_number(text)
    if parsed is None:
        return default, ("not a number: " + url_text.quoted(text)
                         + "; used the default " + format_value(default))
    value, problem = _fit(s, parsed[0], parsed[1], whole)
    if problem == "whole":
        return default, ("not a whole number: " + url_text.quoted(text)
                         + "; used the default " + format_value(default))
    if problem == "low":
        return value, ("below the minimum " + format_value(s["min"]) + ": " + url_text.quoted(text)
                       + "; clamped to " + format_value(value))
    if problem == "high":
        return value, ("above the maximum " + format_value(s["max"]) + ": " + url_text.quoted(text)
                       + "; clamped to " + format_value(value))
    if problem == "zero":
        return value, "too small to store: " + url_text.quoted(text) + "; read as 0"
    return value, None


def _read_list(s, text):
    default = list(s["default"])
    lo_len, hi_len = s["min_len"], s["max_len"]
    if text is None:
        return default, "no value given; used the default " + format_value(default)
    t = text.strip()
    if t == "":
        if lo_len == 0:
            return [], None
        return default, "empty; needs at least %d; used the default %s" % (lo_len, format_value(default))
    items = t.split(",")
    notes = []
    if len(items) > hi_len:
        notes.append("too many %s (%d, at most %d); kept the first %d" % (s["items"], len(items), hi_len, hi_len))
        items = items[:hi_len]
    values = []
    clamped = False
    for item in items:
        parsed = exact_numbers.parse_number(item)
        value, problem = (None, "whole") if parsed is None else _fit(s, parsed[0], parsed[1], True)
        if problem == "whole":
            return default, ("not a list of whole numbers: " + url_text.quoted(text)
                             + "; used the default " + format_value(default))
        if problem is not None:
            clamped = True
        values.append(value)
    if clamped:
        notes.append("sizes must be %s to %s: %s; clamped to %s" % (
            format_value(s["min"]), format_value(s["max"]), url_text.quoted(text), format_value(values)))
    return values, "; ".join(notes) if notes else None


def _read_choice(s, text):
    default = s["default"]
    t = "" if text is None else text.strip()
    if t == "":
        return default, "no value given; used the default " + default
    if t in s["choices"]:
        return t, None
    return default, ("not a known choice: " + url_text.quoted(text) + "; used the default " + default
                     + " (choices: " + ", ".join(s["choices"]) + ")")


def _read_text(s, text):
    t = "" if text is None else text
    if s["choices"] == "hex":
        t = t.strip().lower()
        if [c for c in t if c not in "0123456789abcdef"] or len(t) > s["max"]:
            return s["default"], "not hexadecimal digits: " + url_text.quoted(text) + "; ignored"
        return t, None
    if len(t) > s["max"]:
        return t[:s["max"]], "longer than %d characters; cut" % s["max"]
    return t, None


def read_value(s, text):
    """Text from a link (None for a bare `key` without '=') -> (value, reason) for setting `s`:
    a valid value, and None when the text was taken exactly as given, else why not."""
    kind = s["kind"]
    if kind == "text":
        return _read_text(s, text)
    if kind == "choice":
        return _read_choice(s, text)
    if kind == "int_list":
        return _read_list(s, text)
    return _read_number(s, text, kind == "int")
