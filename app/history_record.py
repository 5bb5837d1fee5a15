"""Run history (issue 18): what the page records, in the browser's IndexedDB (static/history.js), for
every finished training run; how a record read back is checked (a corrupted or foreign record is
skipped and reported, never fatal); and how records become the history table's rows, the chart of
a setting against AUC, and the CSV and JSON exports. History is local: it is never put in a link.

A record has two halves, stored under the same id: this summary ("runs" store, read by the UI
thread) and its curves ("curves" store: the loss per epoch and the ROC curve, read by history.js
straight into the overlay charts and the JSON export, so the UI thread never parses them).

MicroPython-safe (core builtins only): the UI thread imports it; the tests run it in CPython.
"""
KIND = "anomaly-explorer-run"
VERSION = 1
EXPORT_FORMAT = "anomaly-explorer-history"
# How a recorded run ended. A run the user paused is not recorded: pressing Train continues it to
# the same end, and it is recorded then (one record per run, never a half of one).
STATUSES = ("finished", "early_stopping", "diverged")
STATUS_TEXT = {"finished": "finished", "early_stopping": "stopped early", "diverged": "diverged"}
METRICS = ("accuracy", "precision", "recall", "f1", "fpr", "fnr")
# The table's columns: (key, title); sorted by clicking a title (every column but the actions).
COLUMNS = (("id", "#"), ("date", "Date (UTC)"), ("dataset", "Dataset"), ("architecture", "Architecture"),
           ("key_settings", "Key settings"), ("epochs", "Epochs"), ("auc", "AUC"), ("f1", "F1"),
           ("baseline", "Best baseline AUC"), ("wall_ms", "Wall time"))
# Settings the "key settings" cell names (the architecture has a column of its own).
KEY_SETTINGS = ("optimizer", "learning_rate", "batch_size", "activation")
KEY_PREFIX = {"learning_rate": "lr ", "batch_size": "batch "}
# Settings never offered for the chart against AUC: they name a file, not a choice of the model.
NOT_CHARTED = ("file_name", "file_sha256")
MAX_LINK = 4096


def _is_number(x):
    return (isinstance(x, int) or isinstance(x, float)) and not isinstance(x, bool) and x == x \
        and x != float("inf") and x != float("-inf")


def _is_text(x, most=200):
    return isinstance(x, str) and len(x) <= most


def make_record(config, link, model, summary, status, epochs, wall_ms, date, dataset_title,
                last_loss=None, last_val_loss=None, baselines=None):
    """The summary half of a run's record, from what the page holds once the run ended: the
    settings and their link, the engine's model info and training_view summary, how it ended,
    the model's epochs and the wall time spent training it, the date (ISO, UTC), and the
    scikit-learn baselines' AUCs ({label: auc}) when the comparison ran on these samples."""
    metrics = {}
    m = summary.get("metrics") or {}
    for key in METRICS:
        metrics[key] = m.get(key) if _is_number(m.get(key)) else None
    return {
        "kind": KIND, "v": VERSION, "date": date, "link": link, "dataset": config.get("dataset"),
        "dataset_title": dataset_title, "architecture": "-".join([str(n) for n in model["sizes"]]),
        "params": model.get("params"), "settings": dict(config), "status": status, "epochs": epochs,
        "auc": summary.get("auc") if _is_number(summary.get("auc")) else None, "metrics": metrics,
        "threshold": summary.get("threshold"), "threshold_rule": summary.get("threshold_rule"),
        "loss": last_loss, "val_loss": last_val_loss,
        "baselines": dict(baselines) if baselines else None, "wall_ms": wall_ms,
    }


def check(record):
    """(record, None) if `record` (as read back) is a run record this page can show, else
    (None, why not). Never raises."""
    try:
        return _check(record)
    except Exception as e:  # a record is data from storage: nothing in it may break the page
        return None, "unreadable (%s)" % type(e).__name__


