"""models/report.py and `python -m models.train --report FILE`: a report holds the run's exact
numbers, shows a user's text as text, feeds the app's chart specs their rows, and a report that
cannot be written is said before anything trains."""
import html.parser
import json

import pytest

from data import about as about_
from data import ecg5000
from data import samples
from models import error_strip, links, report, train
from models.experiment import Experiment
from tests.conftest import ecg_dir

LINK = "encoder=8&latent=2&train_size=300&epochs=2"
RUNTIME = {"vega": "window.vega = {};", "vega-embed": "window.vegaEmbed = () => Promise.resolve();"}


def fake_specs():
    """Specs shaped like the build's (named data sources, the classNames signal)."""
    return {"loss": {"data": [{"name": "losses"}, {"name": "data_0", "source": "losses"}]},
            "roc": {"data": [{"name": "source_0", "values": [{"fpr": 0, "tpr": 0}]}, {"name": "roc"}, {"name": "roc_point"}]},
            "hist": {"data": [{"name": "errors"}, {"name": "threshold"}],
                     "signals": [{"name": "width"}, {"name": "classNames", "value": ["Normal"]}]},
            "latent": {"data": [{"name": "latent"}], "signals": [{"name": "classNames", "value": ["Normal"]}]},
            "recon": {"data": [{"name": "recon"}, {"name": "stretch"}]},
            "compare_roc": {"data": [{"name": "roc"}]}, "compare_pr": {"data": [{"name": "pr"}]}}


