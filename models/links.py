"""Shareable links: an experiment's settings <-> the text after '#' in the URL.

    encode(config, hide=None) -> "v=1&encoder=32,8&learning_rate=0.005&hide=optimizer,composer"
    decode(hash_text)         -> (config, hide, rejected)
    describe(rejected)        -> one sentence for a dismissible notice ("" when nothing was rejected)

The browser's UI thread imports this module under MicroPython, and tests run it under
CPython, so it sticks to core builtins: no dataclasses, typing, urllib or re.

Link format
-----------
`key=value` pairs separated by '&' (';' is accepted too), with or without a leading '#'.
Keys are the keys of `settings.SETTINGS` (case-sensitive), plus:

* `v`    -- the link format's version (`settings.VERSION`). Written first by `encode`.
            Missing: the link is read as the current version. Older: the link is upgraded
            step by step through `UPGRADES`. Newer: whatever this version understands is used
            and the rest is reported.
* `hide` -- comma-separated names of controls to hide (classroom mode): any settings key,
            a settings group name (model, training, advanced, data, threshold) or one of
            `HIDE_PANELS`. See `HIDE_NAMES`.

Values: numbers in plain decimal or exponent notation (`0.01`, `1e-7`), whole-number lists as
`15,7`, choices by name. Values may be percent-encoded, and '+' means a space (so a literal
plus sign must be written %2B; "1e+5" is still read as 1e5).

`encode` writes only the settings that differ from their defaults, in the table's order, so
links are short and stable; floats are written with the fewest digits that read back exactly.
Numbers are converted between text and doubles with exact integer arithmetic here (MicroPython's
own float() and repr are off by one unit in the last place for some values), so a link gives
bit-identical settings in the browser and in CPython.

Reading never fails: `decode` returns a complete, valid configuration for any text, and lists
in `rejected` every setting it did not use exactly as given, with a reason in plain language.
Nothing from the link is ever shown as markup: decoded values are numbers, names from the
settings table or names from `HIDE_NAMES`, and the offending text quoted in a reason is cut
to 40 characters with <, >, &, quotes and invisible control characters replaced.

Versions
--------
`UPGRADES[n]` turns the pairs of a version-n link into version n+1 pairs. Each step gets and
returns a list of (key, value) tuples of decoded text (value None for a bare `key` without '=').

* Version 0: the draft link format used while the app was being written. It used two short
  names, `lr` (now `learning_rate`) and `bs` (now `batch_size`); everything else is as in 1.
  Read a version-0 link by writing `v=0`.
"""

import math

try:
    from models import settings
except ImportError:  # the module files sit side by side (e.g. copied flat into the browser)
    import settings

MAX_CHARS = 4096  # longer links are cut here; the rest is ignored and reported
QUOTE_LEN = 40  # offending text quoted in a reason is cut to this many characters

# Extra names `hide` accepts beside settings keys and group names: panels of the page.
HIDE_PANELS = ["composer", "upload", "export", "baselines"]


def _hide_names():
    names = []
    for s in settings.SETTINGS:
        names.append(s["key"])
    for s in settings.SETTINGS:
        if s["group"] not in names:
            names.append(s["group"])
    for name in HIDE_PANELS:
        if name not in names:
            names.append(name)
    return names


# Every name `hide` accepts, in the order links list them. ("threshold" is both a setting and a
# group: the UI decides what hiding it means.)
HIDE_NAMES = _hide_names()

V0_ALIASES = {"lr": "learning_rate", "bs": "batch_size"}


def _upgrade_0_to_1(pairs):
    """Version 0 (draft) -> 1: rename the two short keys."""
    out = []
    for key, value in pairs:
        out.append((V0_ALIASES.get(key, key), value))
    return out


UPGRADES = {0: _upgrade_0_to_1}

_INF = float("inf")
_HEX = "0123456789abcdefABCDEF"
_SAFE_URL = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-~,"


# ---------------------------------------------------------------------------------------------
# Text helpers


def _markup_free_char(ch):
    o = ord(ch)
    if ch == "<":
        return "\u2039"  # single left-pointing angle quotation mark
    if ch == ">":
        return "\u203a"
    if ch == "&":
        return "\uff06"  # fullwidth ampersand
    if (o < 32 or 0x7F <= o < 0xA0 or 0x200B <= o <= 0x200F or 0x202A <= o <= 0x202E
            or 0x2066 <= o <= 0x2069 or o == 0xFEFF or 0xD800 <= o <= 0xDFFF):
        return "?"  # control, invisible and text-direction characters
    return ch


