"""A run's report: one self-contained HTML file (settings, link, dataset, metrics, the baseline
table, and the charts with their data), written by the same code in the browser's engine
(app/engine.py `report`) and in CPython (`python -m models.train --report FILE`).

    gather(exp, baseline_rows, made, dataset) -> the run's numbers (plain Python, ready for JSON)
    to_html(data, specs, runtime)             -> the page's text

The charts are the app's own (app/charts.py, compiled to Vega by the build: dist/specs.json) with
their rows set as the specs' data; the Vega runtime (dist/vendor/, from node_modules) is inlined,
so the file opens offline. Every number is also in <script type="application/json"
id="report-data">, written with Python's float repr (exact), so two reports can be compared.
Whatever depends on where and when the report was made (the app's address, times) is under
"made", the rest is what the link reproduces.
"""
import html
import json

from data import about as about_, gallery
from models import links, settings, thinning

# The charts as wide as the page (a long series' timeline).
WIDE = ("timeline", "timeline_errors")
# The charts in a section of their own, not among the others (the test sample's reconstruction).
OWN_SECTION = ("recon",)
# The Vega runtime, in load order: dist/vendor/<name>.min.js (builder/dist.py add_runtimes).
RUNTIME = ("vega", "vega-embed")
# A baseline row's numbers that the link reproduces (its times, under "made", do not).
ROW_KEYS = ("name", "label", "auc", "ap", "threshold", "threshold_rule", "note", "error")


def gather(exp, baseline_rows=None, made=None, dataset=None, sample=None):
    """The numbers of experiment `exp` as trained now (it is evaluated here): settings, link,
    dataset, losses, metrics at the threshold, test errors, ROC points, latent points, and
    `baseline_rows` (models/baselines.py results, the autoencoder's first) when given; the
    timeline's rows (models/timeline.py) when `dataset`, the one `exp` was made from, is a long
    series; and test sample `sample`'s reconstruction (the one selected in the app), or when None
    the one with the largest error. `made`: {"in": "browser" | "CPython", "app_url": the app's
    address or None}."""
    ev = exp.evaluate()
    lat = exp.latent()
    made = dict(made or {})
    data = {
        "link": links.encode(exp.config),
        "settings": exp.config,
        "dataset": {"about": exp.about, "train_samples": int(len(exp.x_train)),
                    "validation_samples": int(len(exp.x_val)), "test_samples": int(len(exp.x_test))},
        "sizes": [int(exp.model.net.layers[0].W.shape[0])] + [int(l.W.shape[1]) for l in exp.model.net.layers],
        "epoch": exp.epoch,
        "losses": [{"epoch": h["epoch"], "loss": h["loss"], "val_loss": h["val_loss"]} for h in exp.history],
        "auc": ev["auc"], "threshold": ev["threshold"], "threshold_rule": ev["threshold_rule"],
        "uses_labels": ev["uses_labels"], "metrics": ev["metrics"],
        "roc": ev["roc"], "errors": ev["errors"], "labels": ev["labels"],
        "latent": {"points": lat["points"], "method": lat["method"], "explained": lat["explained"]},
        "baselines": None, "timeline": None,
        "sample": _sample(exp, ev, dataset, sample),
    }
    if dataset is not None and dataset.get("kind") == "series":
        from data import samples
        from models import timeline
        summary, charts = timeline.timeline(exp, dataset, samples.for_config(dataset, exp.config), ev["errors"])
        data["timeline"] = dict(charts, points=summary["points"])
    if baseline_rows:
        data["baselines"] = [_row(r) for r in baseline_rows]
        made["times_ms"] = {r["name"]: {"fit": r.get("fit_ms"), "score": r.get("score_ms")} for r in baseline_rows}
    data["made"] = made
    return data


def _sample(exp, ev, dataset, i):
    """Test sample i (None: the first with the largest error) as the app's reconstruction chart
    shows it: {"index", "picked": "selected" | "largest error", "label", "error", "where": its
    error strip's sentence and stretch (models/error_strip.py), "chart": the chart's rows}."""
    from data import samples
    from models import error_strip
    errors = ev["errors"]
    picked = "selected"
    if i is None:
        i, picked = max(range(len(errors)), key=lambda k: (errors[k], -k)), "largest error"
    if not 0 <= i < len(errors):
        raise ValueError("sample: a test sample's number from 0 to %d, not %d" % (len(errors) - 1, i))
    first = samples.first_step(dataset, exp.config, exp.split["test"][i]) if dataset is not None else 0
    rec = exp.reconstruct(i)
    where, rows = error_strip.reconstruction_chart(exp, rec, first)
    return {"index": i, "picked": picked, "label": int(ev["labels"][i]), "error": rec["error"],
            "where": where, "chart": rows}


