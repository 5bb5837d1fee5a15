"""What a dataset says about itself: the one place the rest of the app learns a sample's length,
the names of its classes and which classes are normal.

Every dataset dict (train_x, train_y, test_x, test_y) carries its description under "about":

    {"name": "ECG5000", "sample": "heartbeat", "length": 140,
     "classes": [[1, "Normal", "Normal"], [3, "Supraventricular ectopic", "SV ectopic"], ...],
     "normal": [1], "labelled": true}

"classes" lists [label, name, short name] in the order legends and colours use; "normal" holds
the labels a model learns as normal (every other class is an anomaly); "labelled" is false for
data without labels (one class, every sample taken as normal: views that need labels say so). Nothing outside data/
writes a length, a class name or a normal label: models, the engine and the UI ask this module.

The UI thread (MicroPython) imports it as well as CPython and Pyodide: core builtins only.
"""


class AboutError(ValueError):
    """A dataset description is incomplete or inconsistent; the message says which field."""


def describe(name, sample, length, classes, normal, labelled=True):
    """A checked description (see the module's docstring)."""
    if not isinstance(length, int) or length < 2:
        raise AboutError("length must be a whole number of samples, at least 2; got %r" % (length,))
    if not classes:
        raise AboutError("classes: a dataset needs at least one class")
    rows, seen = [], []
    for row in classes:
        if len(row) != 3:
            raise AboutError("classes: each class is [label, name, short name]; got %r" % (row,))
        label, long_name, short = row
        if label in seen:
            raise AboutError("classes: label %r is listed twice" % (label,))
        seen.append(label)
        rows.append([label, str(long_name), str(short)])
    if not normal:
        raise AboutError("normal: name at least one normal class")
    for label in normal:
        if label not in seen:
            raise AboutError("normal: %r is not one of the classes" % (label,))
    return {"name": str(name), "sample": str(sample), "length": length, "classes": rows,
            "normal": list(normal), "labelled": bool(labelled)}


def with_normal(about, normal):
    """The description with other normal classes, as a user chose them (settings "normal")."""
    known = labels(about)
    for label in normal:
        if label not in known:
            raise AboutError("normal: class %r is not one of %s's classes (%s)"
                             % (label, about["name"], ", ".join(str(k) for k in known)))
    if len(known) > 1 and all(k in normal for k in known):
        raise AboutError("normal: at least one class must stay abnormal, or nothing is an anomaly")
    out = dict(about)
    out["normal"] = [k for k in known if k in normal]
    return out


def labels(about):
    """Every class label, in the description's order."""
    return [row[0] for row in about["classes"]]


def class_name(about, label, short=False):
    """A class label's name for people (its short form fits chart legends on phones)."""
    for row in about["classes"]:
        if row[0] == label:
            return row[2] if short else row[1]
    return str(label)


def is_normal(about, label):
    return label in about["normal"]


def samples(about, n=2):
    """The word for the dataset's samples: "heartbeat", or "heartbeats" for n != 1."""
    return about["sample"] if n == 1 else about["sample"] + "s"