def _check(r):
    if not isinstance(r, dict):
        return None, "not a run record (a %s)" % type(r).__name__
    if r.get("kind") != KIND:
        return None, "not a run record of this app"
    if not isinstance(r.get("v"), int) or isinstance(r.get("v"), bool):
        return None, "no version"
    if r["v"] > VERSION:
        return None, "written by a newer version of the app (record version %d)" % r["v"]
    if not isinstance(r.get("id"), int) or isinstance(r.get("id"), bool):
        return None, "no id"
    for key in ("date", "dataset", "dataset_title", "architecture", "status"):
        if not _is_text(r.get(key)):
            return None, "%s is not text" % key
    if not _is_text(r.get("link"), MAX_LINK):
        return None, "link is not text"
    if r["status"] not in STATUSES:
        return None, "unknown status"
    if not isinstance(r.get("settings"), dict):
        return None, "settings are missing"
    if not isinstance(r.get("epochs"), int) or isinstance(r["epochs"], bool) or r["epochs"] < 0:
        return None, "epochs is not a count"
    for key in ("wall_ms",):
        if not _is_number(r.get(key)) or r[key] < 0:
            return None, "%s is not a time" % key
    for key in ("auc", "loss", "val_loss", "threshold"):
        if r.get(key) is not None and not _is_number(r[key]):
            return None, "%s is not a number" % key
    if not isinstance(r.get("metrics"), dict):
        return None, "metrics are missing"
    for key in METRICS:
        if r["metrics"].get(key) is not None and not _is_number(r["metrics"][key]):
            return None, "%s is not a number" % key
    b = r.get("baselines")
    if b is not None:
        if not isinstance(b, dict):
            return None, "baselines are not a table"
        for label, auc in b.items():
            if not _is_text(label) or (auc is not None and not _is_number(auc)):
                return None, "a baseline's AUC is not a number"
    return r, None


def best_baseline(record):
    """(label, AUC) of the best scikit-learn detector recorded with the run, or None."""
    best = None
    for label, auc in sorted((record.get("baselines") or {}).items()):
        if auc is not None and (best is None or auc > best[1]):
            best = (label, auc)
    return best


def _short_number(x):
    if isinstance(x, float):
        text = "%.4g" % x
        return text
    return str(x)


def setting_text(value):
    """A setting's value as the table and the chart show it: 0.005, 32,8, adam."""
    if isinstance(value, list):
        return ",".join([str(v) for v in value]) if value else "(none)"
    return _short_number(value)


def key_settings(record):
    s = record["settings"]
    parts = []
    for key in KEY_SETTINGS:
        if key in s:
            parts.append(KEY_PREFIX.get(key, "") + setting_text(s[key]))
    return ", ".join(parts)


