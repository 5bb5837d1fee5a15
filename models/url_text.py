"""Text in a URL: UTF-8 and percent-encoding, and text from a link made safe to show.

    percent_decode("%E2%82%AC+x") -> "\u20ac x"     percent_encode("\u20ac x") -> "%E2%82%AC%20x"
    safe_text("<b>'hi'</b>")      -> "\u2039b\u203a\u2032hi\u2032\u2039/b\u203a"

Imported by the browser's UI thread (MicroPython) and by CPython, so it sticks to core builtins
(no urllib). Nothing it returns for display can be markup: <, > and & become look-alikes, and
control, invisible and text-direction characters become '?'.
"""

QUOTE_LEN = 40  # offending text quoted in a reason is cut to this many characters

_HEX = "0123456789abcdefABCDEF"
_SAFE_URL = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-~,"


# ---------------------------------------------------------------------------------------------
# Safe to show


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


def markup_free(text):
    """`text` with <, > and & replaced by look-alikes and control characters by '?'."""
    return _clean(text, False)


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


def quoted(text):
    """Offending text from a link, for a reason: safe_text in single quotes."""
    return "'" + safe_text(text) + "'"


# ---------------------------------------------------------------------------------------------
# UTF-8 and percent-encoding


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


def percent_encode(text):
    """Percent-encode (UTF-8) every character but letters, digits and _ . - ~ ,"""
    out = []
    for ch in text:
        if ch in _SAFE_URL:
            out.append(ch)
        else:
            for b in _utf8(ch):
                out.append("%" + "0123456789ABCDEF"[b >> 4] + "0123456789ABCDEF"[b & 15])
    return "".join(out)
