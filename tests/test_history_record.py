"""The run history's record (app/history_record.py): what make_record builds passes check; corrupted
and foreign records are refused with a reason and never raise; rows sort with missing numbers last;
the settings that vary and the chart's points; CSV (read back with the csv module) and file names.
The same module runs under the browser's MicroPython (tests/test_links_micropython.py's runner)."""
import copy
import csv
import io
import json
import os
import subprocess

import pytest

from app import history_record as hr
from models import settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def summary(auc=0.95, f1=0.8):
    return {"auc": auc, "threshold": 0.012, "threshold_rule": "percentile",
            "metrics": {"accuracy": 0.9, "precision": 0.85, "recall": 0.75, "f1": f1, "fpr": 0.05, "fnr": 0.25,
                        "confusion": {"tp": 1, "fp": 2, "tn": 3, "fn": 4}}}


def record(rid=1, auc=0.95, **config):
    cfg = settings.defaults()
    cfg.update(config)
    r = hr.make_record(cfg, "encoder=32,8", {"sizes": [140, 32, 8, 2, 8, 32, 140], "params": 1234}, summary(auc),
                       "finished", 20, 1530.0, "2026-11-30T19:50:12.345Z", "ECG5000", 0.01, 0.02,
                       {"k-nearest neighbours": 0.97, "Isolation Forest": 0.93})
    # as IndexedDB gives it back: through JSON, with its id
    r = json.loads(json.dumps(r))
    r["id"] = rid
    return r


def test_a_made_record_passes_its_check():
    r = record()
    assert hr.check(r) == (r, None)
    assert r["architecture"] == "140-32-8-2-8-32-140" and r["settings"]["encoder"] == [15, 7]
    assert hr.best_baseline(r) == ("k-nearest neighbours", 0.97)


@pytest.mark.parametrize("change, reason", [
    (lambda r: "a string", "not a run record"),
    (lambda r: None, "not a run record"),
    (lambda r: [1, 2], "not a run record"),
    (lambda r: {"foo": "bar", "id": 3}, "not a run record of this app"),
    (lambda r: dict(r, kind="other-app"), "not a run record of this app"),
    (lambda r: dict(r, v=99), "newer version"),
    (lambda r: dict(r, v="1"), "no version"),
    (lambda r: dict(r, id="7"), "no id"),
    (lambda r: dict(r, auc="high"), "auc is not a number"),
    (lambda r: dict(r, auc=float("nan")), "auc is not a number"),
    (lambda r: dict(r, epochs=-1), "epochs"),
    (lambda r: dict(r, epochs=True), "epochs"),
    (lambda r: dict(r, wall_ms=None), "wall_ms"),
    (lambda r: dict(r, status="exploded"), "unknown status"),
    (lambda r: dict(r, settings=[1]), "settings"),
    (lambda r: dict(r, metrics=dict(r["metrics"], f1=[0.5])), "f1 is not a number"),
    (lambda r: dict(r, baselines={"kNN": "x"}), "baseline"),
    (lambda r: dict(r, baselines=[0.5]), "baselines"),
    (lambda r: dict(r, link="x" * 5000), "link"),
    (lambda r: dict(r, dataset_title=None), "dataset_title"),
])
def test_corrupted_or_foreign_records_are_refused_with_a_reason(change, reason):
    bad = change(copy.deepcopy(record()))
    got, why = hr.check(bad)
    assert got is None and reason in why


def test_rows_sort_with_missing_numbers_last():
    rows = [hr.row(record(1, 0.9)), hr.row(record(2, None)), hr.row(record(3, 0.99))]
    assert [r["id"] for r in hr.sort_rows(rows, "auc", True)] == [3, 1, 2]
    assert [r["id"] for r in hr.sort_rows(rows, "auc", False)] == [1, 3, 2]
    assert [r["id"] for r in hr.sort_rows(rows, "id", True)] == [3, 2, 1]
    assert [r["id"] for r in hr.sort_rows(rows, "key_settings", False)] == [1, 2, 3]
    cells = hr.cells(rows[0])
    assert cells[:3] == ["1", "2026-11-30 19:50", "ECG5000"] and cells[6] == "0.9000" and cells[7] == "80.0%"
    assert cells[4] == "adam, lr 0.01, batch 256, leaky_relu"
    assert cells[8] == "0.9700 (k-nearest neighbours)" and cells[9] == "1.5 s"
    assert hr.label(rows[0]["record"]) == "Run 1 (AUC 0.900)" and hr.cells(rows[1])[6] == "–"


def test_the_settings_that_vary_and_their_points():
    rows = [hr.row(record(1, 0.9, learning_rate=0.01)), hr.row(record(2, 0.95, learning_rate=0.001)),
            hr.row(record(3, 0.97, learning_rate=0.1, encoder=[32, 8]))]
    assert hr.varying_settings(rows) == ["encoder", "learning_rate"]
    points = hr.setting_points(rows, "learning_rate")
    assert [(p["value"], p["order"], p["auc"]) for p in points] == [("0.01", 1, 0.9), ("0.001", 0, 0.95), ("0.1", 2, 0.97)]
    assert [p["value"] for p in hr.setting_points(rows, "encoder")] == ["15,7", "15,7", "32,8"]
    assert hr.varying_settings(rows[:1]) == []
    assert [p["order"] for p in hr.setting_points(rows, "optimizer")] == [0, 0, 0]


def test_csv_reads_back_with_every_field():
    recs = [record(1, 0.9), record(2, None, file_name='my, "odd"\nfile.csv')]
    keys = [s["key"] for s in settings.SETTINGS]
    text = hr.to_csv(recs, keys)
    table = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(table) == 2
    assert table[0]["auc"] == "0.9" and table[1]["auc"] == "" and table[0]["f1"] == "0.8"
    assert table[0]["wall_s"] == "1.53" and table[0]["best_baseline_auc"] == "0.97"
    assert table[0]["setting:encoder"] == "15,7" and table[0]["setting:learning_rate"] == "0.01"
    assert table[1]["setting:file_name"] == 'my, "odd"\nfile.csv'
    assert table[0]["link"] == "encoder=32,8"


def test_file_names_and_export_header():
    assert hr.file_name("2026-11-30T19:50:12.345Z", "csv") == "anomaly-explorer-history-2026-11-30.csv"
    assert hr.export_header("2026-11-30T19:50:12.345Z") == {"format": hr.EXPORT_FORMAT, "version": hr.VERSION,
                                                            "exported": "2026-11-30T19:50:12.345Z"}


@pytest.mark.needs_node_modules
def test_under_micropython_it_checks_and_rows_like_cpython(tmp_path):
    recs = [record(1, 0.9), record(2, None), {"foo": 1}, dict(record(4), auc="x")]
    script = tmp_path / "check.py"
    script.write_text("import json\nfrom app import history_record as hr\n"
                      "recs = json.load(open('/app/input'))\n"
                      "out = []\n"
                      "for r in recs:\n"
                      "    got, why = hr.check(r)\n"
                      "    out.append(why if got is None else hr.cells(hr.row(got)))\n"
                      "print(json.dumps(out))\n")
    data = tmp_path / "input.json"
    data.write_text(json.dumps(recs))
    res = subprocess.run(["node", os.path.join(ROOT, "tests", "micropython_check.mjs"), str(script), str(data)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    expected = [hr.check(r)[1] if hr.check(r)[0] is None else hr.cells(hr.row(r)) for r in recs]
    assert json.loads(res.stdout) == expected
