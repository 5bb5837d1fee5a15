"""A setting's text in a control, both ways: what a control shows for a value, and the value a
person typed, in the setting's canonical type, or a ValueError that says in plain words what is
allowed. No browser needed (MicroPython in the page, CPython in the tests): core builtins only.
Numbers go through models/exact_numbers.py, exactly as in a link (MicroPython's own float() and
repr are not exact)."""
from models import exact_numbers, settings


def show(value):
    """0.01 -> "0.01", 2.0 -> "2", 1e-07 -> "1e-7"; whole numbers and choices as they are."""
    return exact_numbers.format_float(value) if isinstance(value, float) else str(value)


def parse(key, raw):
    """Text from a control -> canonical value, or ValueError in plain words."""
    s = settings.BY_KEY[key]
    if s["kind"] == "choice":
        return settings.check_value(key, raw)
    t = raw.strip()
    parsed = exact_numbers.parse_number(t)
    if parsed is None:
        raise ValueError("“%s” is not a number." % t[:20])
    v = parsed[0]
    if isinstance(v, float) and s["kind"] == "int" and v == int(v):
        v = int(v)
    try:
        return settings.check_value(key, v)
    except ValueError:
        whole = "a whole number" if s["kind"] == "int" else "a number"
        raise ValueError("Must be %s from %s to %s." % (whole, show(float(s["min"])), show(float(s["max"]))))