def _clean(text, quotes):
    out = []
    for ch in text:
        if quotes and (ch == "'" or ch == '"' or ch == "`"):
            out.append("\u2032" if ch != '"' else "\u2033")  # prime, double prime
        else:
            out.append(_markup_free_char(ch))
    return "".join(out)


def safe_text(text, limit=QUOTE_LEN):
    """Text from a link made safe to show: cut to `limit` characters (marked with an ellipsis),
    with <, >, &, quotes and control characters replaced by look-alikes or '?'."""
    if not isinstance(text, str):
        text = str(text)
    cut = limit is not None and len(text) > limit
    if cut:
        text = text[:limit]
    text = _clean(text, True)
    return text + "\u2026" if cut else text


def _quoted(text):
    return "'" + safe_text(text) + "'"


def _utf8(text):
    try:
        return text.encode("utf-8")
    except Exception:  # lone surrogates (CPython refuses to encode them)
        out = bytearray()
        for ch in text:
            try:
                out.extend(ch.encode("utf-8"))
            except Exception:
                out.extend(b"\xef\xbf\xbd")
        return out


def _utf8_decode(data):
    """UTF-8 bytes -> str; each ill-formed part becomes U+FFFD (as CPython's errors="replace")."""
    out = []
    n = len(data)
    i = 0
    while i < n:
        c = data[i]
        if c < 0x80:
            out.append(chr(c))
            i += 1
            continue
        if 0xC2 <= c <= 0xDF:
            need, cp, lo, hi = 1, c & 0x1F, 0x80, 0xBF
        elif 0xE0 <= c <= 0xEF:
            need, cp, lo, hi = 2, c & 0x0F, 0x80, 0xBF
            if c == 0xE0:
                lo = 0xA0
            elif c == 0xED:
                hi = 0x9F  # no surrogates
        elif 0xF0 <= c <= 0xF4:
            need, cp, lo, hi = 3, c & 0x07, 0x80, 0xBF
            if c == 0xF0:
                lo = 0x90
            elif c == 0xF4:
                hi = 0x8F
        else:
            out.append("\ufffd")
            i += 1
            continue
        j = i + 1
        ok = True
        for k in range(need):
            if j >= n:
                ok = False
                break
            d = data[j]
            if k > 0:
                lo, hi = 0x80, 0xBF
            if d < lo or d > hi:
                ok = False
                break
            cp = (cp << 6) | (d & 0x3F)
            j += 1
        out.append(chr(cp) if ok else "\ufffd")
        i = j
    return "".join(out)


def percent_decode(text, plus=True):
    """Undo percent-encoding (UTF-8); '+' means a space when `plus`. A '%' not followed by two
    hex digits is kept as it is. Same result as CPython's urllib.parse.unquote_plus(text,
    errors="replace"), without needing urllib."""
    if plus:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    buf = bytearray()
    n = len(text)
    i = 0
    while i < n:
        j = text.find("%", i)
        if j < 0:
            buf.extend(_utf8(text[i:]))
            break
        if j > i:
            buf.extend(_utf8(text[i:j]))
        h = text[j + 1:j + 3]
        if len(h) == 2 and h[0] in _HEX and h[1] in _HEX:
            buf.append(int(h, 16))
            i = j + 3
        else:
            buf.append(37)  # a lone '%'
            i = j + 1
    return _utf8_decode(buf)


def _percent_encode(text):
    out = []
    for ch in text:
        if ch in _SAFE_URL:
            out.append(ch)
        else:
            for b in _utf8(ch):
                out.append("%" + "0123456789ABCDEF"[b >> 4] + "0123456789ABCDEF"[b & 15])
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Numbers


# MicroPython's own float() and "%.17g" are not correctly rounded (they can be off by one unit
# in the last place), so the same link would give slightly different numbers in the browser
# and in CPython. These two conversions use exact integer arithmetic instead, and so give
# identical results under both.

_TWO52 = 1 << 52
_TWO53 = 1 << 53


def _ldexp(q, e):
    try:
        return math.ldexp(q, e)  # exact: q < 2**54 and the result is normal or exactly subnormal
    except OverflowError:
        return _INF