def _row(r):
    out = {k: r.get(k) for k in ROW_KEYS}
    out["metrics"] = r.get("metrics")
    out["roc"], out["pr"] = r.get("roc") or [], r.get("pr") or []
    return out


# ---- the charts ---------------------------------------------------------------------------------

def chart_rows(data):
    """{chart name: {data source: rows}}: what the app's charts are fed (app/engine.py training_view)."""
    ab = data["dataset"]["about"]
    cls = [about_.class_name(ab, label, short=True) for label in data["labels"]]
    m = data["metrics"]
    out = {}
    if data["timeline"]:
        for name in WIDE:
            out[name] = data["timeline"][name]
    out.update({
        "loss": {"losses": thinning.loss_rows(data["losses"])[0]},
        "roc": {"roc": [{"fpr": a, "tpr": b} for a, b in data["roc"]],
                "roc_point": [{"fpr": m["fpr"], "tpr": m["tpr"]}] if data["roc"] else []},
        "hist": {"errors": [{"error": e, "cls": c} for e, c in zip(data["errors"], cls)],
                 "threshold": [{"threshold": data["threshold"]}]},
        "latent": {"latent": [{"x": p[0], "y": p[1], "cls": c, "i": k}
                              for k, (p, c) in enumerate(zip(data["latent"]["points"], cls))]},
        "recon": data["sample"]["chart"],
    })
    if data["baselines"]:
        rows = [r for r in data["baselines"] if not r.get("error")]
        out["compare_roc"] = {"roc": [{"detector": r["label"], "fpr": a, "tpr": b} for r in rows for a, b in r["roc"]]}
        out["compare_pr"] = {"pr": [{"detector": r["label"], "recall": a, "precision": b}
                                    for r in rows for a, b in r["pr"]]}
    return out


def chart_specs(data, specs):
    """The app's Vega specs (`specs`: dist/specs.json's {name: spec}) with this run's rows as their
    data and its dataset's classes (the "classNames" signal the page sets at run time)."""
    ab = data["dataset"]["about"]
    classes = [about_.class_name(ab, label, short=True) for label in about_.labels(ab)]
    out = {}
    for name, parts in chart_rows(data).items():
        if name not in specs:
            raise ValueError("the chart specs have no chart %r: build them again (python build.py build)" % name)
        spec = json.loads(json.dumps(specs[name]))  # a copy
        for source in spec.get("data", []):
            if source["name"] in parts:
                source["values"] = parts[source["name"]]
        for signal in spec.get("signals", []):
            if signal["name"] == "classNames":
                signal["value"] = classes
            if signal["name"] == "timeDomain" and data["timeline"]:
                signal["value"] = [0, data["timeline"]["points"]]
        spec["background"] = "white"
        out[name] = spec
    return out


# ---- the page -----------------------------------------------------------------------------------

def _json_block(obj):
    """JSON safe inside <script>: '<' written as its escape, so no '</script>' can end the block."""
    return json.dumps(obj, allow_nan=False).replace("<", "\\u003c")


def _script_text(text):
    """JavaScript inlined in <script>: a '</script' inside it (in a string) would end the element early."""
    return text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def _num(v, fmt="%.4f"):
    return "–" if v is None else fmt % v


def _table(head, rows, cls=""):
    """A table of our own header HTML and cells (already escaped), scrolled sideways on a phone."""
    out = ['<div class="scroll"><table%s><thead><tr>' % (' class="%s"' % cls if cls else "")]
    out += ["<th scope=\"col\">%s</th>" % h for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join("<td>%s</td>" % cell for cell in row) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _setting_text(s, value):
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, float):
        return repr(value)
    return str(value) if value != "" else "(none)"


def _settings_list(data):
    """Every setting that applies to this run, as label: value (changed from the default: bold)."""
    config = data["settings"]
    items = []
    for s in settings.SETTINGS:
        if s["group"] == "file" and config["dataset"] != "file":
            continue
        if s["group"] == "baselines" and s["key"] != "baselines" and not data["baselines"]:
            continue
        if s["key"] in ("window", "stride") and not gallery.is_series(config):
            continue
        text = html.escape(_setting_text(s, config[s["key"]]))
        changed = config[s["key"]] != s["default"]
        items.append('<div%s><dt title="%s">%s</dt><dd>%s</dd></div>' % (
            ' class="changed"' if changed else "", html.escape(s["key"]), html.escape(s["label"]), text))
    return '<dl class="settings">%s</dl>' % "".join(items)


