"""The classical detectors beside the autoencoder (models/detectors.py lists them), run on exactly
the experiment's data: its scaled x_train / x_val / x_test, so the same split, scaling,
contamination and seed. CPython and the Pyodide worker run this module unchanged.

    run(exp, on_detector=None) -> [result per detector, in DETECTORS order]
    autoencoder_row(exp)       -> the autoencoder's result, same keys

A result is plain Python, ready for JSON: {"name", "label", "auc", "ap", "threshold",
"threshold_rule", "metrics", "fit_ms", "score_ms", "test_scores", "roc", "pr", "note"}, or
{"name", "label", "error"} when a detector cannot run (the others still do).

Each detector is fitted on the training samples only and scores with "higher = more anomalous".
Its threshold is the autoencoder's percentile rule, whatever the experiment's own rule: the
`threshold_percentile` percentile of its validation scores (of its training scores when no
validation samples are held out). best_f1 / best_accuracy would peek at the test labels and a
manual threshold is in reconstruction-error units, meaningless for another score; so
"threshold_rule" is always "percentile" here, for the UI to say so.

scikit-learn is imported inside the functions: importing this module (or models.detectors) costs
nothing until a comparison runs. n_jobs stays None (one job): the browser's worker has no threads.

Time on the default ECG5000 experiment (2340 training, 260 validation, 500 test heartbeats),
CPython 3.11, scikit-learn 1.6.1, one OpenBLAS and one OpenMP thread (models/__init__.py),
on a shared 2-core machine; median of 7 warm runs, in ms:
    detector            fit   score (validation + test)
    kNN (k 5)           0.4   17
    LOF (k 20)           56   20
    One-class SVM        29    8
    Isolation Forest     96   11   (100 trees)
    PCA (8)              19    1
    run(), all five: 280 warm (with AUC, AP and the curves); 850 cold, with scikit-learn's import.
Test AUC there: kNN 0.9949, LOF 0.9961, One-class SVM 0.9929, Isolation Forest 0.9364, PCA 0.9851
(the autoencoder after its default 20 epochs: 0.9921). Every default is fast, so none was lowered for speed. The time grows with the data, though: kNN and
LOF with training x test samples, the One-class SVM roughly with the training samples squared.
"""
import time
import warnings
from types import SimpleNamespace

import numpy as np

from models import metrics
from models.detectors import BY_NAME, DETECTORS

PR_POINTS = 300  # a precision-recall curve has one point per distinct score: thinned for the chart
# The most training samples a detector takes: beyond, its time in the browser's single thread runs
# into minutes (the neighbour searches grow with training x scored samples, the One-class SVM with
# the training samples squared), and the engine gives a command 300 s (app/protocol.py).
MAX_TRAINING = {"knn": 30000, "lof": 20000, "ocsvm": 10000, "iforest": 100000, "pca": 100000}


class DetectorError(ValueError):
    """A detector cannot run on this experiment; the message says why, in the settings' words."""


def run(exp, on_detector=None):
    """Every detector on `exp`; on_detector(i, n, name) is called before each (the worker's progress)."""
    out = []
    for i, d in enumerate(DETECTORS):
        if on_detector is not None:
            on_detector(i, len(DETECTORS), d["name"])
        out.append(run_one(exp, d["name"]))
    return out