def _decimal_to_float(mant, exp10):
    """The double nearest to mant * 10**exp10 (mant an int >= 0), ties to even."""
    if mant == 0:
        return 0.0
    nd = len(str(mant))
    if nd + exp10 > 311:
        return _INF
    if nd + exp10 < -325:
        return 0.0
    if exp10 >= 0:
        num, den = mant * 10 ** exp10, 1
    else:
        num, den = mant, 10 ** (-exp10)
    # x = num / den. Find k with 2**52 <= x * 2**k < 2**53.
    # (k at most 1074: subnormal numbers have a fixed scale of 2**-1074 and fewer bits)
    k = min(1074, 52 - int((nd - 1 + exp10) * 3.321928094887362))
    while True:
        n, d = (num << k, den) if k >= 0 else (num, den << -k)
        q, r = divmod(n, d)
        if q >= _TWO53:
            k -= 1
        elif q < _TWO52 and k < 1074:
            k += 1
        else:
            break
    if 2 * r > d or (2 * r == d and q & 1):
        q += 1
    return _ldexp(q, -k)


def _shortest_digits(x):
    """x > 0 -> (digits, d): the fewest significant digits that read back as exactly x (the
    closer candidate when two do, as CPython's repr), d being the power of ten of the first."""
    m, e = math.frexp(x)
    mant = int(math.ldexp(m, 53))
    e -= 53  # x == mant * 2**e exactly
    num, den = (mant << e, 1) if e >= 0 else (mant, 1 << -e)
    d = int(math.floor(math.log10(x)))
    for p in range(1, 18):
        while True:  # q = x * 10**(p-1-d) rounded down, with exactly p digits
            shift = p - 1 - d
            n, dd = (num * 10 ** shift, den) if shift >= 0 else (num, den * 10 ** (-shift))
            q, r = divmod(n, dd)
            if q >= 10 ** p:
                d += 1
            elif q < 10 ** (p - 1):
                d -= 1
            else:
                break
        best = None
        for c, dist in ((q, r), (q + 1, dd - r)):
            if _decimal_to_float(c, d - p + 1) == x:
                if best is None or dist < best[1] or (dist == best[1] and c % 2 == 0):
                    best = (c, dist)
        if best is not None:
            digits = str(best[0])
            return digits, d + len(digits) - p
    raise ValueError("no digits for %r" % x)  # not reached: 17 digits always suffice


def format_float(x):
    """The shortest text that reads back as exactly `x` (the digits of CPython's repr, but
    "95" for 95.0 and "1e-7" for 1e-07), the same under MicroPython and CPython."""
    if x != x or x == _INF or x == -_INF:
        return str(x)
    if x == int(x) and -1e15 < x < 1e15:
        return str(int(x))
    sign = "-" if x < 0 else ""
    digits, d = _shortest_digits(-x if x < 0 else x)
    digits = digits.rstrip("0") or "0"
    if d < -4 or d >= len(digits):
        text = digits[0] + ("." + digits[1:] if len(digits) > 1 else "") + "e" + str(d)
    elif d < 0:
        text = "0." + "0" * (-d - 1) + digits
    else:
        text = digits[:d + 1] + ("." + digits[d + 1:] if len(digits) > d + 1 else "")
    return sign + text


def _fmt(value):
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return "(none)"
        return ",".join([_fmt(v) for v in value])
    return str(value)


def parse_number(text):
    """Plain decimal or exponent notation, ASCII only -> (value, has_nonzero_digit), else None.
    `value` is an int for integer literals, else a float (inf when the literal overflows)."""
    t = text.strip()
    if "e " in t or "E " in t:  # "1e+5" whose '+' became a space
        t = t.replace("e ", "e+").replace("E ", "E+")
    n = len(t)
    i = 0
    if i < n and (t[i] == "+" or t[i] == "-"):
        i += 1
    digits = 0
    nonzero = False
    dot = False
    while i < n:
        ch = t[i]
        if "0" <= ch <= "9":
            digits += 1
            if ch != "0":
                nonzero = True
        elif ch == "." and not dot:
            dot = True
        else:
            break
        i += 1
    if digits == 0:
        return None
    exp = False
    if i < n and (t[i] == "e" or t[i] == "E"):
        exp = True
        i += 1
        if i < n and (t[i] == "+" or t[i] == "-"):
            i += 1
        expdigits = 0
        while i < n and "0" <= t[i] <= "9":
            i += 1
            expdigits += 1
        if expdigits == 0:
            return None
    if i != n:
        return None
    if not (dot or exp):
        return int(t), nonzero
    mantissa, _, exponent = t.replace("E", "e").partition("e")
    neg = mantissa.startswith("-")
    mantissa = mantissa.lstrip("+-")
    whole, _, frac = mantissa.partition(".")
    value = _decimal_to_float(int((whole + frac) or "0"), (int(exponent) if exponent else 0) - len(frac))
    return (-value if neg else value), nonzero


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
        return default, "no value given; used the default " + _fmt(default)
    parsed = parse_number(text)
    if parsed is None:
        return default, "not a number: " + _quoted(text) + "; used the default " + _fmt(default)
    value, problem = _fit(s, parsed[0], parsed[1], whole)
    if problem == "whole":
        return default, "not a whole number: " + _quoted(text) + "; used the default " + _fmt(default)
    if problem == "low":
        return value, "below the minimum " + _fmt(s["min"]) + ": " + _quoted(text) + "; clamped to " + _fmt(value)
    if problem == "high":
        return value, "above the maximum " + _fmt(s["max"]) + ": " + _quoted(text) + "; clamped to " + _fmt(value)
    if problem == "zero":
        return value, "too small to store: " + _quoted(text) + "; read as 0"
    return value, None


