"""The classical detectors compared with the autoencoder: what each is called, what its score
means and which settings it reads. models/baselines.py runs them (NumPy and scikit-learn, in
CPython and the Pyodide worker); the browser's UI thread (MicroPython) imports this table for the
compare panel, so it uses core builtins only, like models/settings.py.

Every score is "higher = more anomalous", and every detector is thresholded like the
autoencoder's percentile rule (see models/baselines.py).
"""


def _detector(name, label, score, keys):
    return {"name": name, "label": label, "score": score, "keys": keys}


DETECTORS = [
    _detector("knn", "k-nearest neighbours", "mean distance to the k nearest training samples", ["knn_k"]),
    _detector("lof", "Local Outlier Factor", "how much sparser its neighbourhood is than its neighbours'", ["lof_k"]),
    _detector("ocsvm", "One-class SVM", "distance outside the RBF boundary around the training samples",
              ["ocsvm_nu", "ocsvm_gamma"]),
    _detector("iforest", "Isolation Forest", "how few random splits isolate it", ["iforest_trees"]),
    _detector("pca", "PCA reconstruction", "mean squared error of its reconstruction from the kept components",
              ["pca_components"]),
]

BY_NAME = {}
for _d in DETECTORS:
    BY_NAME[_d["name"]] = _d