def run_one(exp, name):
    """One detector's result (see the module's docstring)."""
    d = BY_NAME[name]
    cfg, x = exp.config, exp.x_train
    if len(x) > MAX_TRAINING[name]:
        return _error(d, "%s takes at most %s training samples here (this experiment has %s): it would take "
                         "minutes in the browser; lower train_size to compare it" % (
                             d["label"], "{:,}".format(MAX_TRAINING[name]), "{:,}".format(len(x))))
    try:
        fit, score, note = _MAKERS[name](cfg, x)
    except DetectorError as e:
        return _error(d, str(e))
    held_out = len(exp.x_val) > 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            sk = _sklearn()  # before the clock starts: the first import takes 0.5 s in CPython, once
            t0 = time.perf_counter()
            model = fit(sk)
            t1 = time.perf_counter()
            ref = score(model, exp.x_val if held_out else None)  # None: the training samples
            test = score(model, exp.x_test)
            t2 = time.perf_counter()
        except Exception as e:  # scikit-learn's own refusal or failure: reported, the others still run
            return _error(d, "%s failed inside scikit-learn: %s: %s" % (d["label"], type(e).__name__, e))
    ref, test = np.asarray(ref, dtype=np.float64), np.asarray(test, dtype=np.float64)
    if not (np.isfinite(ref).all() and np.isfinite(test).all()):
        return _error(d, "%s gave scores that are not finite numbers" % d["label"])
    said = [text for text in [note(model)] if text]
    for w in caught:  # scikit-learn's warnings (e.g. LOF on many duplicates), once each, in the note
        text = "scikit-learn warned: " + str(w.message).strip().split("\n")[0]
        if text not in said:
            said.append(text)
    threshold = float(np.percentile(ref, cfg["threshold_percentile"]))
    return _result(d["name"], d["label"], exp.y_test, test, threshold, "percentile",
                   (t1 - t0) * 1000, (t2 - t1) * 1000, "; ".join(said) or None)


def autoencoder_row(exp):
    """The trained autoencoder as a row of the same table: its test errors, at the experiment's own
    threshold and rule (exp.evaluate()). fit_ms is None (training time is in the loss history);
    score_ms is the time of its errors on the threshold's reference samples and the test samples."""
    t0 = time.perf_counter()
    exp.model.errors(exp.x_val if len(exp.x_val) else exp.x_train)
    errors = exp.test_errors()
    score_ms = (time.perf_counter() - t0) * 1000
    ev = exp.evaluate()
    note = "trained %d epoch%s" % (exp.epoch, "" if exp.epoch == 1 else "s")
    return _result("autoencoder", "Autoencoder", exp.y_test, errors, ev["threshold"], ev["threshold_rule"],
                   None, score_ms, note)


# ---- the result -----------------------------------------------------------------------------

def _error(d, message):
    return {"name": d["name"], "label": d["label"], "error": message}


def _result(name, label, y, scores, threshold, rule, fit_ms, score_ms, note):
    y = np.asarray(y)
    scores = np.asarray(scores, dtype=np.float64)
    both = 0 < y.sum() < len(y)  # AUC and AP need both classes in the test set
    auc = ap = None
    roc = pr = []
    if both:
        fpr, tpr, _ = metrics.roc_curve(y, scores)
        auc, roc = metrics.auc(fpr, tpr), metrics.thin_curve(fpr, tpr)
        ap, pr = _precision_recall(y, scores)
    return {"name": name, "label": label, "auc": auc, "ap": ap, "threshold": float(threshold),
            "threshold_rule": rule, "metrics": metrics.metrics_at(y, scores, threshold),
            "fit_ms": None if fit_ms is None else float(fit_ms), "score_ms": float(score_ms),
            "test_scores": [float(v) for v in scores], "roc": roc, "pr": pr, "note": note}


def _precision_recall(y, scores):
    """Average precision and the curve as [[recall, precision], ...] by rising recall, thinned."""
    from sklearn.metrics import average_precision_score, precision_recall_curve
    precision, recall, _ = precision_recall_curve(y, scores)
    ap = float(average_precision_score(y, scores))
    return ap, metrics.thin_curve(recall[::-1], precision[::-1], PR_POINTS)


# ---- the detectors ----------------------------------------------------------------------------
# Each maker checks the settings against the training samples (raising DetectorError with a
# clearer message than scikit-learn would give) and returns (fit, score, note): fit(sk) -> a
# model, fitted with the estimators of _sklearn(); score(model, z) -> scores of the rows of z, or
# of the training samples when z is None; note(model) -> a short text for people, or None.

def import_sklearn():
    """Imports what the detectors and their scores use (the page does it ahead of Compare)."""
    _sklearn()
    from sklearn.metrics import average_precision_score, precision_recall_curve  # noqa: F401


def _sklearn():
    """The scikit-learn estimators, imported when a comparison first runs, not with this module."""
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest
    from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors
    from sklearn.svm import OneClassSVM
    return SimpleNamespace(NearestNeighbors=NearestNeighbors, LocalOutlierFactor=LocalOutlierFactor,
                           OneClassSVM=OneClassSVM, IsolationForest=IsolationForest, PCA=PCA)


