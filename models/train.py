"""Train from the command line:  python -m models.train --encoder 15,7 --learning_rate 0.01

Every setting of models/settings.py is an option. --url LINK takes the settings from a
shared link (the part after '#'); options given explicitly override the link.
Prints per-epoch losses and the final test metrics (--json: one JSON object per line); with
--baselines (or baselines=on in the link), then the classical detectors of models/baselines.py
on the same data, in a table beside the autoencoder (--json: one object per detector).
--report FILE writes the run's self-contained HTML report (models/report.py), as the page's
"Download report" does; it inlines the chart specs and the Vega runtime the build puts in dist/.
It shows test sample --sample N rebuilt, as the page's report shows the one selected there
(default: the test sample with the largest error).
"""
import argparse
import json
import os
import sys

from models import settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(ROOT, "..", "shared", "data", "ecg5000")
DIST = os.path.join(ROOT, "dist")


def _parse_kind(s):
    kind = s["kind"]
    if kind == "int_list":
        return lambda text: [int(v) for v in text.split(",") if v.strip()] if text.strip() else []
    if kind == "int":
        return int
    if kind == "float":
        return float
    return str


def build_parser():
    p = argparse.ArgumentParser(prog="python -m models.train", description=__doc__.split("\n")[0])
    p.add_argument("--data", default=os.environ.get("ECG5000_DIR") or DEFAULT_DATA,
                   help="folder holding ECG5000_TRAIN.txt and ECG5000_TEST.txt (default: $ECG5000_DIR or %(default)s); "
                        "the gallery's other datasets (--dataset) come from the pinned aeon wheel; a link to your own "
                        "file (dataset=file): the file")
    p.add_argument("--url", help="a shared link; its settings (after '#') are used")
    p.add_argument("--save", metavar="FILE", help="write the trained model as JSON")
    p.add_argument("--json", action="store_true", help="print machine-readable results, one JSON object per line")
    p.add_argument("--report", metavar="FILE", help="write the run's report, one self-contained HTML file (needs the "
                                                    "built app's dist/: python build.py build)")
    p.add_argument("--sample", metavar="N", type=int, default=None,
                   help="the test sample the report shows rebuilt, numbered from 0 as the app numbers them "
                        "(default: the one with the largest error)")
    for s in settings.SETTINGS:  # options generated from the settings table
        extra = {"choices": s["choices"]} if s["kind"] == "choice" else {}
        default = s["default"]
        shown = ",".join(map(str, default)) if isinstance(default, list) else default
        text = "%s (default %s)" % (s["label"], shown)
        if s["choices"] == ["off", "on"]:  # a switch: the bare option turns it on
            extra.update(nargs="?", const="on", metavar="off|on")
            text = "%s (default %s; --%s alone: on)" % (s["label"], shown, s["key"])
        if s["key"] == "baselines":
            text += ": after training, a table of the classical detectors (models/baselines.py) beside the autoencoder"
        p.add_argument("--" + s["key"], type=_parse_kind(s), default=None, help=text.replace("%", "%%"), **extra)
    return p


def config_from_args(args):
    """Settings from --url, then explicit options on top; validated."""
    config = {}
    if args.url:
        from models import links
        decoded = links.decode(args.url.split("#", 1)[1] if "#" in args.url else args.url)
        config, rejected = dict(decoded[0]), decoded[-1]  # (config, hide, rejected); hide is UI-only
        if rejected:
            print(links.describe(rejected), file=sys.stderr)
    for s in settings.SETTINGS:
        value = getattr(args, s["key"])
        if value is not None:
            config[s["key"]] = value
    return settings.validate(config)


def load_file(path, config):
    """Your own file, read as the link's file settings say; it must be the file the link names."""
    from data import file_settings, user_file
    if os.path.isdir(path):
        raise ValueError("this link trains on your own file %s: give it with --data FILE"
                         % (config["file_name"] or "(no name)"))
    with open(path, "rb") as f:
        blob = f.read()
    digest = file_settings.sha256(blob)
    if config["file_sha256"] and digest != config["file_sha256"]:
        raise ValueError("%s is not the file the link names (%s): its sha256 is %s, the link's %s"
                         % (path, config["file_name"], digest, config["file_sha256"]))
    name = config["file_name"] or os.path.basename(path)  # the page's name, so messages match
    parsed = user_file.parse(blob, name, file_settings.to_options(config))
    return dict(user_file.to_dataset(parsed, name), key="file")


def load_data(folder, key="ecg5000", config=None):
    """ECG5000 from `folder`; another gallery dataset from the pinned aeon wheel (downloaded from
    PyPI into .cache/aeon the first time, as the build does: builder/gallery.py); your own file
    (dataset "file") from the file `folder` names."""
    if key == "file":
        return load_file(folder, config)
    if key != "ecg5000":
        from builder import gallery
        return gallery.load(key, log=lambda text: print(text, file=sys.stderr))
    from data.ecg5000 import load_folder
    return load_folder(folder)


def report_parts(dist=None):
    """(chart specs, {runtime name: script text}) for a report, from the built app's dist/: the
    same files the page sends its engine. A clear error when the app is not built."""
    from models import report
    dist = dist or DIST
    paths = {"specs": os.path.join(dist, "specs.json")}
    paths.update((name, os.path.join(dist, "vendor", name + ".min.js")) for name in report.RUNTIME)
    missing = [path for path in paths.values() if not os.path.isfile(path)]
    if missing:
        raise ValueError("%s missing: a report inlines the chart specs and the Vega runtime of the built app; "
                         "run `python build.py build` first" % ", ".join(missing))
    texts = {}
    for name, path in paths.items():
        with open(path, encoding="utf-8") as f:
            texts[name] = f.read()
    return json.loads(texts.pop("specs")), texts