class Blocks(html.parser.HTMLParser):
    """The page's <script type="application/json"> blocks by id, and its text outside scripts."""

    def __init__(self, text):
        super().__init__()
        self.blocks, self.text, self._in = {}, [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in = attrs.get("id") or "script" if tag == "script" else None

    def handle_data(self, data):
        if self._in:
            self.blocks[self._in] = data
        else:
            self.text.append(data)

    def handle_endtag(self, tag):
        self._in = None


@pytest.fixture(scope="module")
def exp():
    e = Experiment(links.decode(LINK)[0], ecg5000.load_folder(ecg_dir()))
    e.fit()
    return e


def test_the_report_holds_the_runs_exact_numbers(exp):
    data = report.gather(exp, None, {"in": "CPython", "app_url": None})
    page = report.to_html(data, fake_specs(), RUNTIME)
    back = json.loads(Blocks(page).blocks["report-data"])
    ev = exp.evaluate()
    assert [h["loss"] for h in back["losses"]] == [h["loss"] for h in exp.history]  # exactly: float repr
    assert back["auc"] == ev["auc"] and back["errors"] == ev["errors"] and back["roc"] == [list(p) for p in ev["roc"]]
    assert back["metrics"] == ev["metrics"] and back["threshold"] == ev["threshold"]
    assert back["latent"]["points"] == exp.latent()["points"]
    assert back["link"] == links.encode(exp.config) and links.decode(back["link"])[0] == exp.config
    assert back["baselines"] is None and "Compared with classical detectors" not in page
    assert back == json.loads(json.dumps(data))


def test_the_charts_are_the_apps_specs_fed_their_rows(exp):
    data = report.gather(exp, None, {"in": "CPython", "app_url": None})
    charts = report.chart_specs(data, fake_specs())
    assert sorted(charts) == ["hist", "latent", "loss", "recon", "roc"]  # no compare charts without baselines
    values = {name: {d["name"]: d.get("values") for d in spec["data"]} for name, spec in charts.items()}
    assert len(values["loss"]["losses"]) == 2 * 2 and values["loss"]["data_0"] is None
    assert values["roc"]["source_0"] == [{"fpr": 0, "tpr": 0}]  # the chance diagonal, as the spec had it
    assert values["roc"]["roc_point"] == [{"fpr": data["metrics"]["fpr"], "tpr": data["metrics"]["tpr"]}]
    assert [r["error"] for r in values["hist"]["errors"]] == data["errors"]
    names = [about_.class_name(exp.about, label, short=True) for label in about_.labels(exp.about)]
    assert charts["hist"]["signals"][1]["value"] == names and charts["latent"]["signals"][0]["value"] == names
    with pytest.raises(ValueError, match="no chart 'latent': build them again"):
        report.chart_specs(data, {k: v for k, v in fake_specs().items() if k != "latent"})


def test_the_report_rebuilds_the_selected_sample_or_the_worst(exp):
    """The sample the app has selected, as its reconstruction chart and error strip show it; with
    none given (the command line's default), the test sample with the largest error."""
    ev = exp.evaluate()
    worst = report.gather(exp, None, {})
    i = worst["sample"]["index"]
    assert worst["sample"]["picked"] == "largest error" and ev["errors"][i] == max(ev["errors"])
    chosen = report.gather(exp, None, {}, sample=7)
    sample = chosen["sample"]
    assert (sample["index"], sample["picked"], sample["label"]) == (7, "selected", ev["labels"][7])
    rec = exp.reconstruct(7)
    where, rows = error_strip.reconstruction_chart(exp, rec)
    assert sample["error"] == rec["error"] and sample["where"] == where and sample["chart"] == rows
    assert len(rows["recon"]) == 140 and rows["recon"][0]["t"] == 0
    assert report.chart_specs(chosen, fake_specs())["recon"]["data"][0]["values"] == rows["recon"]
    page = report.to_html(chosen, fake_specs(), RUNTIME)
    text = "".join(Blocks(page).text)
    assert "Test heartbeat 7, rebuilt" in text and "Chosen with --sample 7: " in text and where["text"] in text
    chosen["made"] = {"in": "browser"}
    assert "Selected in the app: " in "".join(Blocks(report.to_html(chosen, fake_specs(), RUNTIME)).text)
    assert "The test heartbeat with the largest error: " in "".join(Blocks(report.to_html(worst, fake_specs(), RUNTIME)).text)
    with pytest.raises(ValueError, match="sample: a test sample's number from 0 to 499, not 500"):
        report.gather(exp, None, {}, sample=500)


def test_a_long_series_report_has_its_timeline():
    from builder import gallery as gallery_files
    series = gallery_files.load("bleeding")
    run = Experiment(links.decode("dataset=bleeding&window=32&stride=8&encoder=8&latent=2")[0], series)
    run.train_epoch()
    data = report.gather(run, None, {}, series)
    specs = dict(fake_specs(), timeline={"data": [{"name": n} for n in ("series", "flagged", "labelled", "training")],
                                         "signals": [{"name": "timeDomain", "value": [0, 100]}]},
                 timeline_errors={"data": [{"name": "windows"}, {"name": "threshold"}]})
    charts = report.chart_specs(data, specs)
    assert list(charts)[:2] == ["timeline", "timeline_errors"]  # first, as wide as the page
    assert charts["timeline"]["signals"][0]["value"] == [0, len(series["series"])]
    values = {d["name"]: d["values"] for d in charts["timeline"]["data"]}
    assert values["training"] == [{"t0": 0, "t1": int(series["train_end"])}] and values["labelled"]
    windows = charts["timeline_errors"]["data"][0]["values"]
    assert sum(w["part"] == "test" for w in windows) == len(data["errors"])
    assert "labelled anomalies" in report.to_html(data, specs, RUNTIME)
    # its sample, a window, on the series' own time axis
    steps = [r["t"] for r in data["sample"]["chart"]["recon"]]
    first = samples.first_step(series, run.config, run.split["test"][data["sample"]["index"]])
    assert first > 0 and steps == list(range(first, first + 32))


def test_a_users_text_is_shown_as_text(exp):
    data = report.gather(exp, None, {"in": "browser", "app_url": "http://x/app/?a=1&b=<i>#old"})
    evil = "<script>alert(1)</script> & <b>"
    data["dataset"]["about"] = dict(data["dataset"]["about"], name=evil)
    data["dataset"]["about"]["classes"] = [[row[0], evil, row[2]] for row in data["dataset"]["about"]["classes"]]
    runtime = dict(RUNTIME, vega="var s = '</script><b>';")
    page = report.to_html(data, fake_specs(), runtime)
    parsed = Blocks(page)
    assert "<script>alert(1)" not in page.replace("\\u003cscript>", "")  # only as escaped text
    assert evil in "".join(parsed.text)  # shown as text
    assert json.loads(parsed.blocks["report-data"])["dataset"]["about"]["name"] == evil
    assert "var s = '<\\/script><b>';" in page  # the runtime's text cannot end its element
    assert 'href="http://x/app/?a=1&amp;b=&lt;i&gt;#' in page


def test_no_runtime_no_report(exp):
    data = report.gather(exp, None, {})
    with pytest.raises(ValueError, match=r"needs the Vega runtime \(vega-embed\): build the app"):
        report.to_html(data, fake_specs(), {"vega": "x"})


def fake_dist(folder):
    (folder / "vendor").mkdir()
    (folder / "specs.json").write_text(json.dumps(fake_specs()))
    for name, text in RUNTIME.items():
        (folder / "vendor" / (name + ".min.js")).write_text(text)
    return str(folder)


def test_the_command_line_writes_the_report(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(train, "DIST", fake_dist(tmp_path))
    out = tmp_path / "run.html"
    assert train.main(["--url", "https://example.org/app/#" + LINK, "--report", str(out), "--sample", "12"]) == 0
    assert "wrote the report %s (" % out in capsys.readouterr().out
    page = out.read_text()
    data = json.loads(Blocks(page).blocks["report-data"])
    assert data["made"] == {"in": "CPython", "app_url": "https://example.org/app/"} and data["epoch"] == 2
    assert (data["sample"]["index"], data["sample"]["picked"]) == (12, "selected")
    assert 'href="https://example.org/app/#%s"' % data["link"].replace("&", "&amp;") in page
    assert "<script>window.vegaEmbed = () => Promise.resolve();</script>" in page


def test_a_sample_that_is_not_there_is_said_before_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(train, "DIST", fake_dist(tmp_path))
    for bad in ("500", "-1"):
        with pytest.raises(SystemExit, match="bad --sample: a test sample's number from 0 to 499, not %s" % bad):
            train.main(["--url", LINK, "--report", str(tmp_path / "run.html"), "--sample", bad])
        assert "epoch" not in capsys.readouterr().out
    assert not (tmp_path / "run.html").exists()


def test_a_report_that_cannot_be_written_is_said_before_training(tmp_path, monkeypatch, capsys):
    with pytest.raises(SystemExit, match="cannot write the report: there is no folder .*nowhere"):
        train.main(["--epochs", "1", "--report", str(tmp_path / "nowhere" / "run.html")])
    monkeypatch.setattr(train, "DIST", str(tmp_path / "unbuilt"))
    with pytest.raises(SystemExit, match=r"specs.json.* missing: a report inlines the chart specs and the Vega "
                                         r"runtime of the built app; run `python build.py build` first"):
        train.main(["--epochs", "1", "--report", str(tmp_path / "run.html")])
    assert "epoch" not in capsys.readouterr().out  # nothing trained