def _read_list(s, text):
    default = list(s["default"])
    lo_len, hi_len = s["min_len"], s["max_len"]
    if text is None:
        return default, "no value given; used the default " + _fmt(default)
    t = text.strip()
    if t == "":
        if lo_len == 0:
            return [], None
        return default, "empty; needs at least %d; used the default %s" % (lo_len, _fmt(default))
    items = t.split(",")
    notes = []
    if len(items) > hi_len:
        notes.append("too many layers (%d, at most %d); kept the first %d" % (len(items), hi_len, hi_len))
        items = items[:hi_len]
    values = []
    clamped = False
    for item in items:
        parsed = parse_number(item)
        value, problem = (None, "whole") if parsed is None else _fit(s, parsed[0], parsed[1], True)
        if problem == "whole":
            return default, "not a list of whole numbers: " + _quoted(text) + "; used the default " + _fmt(default)
        if problem is not None:
            clamped = True
        values.append(value)
    if clamped:
        notes.append("sizes must be %s to %s: %s; clamped to %s"
                     % (_fmt(s["min"]), _fmt(s["max"]), _quoted(text), _fmt(values)))
    return values, "; ".join(notes) if notes else None


def _read_choice(s, text):
    default = s["default"]
    t = "" if text is None else text.strip()
    if t == "":
        return default, "no value given; used the default " + default
    if t in s["choices"]:
        return t, None
    return default, ("not a known choice: " + _quoted(text) + "; used the default " + default
                     + " (choices: " + ", ".join(s["choices"]) + ")")


def _read_value(s, text):
    kind = s["kind"]
    if kind == "choice":
        return _read_choice(s, text)
    if kind == "int_list":
        return _read_list(s, text)
    return _read_number(s, text, kind == "int")


def _read_hide(text):
    names = []
    bad = []
    if text is not None:
        for part in text.split(","):
            name = part.strip()
            if name == "":
                continue
            if name in HIDE_NAMES:
                if name not in names:
                    names.append(name)
            elif len(bad) < 1000:
                bad.append(name)
    hide = [n for n in HIDE_NAMES if n in names]
    if not bad:
        return hide, None
    shown = [_quoted(b) for b in bad[:5]]
    more = " and %d more" % (len(bad) - 5) if len(bad) > 5 else ""
    return hide, "unknown control name%s: %s%s; ignored" % ("s" if len(bad) > 1 else "", ", ".join(shown), more)


def check_hide(names):
    """Validate a list of control names to hide -> the names deduplicated in link order.
    Raises ValueError naming unknown names."""
    if isinstance(names, str):
        names = [names]
    unknown = [n for n in names if n not in HIDE_NAMES]
    if unknown:
        raise ValueError("unknown control name(s) to hide: %s (known: %s)"
                         % (", ".join([str(n) for n in unknown]), ", ".join(HIDE_NAMES)))
    return [n for n in HIDE_NAMES if n in names]


# ---------------------------------------------------------------------------------------------
# The codec


