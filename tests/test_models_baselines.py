"""models/baselines.py and models/detectors.py: the classical detectors beside the autoencoder, on
the experiment's own data; their quality on ECG5000, the percentile thresholds, determinism, the
failures each reports while the others still run, JSON, the unlabelled case and the CLI's table."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: tiny matrices, see models/__init__.py
import json
import subprocess
import sys

import numpy as np
import pytest

from data.about import describe
from models import baselines, settings, train
from models.detectors import BY_NAME, DETECTORS
from models.experiment import Experiment
from test_models_data import ecg
from test_models_experiment import plain

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMES = [d["name"] for d in DETECTORS]
SMALL = {"train_size": 600, "epochs": 2}  # 540 training, 60 validation heartbeats; all 500 test beats
TIMES = ("fit_ms", "score_ms")


@pytest.fixture(scope="module")
def small():
    exp = Experiment(SMALL, ecg())
    exp.fit()
    calls = []
    results = baselines.run(exp, on_detector=lambda *a: calls.append(a))
    return exp, results, calls


def without_times(results):
    return [{k: v for k, v in r.items() if k not in TIMES} for r in results]


def knn_by_hand(train, rows, k, leave_out_self=False):
    """Mean Euclidean distance to the k nearest training rows, in plain NumPy (not scikit-learn)."""
    d = np.sqrt(((rows[:, None, :] - train[None, :, :]) ** 2).sum(axis=2))
    if leave_out_self:
        np.fill_diagonal(d, np.inf)
    return np.sort(d, axis=1)[:, :k].mean(axis=1)


def tiny_dataset(train_x, test_x, test_y, labelled=True):
    classes = [[1, "Normal", "Normal"], [2, "Odd", "Odd"]] if labelled else [[0, "Unlabelled", "Unlabelled"]]
    normal = [classes[0][0]]
    return {"train_x": np.asarray(train_x, dtype=np.float32), "train_y": np.full(len(train_x), normal[0]),
            "test_x": np.asarray(test_x, dtype=np.float32), "test_y": np.asarray(test_y),
            "about": describe("tiny", "sample", int(np.shape(train_x)[1]), classes, normal, labelled)}


def test_the_table_names_settings_of_its_own_group():
    assert NAMES == ["knn", "lof", "ocsvm", "iforest", "pca"] and list(BY_NAME) == NAMES
    for d in DETECTORS:
        assert d["label"] and d["score"]
        assert all(settings.BY_KEY[key]["group"] == "baselines" for key in d["keys"])
    cfg = settings.defaults()
    assert cfg["baselines"] == "off" and cfg["knn_k"] == 5 and cfg["lof_k"] == 20 and cfg["ocsvm_nu"] == 0.05
    assert cfg["ocsvm_gamma"] == "scale" and cfg["iforest_trees"] == 100 and cfg["pca_components"] == 8


def test_every_detector_ranks_ecg5000_well(small):
    exp, results, calls = small
    assert [r["name"] for r in results] == NAMES
    assert calls == [(i, 5, name) for i, name in enumerate(NAMES)]
    auc = {r["name"]: r["auc"] for r in results}
    print("AUC with 540 training beats:", auc)
    # seen: kNN 0.992, LOF 0.983, OC-SVM 0.986, Isolation Forest 0.935, PCA 0.984
    assert all(np.isfinite(v) for v in auc.values())
    assert min(auc["knn"], auc["lof"], auc["ocsvm"], auc["pca"]) > 0.97 and auc["iforest"] > 0.9
    for r in results:
        assert 0.7 < r["ap"] <= 1 and r["threshold_rule"] == "percentile" and r["metrics"]["recall"] > 0.7
        assert r["fit_ms"] >= 0 and r["score_ms"] > 0 and len(r["test_scores"]) == 500
        assert 2 <= len(r["roc"]) <= 200 and r["roc"][0] == [0.0, 0.0] and r["roc"][-1] == [1.0, 1.0]
        recall = [p[0] for p in r["pr"]]
        assert 2 <= len(r["pr"]) <= 300 and recall == sorted(recall) and r["pr"][0] == [0.0, 1.0] and recall[-1] == 1.0
    assert [r["note"] for r in results if r["note"]] == ["PCA keeps 8 of 140 components: 90% of the training variance"]


def test_thresholds_are_the_percentile_of_validation_scores(small):
    exp, results, _ = small
    knn = results[0]
    val = knn_by_hand(exp.x_train, exp.x_val, 5)
    assert knn["threshold"] == pytest.approx(np.percentile(val, 95.0), rel=1e-9)
    assert knn["test_scores"] == pytest.approx(knn_by_hand(exp.x_train, exp.x_test, 5), rel=1e-9)
    for r in results:  # the metrics are those at the threshold, flagging scores strictly above it
        flagged = np.asarray(r["test_scores"]) > r["threshold"]
        assert r["metrics"]["confusion"]["tp"] == int((flagged & (exp.y_test == 1)).sum())
        assert r["metrics"]["confusion"]["fp"] == int((flagged & (exp.y_test == 0)).sum())


def test_same_experiment_same_scores_and_json_ready(small):
    exp, results, _ = small
    again = baselines.run(exp)
    assert without_times(again) == without_times(results)  # bit-identical: == on floats
    assert plain(results)
    json.dumps(results, allow_nan=False)


def test_the_autoencoder_row_is_its_own_evaluation(small):
    exp, _, _ = small
    row, ev = baselines.autoencoder_row(exp), exp.evaluate()
    assert set(row) == set(baselines.run_one(exp, "pca"))
    assert row["auc"] == ev["auc"] and row["threshold"] == ev["threshold"] and row["metrics"] == ev["metrics"]
    assert row["test_scores"] == ev["errors"] and row["roc"] == ev["roc"] and row["fit_ms"] is None
    assert 0 < row["ap"] <= 1 and row["note"] == "trained 2 epochs"
    exp.config = dict(exp.config, threshold_rule="best_f1")
    try:
        assert baselines.autoencoder_row(exp)["threshold_rule"] == "best_f1"
        assert baselines.run_one(exp, "knn")["threshold_rule"] == "percentile"  # never peeks at test labels
    finally:
        exp.config = dict(exp.config, threshold_rule="percentile")


def test_too_few_training_samples_for_the_neighbours():
    exp = Experiment({"train_size": 10, "knn_k": 50, "lof_k": 50, "pca_components": 20}, ecg())
    assert len(exp.x_train) == 9
    r = {x["name"]: x for x in baselines.run(exp)}
    assert r["knn"] == {"name": "knn", "label": "k-nearest neighbours",
                        "error": "kNN needs more than 50 training samples (knn_k = 50); this experiment has 9"}
    assert r["lof"]["error"] == "LOF needs more than 50 training samples (lof_k = 50); this experiment has 9"
    assert all(r[n]["auc"] > 0.5 for n in ("ocsvm", "iforest", "pca"))
    assert r["pca"]["note"].startswith("PCA keeps 8 of 140 components (asked for 20: 9 training samples span at most "
                                       "8 directions)")
    json.dumps(list(r.values()), allow_nan=False)


def test_without_validation_the_threshold_comes_from_training_scores_each_without_itself():
    exp = Experiment({"train_size": 200, "validation_pct": 0.0}, ecg())
    assert len(exp.x_val) == 0
    knn = baselines.run_one(exp, "knn")
    own = knn_by_hand(exp.x_train, exp.x_train, 5, leave_out_self=True)
    assert knn["threshold"] == pytest.approx(np.percentile(own, 95.0), rel=1e-9)
    assert knn["threshold"] > np.percentile(knn_by_hand(exp.x_train, exp.x_train, 5), 95.0)  # self left in: lower
    lof = baselines.run_one(exp, "lof")
    assert lof["threshold"] > 1 and lof["auc"] > 0.9  # LOF near 1 inside the training data


def test_identical_training_samples():
    rng = np.random.default_rng(0)
    test_x = np.r_[np.zeros((10, 12)), rng.normal(size=(10, 12))]
    data = tiny_dataset(np.zeros((40, 12)), test_x, [1] * 10 + [2] * 10)
    exp = Experiment({}, data)
    r = {x["name"]: x for x in baselines.run(exp)}
    assert r["knn"]["auc"] == 1.0  # distance to the one training point still ranks
    assert r["ocsvm"]["error"] == ("One-class SVM with ocsvm_gamma = scale needs training values that vary (gamma = 1 / "
                                   "(features x variance)); every training value is the same: choose ocsvm_gamma = auto")
    assert r["lof"]["error"] == ("LOF needs training samples that differ: all 36 are the same, so every local "
                                 "density would be infinite")
    assert r["iforest"]["error"].startswith("Isolation Forest needs training samples that differ: all 36 are the same")
    assert r["pca"]["error"] == "PCA needs training samples that differ: all 36 are the same, so there is no direction to keep"
    exp.config = dict(exp.config, ocsvm_gamma="auto")
    assert baselines.run_one(exp, "ocsvm")["auc"] == 1.0


def test_a_failure_inside_scikit_learn_is_reported_and_the_others_run(small, monkeypatch):
    from sklearn.svm import OneClassSVM
    exp, results, _ = small

    def broken(self, *a, **k):
        raise np.linalg.LinAlgError("SVD did not converge")
    monkeypatch.setattr(OneClassSVM, "fit", broken)
    got = baselines.run(exp)
    assert got[2] == {"name": "ocsvm", "label": "One-class SVM",
                      "error": "One-class SVM failed inside scikit-learn: LinAlgError: SVD did not converge"}
    assert without_times(got[:2] + got[3:]) == without_times(results[:2] + results[3:])


def test_unlabelled_data_gets_scores_and_thresholds_but_no_auc():
    data = ecg()
    unlabelled = tiny_dataset(data["train_x"][:300], data["test_x"][:100], np.zeros(100, int), labelled=False)
    exp = Experiment({"epochs": 1}, unlabelled)
    exp.fit()
    rows = [baselines.autoencoder_row(exp)] + baselines.run(exp)
    for r in rows:
        assert r["auc"] is None and r["ap"] is None and r["roc"] == [] and r["pr"] == []
        assert np.isfinite(r["threshold"]) and len(r["test_scores"]) == 100
        assert r["metrics"]["confusion"]["tp"] == 0 and r["metrics"]["confusion"]["fn"] == 0
    json.dumps(rows, allow_nan=False)


def test_importing_the_modules_does_not_import_scikit_learn():
    code = "import sys; import models.baselines, models.detectors; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr


def test_cli_prints_the_table(capsys):
    assert train.main(["--train_size", "150", "--epochs", "1", "--baselines", "--knn_k", "150"]) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index(next(line for line in out if line.startswith("detector")))
    table = out[start + 1:]
    assert out[start].split() == ["detector", "AUC", "AP", "precision", "recall", "F1", "fit", "ms", "score", "ms"]
    assert table[0].startswith("Autoencoder") and "(trained 1 epoch)" in table[1]
    assert ("k-nearest neighbours   kNN needs more than 150 training samples (knn_k = 150); this experiment has 135"
            in table)
    assert sum(line.count("*") for line in table) == 1
    labels = [d["label"] for d in DETECTORS]
    assert [line[:22].strip() for line in table if line[:22].strip()] == ["Autoencoder"] + labels


def test_cli_json_and_a_link_with_baselines_on(capsys):
    assert train.main(["--url", "#baselines=on&train_size=300&epochs=1", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    rows = lines[-6:]
    assert [r["name"] for r in rows] == ["autoencoder"] + NAMES
    assert all("test_scores" not in r and "roc" not in r and "pr" not in r and 0.5 < r["auc"] <= 1 for r in rows)
    assert lines[-7]["auc"] == rows[0]["auc"]  # the autoencoder's summary line, then the table's rows
    assert train.build_parser().parse_args([]).baselines is None  # off unless asked for


@pytest.mark.needs_node_modules
def test_the_table_imports_under_micropython(tmp_path):
    from test_links_micropython import run_micropython
    script = "import json\nfrom models import detectors\nprint(json.dumps(detectors.DETECTORS))\n"
    assert run_micropython(tmp_path, {}, script) == DETECTORS


def test_a_detector_too_slow_for_the_experiments_size_says_so_and_the_others_run(monkeypatch):
    from models import baselines
    from models.experiment import Experiment
    from tests.conftest import ecg_dir
    from data import ecg5000
    exp = Experiment({"train_size": 600, "epochs": 1, "encoder": [8], "latent": 2}, ecg5000.load_folder(ecg_dir()))
    monkeypatch.setitem(baselines.MAX_TRAINING, "ocsvm", 100)
    results = {r["name"]: r for r in baselines.run(exp)}
    assert results["ocsvm"]["error"].startswith("One-class SVM takes at most 100 training samples here (this "
                                                "experiment has 540)")
    assert all(results[n].get("auc") for n in ("knn", "lof", "iforest", "pca"))