def _metrics_table(data):
    m = data["metrics"]
    c = m["confusion"]
    rows = [["AUC (ranking by error)", _num(data["auc"])],
            ["Threshold", "%.6g (%s)" % (data["threshold"], html.escape(
                settings.threshold_rule_text(data["settings"], about_.samples(data["dataset"]["about"]))))]]
    for key, label in (("accuracy", "Accuracy"), ("precision", "Precision"), ("recall", "Recall"), ("f1", "F1"),
                       ("fpr", "False-positive rate"), ("fnr", "False-negative rate")):
        rows.append([label, _num(m[key])])
    rows.append(["Confusion", "%d flagged abnormal rightly, %d wrongly; %d passed as normal rightly, %d wrongly"
                 % (c["tp"], c["fp"], c["tn"], c["fn"])])
    return _table(["Metric on the test samples", "Value"], rows, "metrics")


def _baselines_table(data):
    rows = []
    for r in data["baselines"]:
        if r.get("error"):
            rows.append([html.escape(r["label"]), html.escape(r["error"]), "", "", "", ""])
            continue
        m = r["metrics"]
        note = "<br><small>%s</small>" % html.escape(r["note"]) if r.get("note") else ""
        rows.append([html.escape(r["label"]) + note, _num(r["auc"]), _num(r["ap"]), _num(m["precision"]),
                     _num(m["recall"]), _num(m["f1"])])
    return _table(["Detector", "AUC", '<abbr title="Average precision">AP</abbr>', "Precision", "Recall", "F1"], rows,
                  "baselines")


def _dataset_text(data):
    d, ab = data["dataset"], data["dataset"]["about"]
    normal = [about_.class_name(ab, label) for label in ab["normal"]]
    abnormal = [about_.class_name(ab, label) for label in about_.labels(ab) if label not in ab["normal"]]
    parts = ["<strong>%s</strong>: %s of %d values." % (html.escape(ab["name"]), html.escape(about_.samples(ab)),
                                                        ab["length"]),
             "Normal: %s%s." % (html.escape(", ".join(normal)),
                                "; anomalies: " + html.escape(", ".join(abnormal)) if abnormal else ""),
             "%d training, %d validation and %d test %s." % (d["train_samples"], d["validation_samples"],
                                                              d["test_samples"], html.escape(about_.samples(ab)))]
    return " ".join(parts)


def _sample_section(data):
    """The test sample the report shows rebuilt (gather's "sample"): which, why, and where its error is."""
    sm, ab = data["sample"], data["dataset"]["about"]
    word = about_.samples(ab, 1)
    if sm["picked"] != "selected":
        why = "the test %s with the largest error" % word
    else:
        why = "selected in the app" if data["made"].get("in") == "browser" else "chosen with --sample %d" % sm["index"]
    return ("<section><h2>Test %s %d, rebuilt</h2><p id=\"sample-text\">%s: %s, reconstruction error %s. %s</p>"
            "<div class=\"charts\"><div class=\"chart wide\" id=\"chart-recon\"></div></div></section>"
            % (html.escape(word), sm["index"], html.escape(why[0].upper() + why[1:]),
               html.escape(about_.class_name(ab, sm["label"])), "%.6g" % sm["error"], html.escape(sm["where"]["text"])))


def _link_html(data):
    url = data["made"].get("app_url")
    if url and url.lower().startswith(("http://", "https://", "file://")):
        full = url.split("#", 1)[0] + "#" + data["link"]
        link = '<a class="app-link" href="%s">%s</a>' % (html.escape(full), html.escape(full))
    else:
        link = "<code>#%s</code> (add it to the app's address)" % html.escape(data["link"])
    return ("<p>%s</p><p class=\"note\">It opens this experiment in the app, and <code>python -m models.train "
            "--url '#%s' --report run.html</code> trains it again in CPython, with the same numbers.</p>"
            % (link, html.escape(data["link"])))


