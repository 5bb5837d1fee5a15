"""A user's file in the settings (models/settings.py "file_*"): how data/user_file.py's parsing
options travel in a link and on the command line, both ways. A link holds the file's name, its
sha256 and these options, never its data.
"""
import hashlib

DELIMITERS = {"comma": ",", "tab": "\t", "semicolon": ";", "whitespace": "whitespace"}
DECIMALS = {"point": ".", "comma": ","}


def to_options(config):
    """The settings' file options -> data/user_file.parse options (every one given: nothing detected)."""
    return {"format": config["file_format"], "delimiter": DELIMITERS[config["file_delimiter"]],
            "decimal": DECIMALS[config["file_decimal"]], "header": config["file_header"] == "yes",
            "labels": config["file_labels"], "value_column": config["value_column"],
            "label_column": config["label_column"]}


def partial_options(chosen):
    """Some file settings a person chose ({"file_format": "series", ...}) -> parse options for
    those; the rest are detected."""
    out = {}
    for key, value in chosen.items():
        if key == "file_format":
            out["format"] = value
        elif key == "file_delimiter":
            out["delimiter"] = DELIMITERS[value]
        elif key == "file_decimal":
            out["decimal"] = DECIMALS[value]
        elif key == "file_header":
            out["header"] = value == "yes"
        elif key == "file_labels":
            out["labels"] = value
        elif key in ("value_column", "label_column"):
            out[key] = int(value)
        else:
            raise ValueError("options: %r is not a file setting" % (key,))
    return out


def to_settings(options, name, blob):
    """Resolved parse options (parsed["options"]; None where one does not apply) -> the settings
    that make a link to this file: its name, sha256 and how it was read."""
    def pick(table, value, default):
        for key, v in table.items():
            if v == value:
                return key
        return default
    return {"dataset": "file", "file_name": name[:200], "file_sha256": sha256(blob),
            "file_format": options["format"] or "rows",
            "file_delimiter": pick(DELIMITERS, options["delimiter"], "comma"),
            "file_decimal": pick(DECIMALS, options["decimal"], "point"),
            "file_header": "yes" if options["header"] else "no",
            "file_labels": options["labels"] or "none",
            "value_column": options["value_column"] or 1, "label_column": options["label_column"] or 0}


def sha256(blob):
    return hashlib.sha256(blob).hexdigest()