def write_report(path, exp, rows, url, parts, dataset, sample=None):
    """The run's report (models/report.py) into `path`, test sample `sample` rebuilt in it; `url`
    the --url given (its address, if any, is the app's)."""
    from models import report
    app_url = url.split("#", 1)[0] if url and "://" in url.split("#", 1)[0] else None
    data = report.gather(exp, rows, {"in": "CPython", "app_url": app_url}, dataset, sample)
    text = report.to_html(data, *parts)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return len(text.encode("utf-8"))


def show_baselines(exp, as_json):
    """The autoencoder and the classical detectors on the same data: a table, or JSON lines.
    Returns the rows."""
    from models import baselines
    rows = [baselines.autoencoder_row(exp)] + baselines.run(exp)
    if as_json:
        for r in rows:
            print(json.dumps({k: v for k, v in r.items() if k not in ("test_scores", "roc", "pr")}))
        return rows
    best = max([r["auc"] for r in rows if r.get("auc") is not None] or [None])

    def num(v, fmt="%.4f"):
        return "-" if v is None else fmt % v
    print("\ncompared on the same %d test samples; * = best AUC. Thresholds: the autoencoder's rule (%s); the "
          "others' percentile %g of their %s scores" % (len(exp.x_test), exp.config["threshold_rule"],
                                                            exp.config["threshold_percentile"],
                                                            "validation" if len(exp.x_val) else "training"))
    print("%-22s %8s %7s %9s %7s %7s %8s %9s" % ("detector", "AUC", "AP", "precision", "recall", "F1",
                                                  "fit ms", "score ms"))
    for r in rows:
        if "error" in r:
            print("%-22s %s" % (r["label"], r["error"]))
            continue
        m = r["metrics"]
        auc = num(r["auc"]) + ("*" if r["auc"] is not None and r["auc"] == best else " ")
        print("%-22s %8s %7s %9.4f %7.4f %7.4f %8s %9.1f" % (r["label"], auc, num(r["ap"]), m["precision"], m["recall"],
                                                          m["f1"], num(r["fit_ms"], "%.1f"), r["score_ms"]))
        if r["note"]:
            print("%-22s (%s)" % ("", r["note"]))
    return rows


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as e:
        raise SystemExit("bad settings: %s" % e)
    parts = None
    if args.report:  # before training: a missing build or folder is said at once
        folder = os.path.dirname(os.path.abspath(args.report))
        if not os.path.isdir(folder):
            raise SystemExit("cannot write the report: there is no folder %s" % folder)
        try:
            parts = report_parts()
        except ValueError as e:
            raise SystemExit("cannot write the report: %s" % e)
    try:
        dataset = load_data(args.data, config["dataset"], config)
    except (OSError, ValueError) as e:
        raise SystemExit("cannot load data: %s" % e)
    from models.experiment import Experiment
    exp = Experiment(config, dataset)
    if args.sample is not None and not 0 <= args.sample < len(exp.x_test):  # said before training
        raise SystemExit("bad --sample: a test sample's number from 0 to %d, not %d" % (len(exp.x_test) - 1, args.sample))

    def show(r):
        if args.json:
            print(json.dumps(r), flush=True)
        else:
            val = "" if r["val_loss"] is None else "  val_loss %.6f" % r["val_loss"]
            loss = "n/a" if r["loss"] is None else "%.6f" % r["loss"]
            print("epoch %3d  loss %s%s  (%.0f ms)" % (r["epoch"], loss, val, r["ms"]), flush=True)
        if r["message"] and not args.json:
            print(r["message"], flush=True)

    last = exp.fit(on_epoch=show)
    ev = exp.evaluate()
    summary = {"auc": ev["auc"], "threshold": ev["threshold"], "threshold_rule": ev["threshold_rule"],
               "uses_labels": ev["uses_labels"], "metrics": ev["metrics"], "stopped": last["stopped"]}
    if args.json:
        print(json.dumps(summary))
    else:
        m = ev["metrics"]
        print("test: AUC %.4f  threshold %.6g (%s)  accuracy %.4f  precision %.4f  recall %.4f  f1 %.4f"
              % (ev["auc"], ev["threshold"], ev["threshold_rule"], m["accuracy"], m["precision"],
                 m["recall"], m["f1"]))
        print("confusion: %(tp)d tp  %(fp)d fp  %(tn)d tn  %(fn)d fn" % m["confusion"])
    rows = show_baselines(exp, args.json) if config["baselines"] == "on" else None
    if args.report:
        try:
            size = write_report(args.report, exp, rows, args.url, parts, dataset, args.sample)
        except OSError as e:
            raise SystemExit("cannot write the report: %s" % e)
        print("wrote the report %s (%d KB)" % (args.report, max(1, size // 1000)),
              file=sys.stderr if args.json else sys.stdout)
    if args.save:
        with open(args.save, "w") as f:
            f.write(exp.to_json())
    return 0 if last["stopped"] != "diverged" else 1


if __name__ == "__main__":
    sys.exit(main())
