"""A setting's text in a control, both ways: what a control shows for a value, and the value a
person typed, in the setting's canonical type, or a ValueError that says in plain words what is
allowed. No browser needed (MicroPython in the page, CPython in the tests): core builtins only.
Numbers go through models/exact_numbers.py, exactly as in a link (MicroPython's own float() and
repr are not exact)."""
from models import exact_numbers, settings


def show(value):
    """0.01 -> "0.01", 2.0 -> "2", 1e-07 -> "1e-7"; [1, 3] -> "1, 3"; whole numbers and choices as
    they are."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return exact_numbers.format_float(value) if isinstance(value, float) else str(value)


def parse(key, raw):
    """Text from a control -> canonical value, or ValueError in plain words."""
    s = settings.BY_KEY[key]
    if s["kind"] == "choice":
        return settings.check_value(key, raw)
    if s["kind"] == "text":
        return settings.check_value(key, raw.strip().lower() if s["choices"] == "hex" else raw)
    if s["kind"] == "int_list":  # "1, 3" or "1 3"; empty is allowed where the setting allows none
        items = [t for t in raw.replace(",", " ").split() if t]
        values = [parse_whole(key, t) for t in items]
        try:
            return settings.check_value(key, values)
        except ValueError as e:
            raise ValueError(str(e)[:1].upper() + str(e)[1:] + ".")
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


def parse_whole(key, t):
    s = settings.BY_KEY[key]
    parsed = exact_numbers.parse_number(t)
    if parsed is None or parsed[0] != int(parsed[0]) or not s["min"] <= parsed[0] <= s["max"]:
        raise ValueError("“%s” is not a whole number from %d to %d." % (t[:20], s["min"], s["max"]))
    return int(parsed[0])