STYLE = """
:root { color-scheme: light; font: 15px/1.5 system-ui, sans-serif; color: #1d2430; background: #f4f6f9; }
body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 0 0 .5rem; }
section { background: #fff; border: 1px solid #dde2ea; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
.note, small { color: #556; } .lead { margin: 0; color: #445; }
a { color: #0060a0; word-break: break-all; } code { font-size: .9em; word-break: break-all; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #e6e9ef; vertical-align: top; }
thead th { background: #f0f3f7; } .scroll { overflow-x: auto; }
table.baselines td + td, table.baselines th + th { text-align: right; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem; }
.chart { min-height: 150px; width: 100%; } .chart.wide { grid-column: 1 / -1; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
.settings { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 0 1.5rem; margin: 0; }
.settings div { display: flex; justify-content: space-between; gap: 1rem; padding: .25rem 0;
  border-bottom: 1px solid #e6e9ef; }
.settings dt { color: #445; } .settings dd { margin: 0; text-align: right; white-space: nowrap; }
.settings .changed dd { font-weight: 700; }
@media (max-width: 720px) { .cols { grid-template-columns: 1fr; } .charts { grid-template-columns: 1fr; }
  body { padding: .75rem; } section { padding: .75rem; } th, td { padding: .3rem .35rem; } }
"""

# Embeds every chart of the "report-charts" block into its element: SVG, so it prints sharply.
EMBED = """
const specs = JSON.parse(document.getElementById("report-charts").textContent);
for (const [name, spec] of Object.entries(specs)) {
  vegaEmbed("#chart-" + name, spec, {renderer: "svg", logLevel: vega.Error,
    actions: {export: true, source: false, compiled: false, editor: false}})
    .then(() => document.getElementById("chart-" + name).dataset.ready = "1");
}
"""


def to_html(data, specs, runtime):
    """The report's page: `specs` the app's Vega specs (dist/specs.json), `runtime` {name: the
    text of dist/vendor/<name>.min.js} for every name in RUNTIME."""
    missing = [name for name in RUNTIME if not runtime.get(name)]
    if missing:
        raise ValueError("the report needs the Vega runtime (%s): build the app (python build.py build)"
                         % ", ".join(missing))
    charts = chart_specs(data, specs)
    ab = data["dataset"]["about"]
    shape = settings.shape_text(data["sizes"])
    where = "in your browser" if data["made"].get("in") == "browser" else "in CPython (python -m models.train)"
    title = "%s: a %s autoencoder, %d epoch%s" % (ab["name"], shape, data["epoch"], "" if data["epoch"] == 1 else "s")
    chart_divs = "".join('<div class="chart%s" id="chart-%s"></div>' % (" wide" if name in WIDE else "", name)
                         for name in charts if name not in OWN_SECTION)
    parts = [
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>Report: %s</title><style>%s</style>" % (html.escape(title), STYLE),
        "".join("<script>%s</script>" % _script_text(runtime[name]) for name in RUNTIME),
        "</head><body><header><h1>Anomaly Explorer report</h1>",
        "<p class=\"lead\">%s. Trained %s.</p></header>" % (html.escape(title), where),
        "<section><h2>Link</h2>%s</section>" % _link_html(data),
        "<section class=\"cols\"><div><h2>Dataset</h2><p>%s</p></div><div><h2>Metrics</h2>%s</div></section>"
        % (_dataset_text(data), _metrics_table(data)),
        "<section><h2>Charts</h2>%s<div class=\"charts\">%s</div></section>" % (
            "<p class=\"note\">The series: grey, its training part; green, labelled anomalies; orange, the "
            "stretches the threshold flags (the dashed line of the window errors).</p>" if data["timeline"] else "",
            chart_divs),
        _sample_section(data),
    ]
    if data["baselines"]:
        percentile = html.escape("%g" % data["settings"]["threshold_percentile"])
        held_out = "validation" if data["dataset"]["validation_samples"] else "training"
        parts.append("<section><h2>Compared with classical detectors</h2>%s<p class=\"note\">On the same test "
                     "samples; each detector flags the scores above percentile %s of its scores on the %s samples.</p>"
                     "</section>" % (_baselines_table(data), percentile, held_out))
    parts += [
        "<section><h2>Settings</h2>%s<p class=\"note\">In bold: changed from the default.</p></section>"
        % _settings_list(data),
        "<script type=\"application/json\" id=\"report-data\">%s</script>" % _json_block(data),
        "<script type=\"application/json\" id=\"report-charts\">%s</script>" % _json_block(charts),
        "<script>%s</script></body></html>\n" % EMBED,
    ]
    return "".join(parts)