def wall_text(ms):
    s = ms / 1000.0
    if s < 60:
        return "%.1f s" % s
    return "%d min %02d s" % (int(s) // 60, int(s) % 60)


def label(record):
    """How the overlay charts' legends name a run."""
    auc = record.get("auc")
    return "Run %d (%s)" % (record["id"], "AUC %.3f" % auc if auc is not None else "no AUC")


def row(record):
    """A compact table row of a checked record: the values its columns sort by, and the record
    (its cells' text is made only for the rows shown: cells())."""
    best = best_baseline(record)
    s = record["settings"]
    return {"id": record["id"], "date": record["date"], "dataset": record["dataset_title"],
            "architecture": record["architecture"], "epochs": record["epochs"], "auc": record["auc"],
            "f1": record["metrics"].get("f1"), "baseline": best[1] if best else None, "wall_ms": record["wall_ms"],
            "status": record["status"], "key_settings": tuple([str(s.get(k)) for k in KEY_SETTINGS]),
            "record": record}


def cells(r):
    """The text of a row's cells, in COLUMNS' order."""
    record = r["record"]
    best = best_baseline(record)
    status = record["status"]
    f1 = record["metrics"].get("f1")
    return [str(record["id"]), record["date"][:16].replace("T", " "), record["dataset_title"],
            record["architecture"], key_settings(record),
            str(record["epochs"]) + ("" if status == "finished" else " (%s)" % STATUS_TEXT[status]),
            "–" if record["auc"] is None else "%.4f" % record["auc"], "–" if f1 is None else "%.1f%%" % (100 * f1),
            "–" if best is None else "%.4f (%s)" % (best[1], best[0]), wall_text(record["wall_ms"])]


def sort_rows(rows, key, descending):
    """Rows sorted by a column; a missing number sorts last either way. (Decorated, so that the
    comparisons run in C: a key function made sorting 1,000 rows a long task under MicroPython.)"""
    present = [(r[key], r["id"], k) for k, r in enumerate(rows) if r.get(key) is not None]
    present.sort(reverse=descending)
    return [rows[k] for _, _, k in present] + [r for r in rows if r.get(key) is None]


def note_settings(seen, varying, record):
    """Follow which settings vary between runs, one record at a time: `seen` maps a setting to its
    first value, `varying` collects (as dict keys) the settings with another value somewhere."""
    for key, value in record["settings"].items():
        if key in varying or key in NOT_CHARTED:
            continue
        if key not in seen:
            seen[key] = value
        elif seen[key] != value:
            varying[key] = True


def varying_settings(rows):
    """The settings whose values differ between the runs, in the settings' own order: what the
    chart of a setting against AUC offers."""
    seen, varying = {}, {}
    for r in rows:
        note_settings(seen, varying, r["record"])
    return ordered_settings(seen, varying)


def ordered_settings(seen, varying):
    return [k for k in seen if k in varying]


def setting_ranks(rows, key):
    """{value: place} of setting `key`'s values among the runs with an AUC (numbers by size, else
    alphabetically), for the chart's x order."""
    values = {}
    numeric = True
    for r in rows:
        if r["auc"] is not None:
            v = r["record"]["settings"].get(key)
            if v is not None:
                values[setting_text(v)] = v
                if numeric and not _is_number(v):
                    numeric = False
    keys = sorted([(values[t] if numeric else t, t) for t in values])
    ranks = {}
    for k, pair in enumerate(keys):
        ranks[pair[1]] = k
    return ranks


def setting_points(rows, key, ranks=None):
    """The chart of setting `key` against AUC: {value, order, auc, run} per run with an AUC."""
    ranks = ranks if ranks is not None else setting_ranks(rows, key)
    out = []
    for r in rows:
        if r["auc"] is not None:
            v = r["record"]["settings"].get(key)
            if v is not None:
                t = setting_text(v)
                out.append({"value": t, "order": ranks[t], "auc": r["auc"], "run": "Run %d" % r["id"]})
    return out


CSV_FIELDS = ("id", "date", "dataset", "architecture", "params", "status", "epochs", "auc") + METRICS + (
    "threshold", "threshold_rule", "loss", "val_loss", "best_baseline", "best_baseline_auc", "wall_s", "link")


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_header(setting_keys):
    return ",".join([_csv_cell(f) for f in CSV_FIELDS] + [_csv_cell("setting:" + k) for k in setting_keys]) + "\r\n"


def csv_line(record, setting_keys):
    """One record as a CSV line (RFC 4180), with a column per setting in `setting_keys`."""
    best = best_baseline(record)
    values = {"best_baseline": best[0] if best else None, "best_baseline_auc": best[1] if best else None,
              "wall_s": record["wall_ms"] / 1000.0}
    cells = []
    for f in CSV_FIELDS:
        if f in values:
            cells.append(values[f])
        elif f in METRICS:
            cells.append(record["metrics"].get(f))
        else:
            cells.append(record.get(f))
    for k in setting_keys:
        v = record["settings"].get(k)
        cells.append(None if v is None else (",".join([str(x) for x in v]) if isinstance(v, list) else v))
    return ",".join([_csv_cell(c) for c in cells]) + "\r\n"


def to_csv(records, setting_keys):
    return csv_header(setting_keys) + "".join([csv_line(r, setting_keys) for r in records])


def export_header(date):
    """The JSON export's envelope; history.js adds "runs": each checked record with its curves."""
    return {"format": EXPORT_FORMAT, "version": VERSION, "exported": date}


def file_name(date, ext):
    """anomaly-explorer-history-2026-11-30.csv"""
    return "anomaly-explorer-history-%s.%s" % (date[:10], ext)
