"""Shareable links: an experiment's settings <-> the text after '#' in the URL.

    encode(config, hide=None) -> "v=1&encoder=32,8&learning_rate=0.005&hide=optimizer,composer"
    decode(hash_text)         -> (config, hide, rejected)
    describe(rejected)        -> one sentence for a dismissible notice ("" when nothing was rejected)

The browser's UI thread imports this module under MicroPython, and tests run it under
CPython, so it sticks to core builtins: no dataclasses, typing, urllib or re. It reads and
writes each setting's value with models/link_values.py, which converts numbers with
models/exact_numbers.py; models/url_text.py does the percent-encoding and the quoting.

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
Numbers are converted exactly (models/exact_numbers.py), so a link gives bit-identical settings
in the browser and in CPython.

Reading never fails: `decode` returns a complete, valid configuration for any text, and lists
in `rejected` every setting it did not use exactly as given, with a reason in plain language.
Nothing from the link is ever shown as markup: decoded values are numbers, names from the
settings table or names from `HIDE_NAMES`, and the offending text quoted in a reason is cut
to 40 characters with <, >, &, quotes and invisible control characters replaced.
"""

try:
    from models import link_values, settings, url_text
except ImportError:  # the module files sit side by side (e.g. copied flat into the browser)
    import link_values
    import settings
    import url_text

MAX_CHARS = 4096  # longer links are cut here; the rest is ignored and reported

# Extra names `hide` accepts beside settings keys and group names: panels of the page.
HIDE_PANELS = ["composer", "export", "history"]


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

# Upgrades of older links: none yet, version 1 being the first published format. To add one when
# settings.VERSION goes from n to n + 1: `n: step`, where step(pairs) turns a version-n link's
# (key, value) pairs of decoded text (value None for a bare `key`) into version n + 1 pairs.
UPGRADES = {}


# ---------------------------------------------------------------------------------------------
# Control names to hide (classroom mode)


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
    shown = [url_text.quoted(b) for b in bad[:5]]
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
        if s["kind"] in ("choice", "text"):
            text = url_text.percent_encode(value)
        else:
            text = link_values.format_value(value) if value != [] else ""
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
    return url_text.safe_text(key) if key != "" else "(no name)"


def _split_pairs(text):
    pairs = []
    for seg in text.replace(";", "&").split("&"):
        if seg == "":
            continue
        key, eq, value = seg.partition("=")
        pairs.append((url_text.percent_decode(key), url_text.percent_decode(value) if eq else None))
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
            notes.append("not a link version: %s; read as version %d" % (url_text.quoted(t), current))
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
            config[key], problem = link_values.read_value(settings.BY_KEY[key], last[key])
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
        parts.append(url_text.markup_free(str(key)) + " (" + url_text.markup_free(str(reason)) + ")")
    text = "Some link settings were not used as given: " + "; ".join(parts)
    if len(rejected) > limit:
        text += "; and %d more" % (len(rejected) - limit)
    return text + "."
