"""Decimal text <-> double, exactly and the same under MicroPython and CPython.

    format_float(0.1)    -> "0.1"   (the fewest digits that read back exactly; "95" for 95.0)
    parse_number("1e-7") -> (1e-07, True)   parse_number("abc") -> None

MicroPython's own float() and "%.17g" are not correctly rounded (they can be off by one unit in
the last place), so the same link would give slightly different numbers in the browser and in
CPython. These conversions use exact integer arithmetic instead, and so give identical results
under both. Imported by the browser's UI thread (MicroPython) and by CPython: core builtins only.
"""

import math

_INF = float("inf")
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


def parse_number(text):
    """Plain decimal or exponent notation, ASCII only -> (value, has_nonzero_digit), else None.
    `value` is an int for integer literals, else a float (inf when the literal overflows)."""
    t = text.strip()
    if "e " in t or "E " in t:  # "1e+5" whose '+' became a space (in a URL, '+' means a space)
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