def _nothing(model):
    return None


def _need_neighbours(label, k, key, x):
    if len(x) <= k:
        raise DetectorError("%s needs more than %d training samples (%s = %d); this experiment has %d"
                            % (label, k, key, k, len(x)))


def _need_variety(label, x, why):
    if len(x) < 2:
        raise DetectorError("%s needs at least 2 training samples; this experiment has %d" % (label, len(x)))
    if bool((x == x[:1]).all()):
        raise DetectorError("%s needs training samples that differ: all %d are the same, so %s" % (label, len(x), why))


def _knn(cfg, x):
    k = cfg["knn_k"]
    _need_neighbours("kNN", k, "knn_k", x)

    def fit(sk):
        return sk.NearestNeighbors(n_neighbors=k).fit(x)

    def score(model, z):
        # kneighbors(None) scores the training samples each without itself (scikit-learn asks for
        # k + 1 neighbours and drops the sample): otherwise every distance list would start with
        # a 0, and training scores, so the threshold, would be too low next to unseen samples'
        return model.kneighbors(z)[0].mean(axis=1)
    return fit, score, _nothing


def _lof(cfg, x):
    k = cfg["lof_k"]
    _need_neighbours("LOF", k, "lof_k", x)
    _need_variety("LOF", x, "every local density would be infinite")

    def fit(sk):
        return sk.LocalOutlierFactor(n_neighbors=k, novelty=True).fit(x)

    def score(model, z):
        # the training samples' own LOF (each without itself): with novelty=True, score_samples on
        # the training data would count each sample as its own neighbour
        return -(model.negative_outlier_factor_ if z is None else model.score_samples(z))
    return fit, score, _nothing


def _ocsvm(cfg, x):
    nu, gamma = cfg["ocsvm_nu"], cfg["ocsvm_gamma"]
    if gamma == "scale" and len(x) and float(np.var(x)) == 0:
        # scikit-learn would quietly use gamma = 1 instead of 1 / (features x variance)
        raise DetectorError("One-class SVM with ocsvm_gamma = scale needs training values that vary (gamma = 1 / "
                            "(features x variance)); every training value is the same: choose ocsvm_gamma = auto")

    def fit(sk):
        return sk.OneClassSVM(kernel="rbf", nu=nu, gamma=gamma).fit(x)

    def score(model, z):
        return -model.decision_function(x if z is None else z)
    return fit, score, _nothing


def _iforest(cfg, x):
    trees, seed = cfg["iforest_trees"], cfg["seed"]
    _need_variety("Isolation Forest", x, "no split can isolate one and every sample would score the same")

    def fit(sk):
        return sk.IsolationForest(n_estimators=trees, random_state=seed, n_jobs=None).fit(x)

    def score(model, z):
        return -model.score_samples(x if z is None else z)
    return fit, score, _nothing


def _pca(cfg, x):
    asked = cfg["pca_components"]
    _need_variety("PCA", x, "there is no direction to keep")
    n, width = x.shape
    # n samples span at most n - 1 directions around their mean: components beyond that would have
    # no variance and an arbitrary direction (their error would depend on the LAPACK build)
    k = min(asked, n - 1, width)
    why = ""
    if k < asked:
        why = " (asked for %d: %s)" % (asked, "a sample has only %d values" % width if k == width else
                                       "%d training samples span at most %d directions" % (n, n - 1))

    def fit(sk):
        return sk.PCA(n_components=k, svd_solver="full").fit(x)  # full: exact LAPACK SVD, no random state

    def score(model, z):
        z = x if z is None else z
        return np.mean((z - model.inverse_transform(model.transform(z))) ** 2, axis=1)

    def note(model):
        return ("PCA keeps %d of %d components%s: %.0f%% of the training variance"
                % (k, width, why, 100 * float(np.sum(model.explained_variance_ratio_))))
    return fit, score, note


_MAKERS = {"knn": _knn, "lof": _lof, "ocsvm": _ocsvm, "iforest": _iforest, "pca": _pca}