def encode(config, hide=None):
    """The hash text (without '#') for a configuration: `v` then every setting that differs
    from its default, in the table's order, then `hide` if given. Raises ValueError for an
    invalid configuration or an unknown name in `hide` (the app's own state is always valid)."""
    cfg = settings.validate(config)
    parts = ["v=%d" % settings.VERSION]
    for s in settings.SETTINGS:
        key = s["key"]
        value = cfg[key]
        if value == s["default"]:
            continue
        if s["kind"] == "choice":
            text = _percent_encode(value)
        else:
            text = _fmt(value) if value != [] else ""
        parts.append(key + "=" + text)
    if hide:
        parts.append("hide=" + ",".join(check_hide(hide)))
    return "&".join(parts)


def _is_digits(text):
    if text == "":
        return False
    for ch in text:
        if not "0" <= ch <= "9":
            return False
    return True


def _key_label(key):
    return safe_text(key) if key != "" else "(no name)"


def _split_pairs(text):
    pairs = []
    for seg in text.replace(";", "&").split("&"):
        if seg == "":
            continue
        key, eq, value = seg.partition("=")
        pairs.append((percent_decode(key), percent_decode(value) if eq else None))
    return pairs


def _decode(hash_text):
    rejected = []
    if hash_text is None:
        hash_text = ""
    if not isinstance(hash_text, str):
        return settings.defaults(), [], [("link", "not text; used the default settings")]
    text = hash_text
    if text.startswith("#"):
        text = text[1:]
    if len(text) > MAX_CHARS:
        head = text[:MAX_CHARS]
        if text[MAX_CHARS] not in "&;":  # the last pair was cut in half: drop it
            cut = max(head.rfind("&"), head.rfind(";"))
            head = head[:cut] if cut >= 0 else ""
        text = head
        rejected.append(("link", "longer than %d characters; the rest was ignored" % MAX_CHARS))

    pairs = _split_pairs(text)

    # version, then upgrades
    current = settings.VERSION
    version = current
    given = [v for k, v in pairs if k == "v"]
    pairs = [p for p in pairs if p[0] != "v"]
    if given:
        notes = []
        if len(given) > 1:
            notes.append("given %d times; the last one was used" % len(given))
        t = "" if given[-1] is None else given[-1].strip()
        if _is_digits(t) and len(t) <= 9:
            n = int(t)
            if n > current:
                notes.append("made by a newer version of the app (link version %d, this app reads %d); "
                             "settings it does not know were ignored" % (n, current))
            else:
                version = n
        else:
            notes.append("not a link version: %s; read as version %d" % (_quoted(t), current))
        if notes:
            rejected.append(("v", "; ".join(notes)))
    for ver in range(version, current):
        step = UPGRADES.get(ver)
        if step is None:
            continue
        try:
            upgraded = []
            for key, value in step(pairs):
                upgraded.append((key, value))
            pairs = upgraded
        except Exception:
            rejected.append(("v", "could not upgrade the link from version %d; read it as it is" % ver))
            break

    # last value wins
    order = []
    last = {}
    count = {}
    for key, value in pairs:
        if key not in count:
            order.append(key)
            count[key] = 0
        count[key] += 1
        last[key] = value

    config = settings.defaults()
    hide = []
    for key in order:
        if key == "hide":
            hide, problem = _read_hide(last[key])
        elif key in settings.BY_KEY:
            config[key], problem = _read_value(settings.BY_KEY[key], last[key])
        else:
            rejected.append((_key_label(key), "unknown setting"))
            continue
        if count[key] > 1:
            dup = "given %d times; the last one was used" % count[key]
            problem = dup + "; " + problem if problem else dup
        if problem:
            rejected.append((key, problem))

    return settings.validate(config), hide, rejected


def decode(hash_text):
    """Read a link's hash text -> (config, hide, rejected). Never raises.

    `config` holds every setting, valid; `hide` the accepted control names to hide, in
    `HIDE_NAMES` order; `rejected` a list of (key, reason) for everything not used exactly as
    given, in plain language and safe to show (see `describe`)."""
    try:
        return _decode(hash_text)
    except Exception:  # a bug must not break opening the page
        return settings.defaults(), [], [("link", "could not be read; used the default settings")]


def describe(rejected, limit=8):
    """One sentence for a dismissible notice, or "" when nothing was rejected."""
    if not rejected:
        return ""
    parts = []
    for item in rejected[:limit]:
        try:
            key, reason = item
        except Exception:
            continue
        parts.append(_clean(str(key), False) + " (" + _clean(str(reason), False) + ")")
    text = "Some link settings were not used as given: " + "; ".join(parts)
    if len(rejected) > limit:
        text += "; and %d more" % (len(rejected) - limit)
    return text + "."
