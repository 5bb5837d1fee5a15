"""One experiment: a config, the data split it implies, a model, and its training run.

Everything the browser worker calls lives here and returns plain Python values
(dicts, lists, floats, ints, strings), ready for JSON.

One `seed` fixes everything random, through three independent streams, so that
(for example) changing the dropout rate does not change which beats are drawn:
    split (which beats), init (weights), train (shuffling and dropout masks).
"""
import time

import numpy as np

from data import samples
from models import error_strip, metrics, optimizers, prep, settings
from models.model import Model
from models.nn import Autoencoder, add_penalty_grad, batch_layout, mse, penalty

DIVERGED_LOSS = 1e6  # a reconstruction MSE this large on scaled data means the run has blown up


def _rngs(seed):
    return {name: np.random.default_rng([seed, k]) for k, name in enumerate(("split", "init", "train"))}


def _floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


class Experiment:
    def __init__(self, config, dataset, model=None):
        self.config = config = settings.validate(config)
        rng = _rngs(config["seed"])
        self.rng = rng["train"]
        dataset = samples.for_config(dataset, config)
        width = dataset["about"]["length"]
        if model is not None and model.n_features != width:
            raise ValueError("model file: n_features must be %d (a %s of %s has %d values), got %d"
                             % (width, dataset["about"]["sample"], dataset["about"]["name"], width, model.n_features))
        idx = prep.split(dataset, config, rng["split"])
        pool = np.asarray(dataset["train_x"], dtype=np.float32)
        if model is None:
            scaler = prep.Scaler.fit(config["scaling"], pool[idx["train"]])
            model = Model.new(config, scaler, pool.shape[1], rng["init"])
        self.model = model
        def scale(x):  # scaled in float32 (exact IEEE ops: identical everywhere), computed on in float64
            return model.scaler.transform(x).astype(np.float64)
        self.x_train = scale(pool[idx["train"]])
        self.x_val = scale(pool[idx["val"]])
        self.x_test = scale(np.asarray(dataset["test_x"], dtype=np.float32)[idx["test"]])
        self.test_labels = np.asarray(dataset["test_y"])[idx["test"]].astype(int)
        self.y_test = prep.is_anomaly(self.test_labels, dataset["about"])  # 1 = anomaly
        self.about = dataset["about"]
        self.split = idx
        self.optimizer = optimizers.make(config["optimizer"], model.net.params, config)
        self.history = model.history
        self.epoch = len(self.history)
        self.stopped = None  # how training last ended: "done" (a fit), "early_stopping", "diverged"
        self._order = None  # this epoch's shuffled row order, and how far we are through it
        self._pos = 0
        self._best = None  # (val_loss, weights) for early stopping
        self._wait = 0

    # ---- training ---------------------------------------------------------------
    @property
    def steps_per_epoch(self):
        return -(-len(self.x_train) // self.config["batch_size"])

    def _checkpoint(self):
        return [w.copy() for w, _ in self.model.net.params], self.optimizer.get_state()

    def _rollback(self, checkpoint):
        weights, opt_state = checkpoint
        for (w, _), saved in zip(self.model.net.params, weights):
            w[...] = saved
        self.optimizer.set_state(opt_state)

    def _loss(self, x):
        """Loss as trained (MSE + weight penalty), without dropout; None for no data."""
        if len(x) == 0:
            return None
        with np.errstate(over="ignore", invalid="ignore"):
            loss, _ = mse(self.model.reconstruct(x), x)
        return loss + penalty(self.model.net, self.config["regularizer"], self.config["reg_rate"])

    def train_step(self):
        """One mini-batch. Returns {"epoch", "step", "steps", "loss"}, plus "result" (what
        train_epoch returns) when this step finished an epoch."""
        if self.stopped == "diverged":
            return {"epoch": self.epoch, "step": 0, "steps": self.steps_per_epoch, "loss": None,
                    "result": self._result(None, None, 0.0, stopped="diverged")}
        cfg, net = self.config, self.model.net
        if self._order is None:  # start of an epoch
            self._order = self.rng.permutation(len(self.x_train))
            self._pos, self._sum, self._ms = 0, 0.0, 0.0
            self._start = self._checkpoint()
        t0 = time.perf_counter()
        rows = self._order[self._pos:self._pos + cfg["batch_size"]]
        self._pos += len(rows)
        xb = batch_layout(self.x_train[rows])  # in the memory order nn's products are fastest on
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned about
            loss, grad = mse(net.forward(xb, rng=self.rng), xb)
            loss += penalty(net, cfg["regularizer"], cfg["reg_rate"])
            net.backward(grad)
            add_penalty_grad(net, cfg["regularizer"], cfg["reg_rate"])
            self.optimizer.step()
        self._sum += loss * len(rows)
        self._ms += (time.perf_counter() - t0) * 1000
        out = {"epoch": self.epoch + 1, "step": -(-self._pos // cfg["batch_size"]),
               "steps": self.steps_per_epoch, "loss": loss if np.isfinite(loss) else None}
        if self._pos >= len(self._order) or not np.isfinite(loss):
            out["result"] = self._end_epoch()
        return out

    def _end_epoch(self):
        t0 = time.perf_counter()
        self._order = None
        train_loss = self._sum / max(self._pos, 1)
        weights_ok = all(np.isfinite(w).all() for w, _ in self.model.net.params)
        val_loss = self._loss(self.x_val) if weights_ok else None
        bad = [v for v in (train_loss, val_loss) if v is not None and not (v < DIVERGED_LOSS)]  # NaN-safe
        if bad or not weights_ok:
            self._rollback(self._start)
            self.stopped = "diverged"
            msg = ("Training diverged in epoch %d (the loss became too large or not a number). "
                   "The weights from before that epoch were kept. Try a smaller learning rate."
                   % (self.epoch + 1))
            return self._result(None, None, self._ms, msg, "diverged")
        self.epoch += 1
        ms = self._ms + (time.perf_counter() - t0) * 1000
        stopped, msg = self._check_stop(val_loss if val_loss is not None else train_loss)
        result = self._result(train_loss, val_loss, ms, msg, stopped)
        self.history.append({"epoch": self.epoch, "loss": train_loss, "val_loss": val_loss})
        return result

    def _check_stop(self, monitored):
        patience = self.config["patience"]
        if patience > 0:
            if self._best is None or monitored < self._best[0]:
                self._best, self._wait = (monitored, self._checkpoint()), 0
            else:
                self._wait += 1
                if self._wait >= patience:
                    self._rollback(self._best[1])
                    self.stopped = "early_stopping"
                    return self.stopped, ("Stopped early: no improvement for %d epochs; kept the best "
                                          "weights (loss %.6g)." % (patience, self._best[0]))
        return None, None

    def _result(self, loss, val_loss, ms, message=None, stopped=None):
        return {"epoch": self.epoch, "loss": loss, "val_loss": val_loss, "ms": float(ms),
                "stopped": stopped, "message": message}

    def train_epoch(self, on_step=None):
        """Train the rest of the current epoch; on_step(step_dict) is called after each batch."""
        while True:
            step = self.train_step()
            if on_step is not None:
                on_step({k: v for k, v in step.items() if k != "result"})
            if "result" in step:
                return step["result"]

    def fit(self, on_epoch=None):
        """Train one run: `epochs` more epochs (the setting's one meaning; the browser's Train button
        runs as many), fewer on early stopping or divergence. Returns the last epoch's result, whose
        "stopped" is "done" when the run completed."""
        end = self.epoch + self.config["epochs"]
        while True:
            result = self.train_epoch()
            if not result["stopped"] and self.epoch >= end:
                self.stopped = result["stopped"] = "done"
            if on_epoch is not None:
                on_epoch(result)
            if result["stopped"]:
                return result

    # ---- scoring ------------------------------------------------------------------
    def test_errors(self):
        return self.model.errors(self.x_test)

    def choose_threshold(self, errors=None):
        """(threshold, uses_labels) under the configured rule."""
        cfg, rule = self.config, self.config["threshold_rule"]
        if rule == "manual":
            return cfg["threshold"], False
        if rule == "percentile":
            ref = self.x_val if len(self.x_val) else self.x_train
            return float(np.percentile(self.model.errors(ref), cfg["threshold_percentile"])), False
        errors = self.test_errors() if errors is None else errors
        return metrics.best_threshold(self.y_test, errors, rule[len("best_"):]), True

    def evaluate(self):
        errors = self.test_errors()
        threshold, uses_labels = self.choose_threshold(errors)
        self.model.threshold, self.model.threshold_rule = threshold, self.config["threshold_rule"]
        fpr, tpr, thresholds = metrics.roc_curve(self.y_test, errors)
        both = 0 < self.y_test.sum() < len(self.y_test)  # ROC needs both classes
        keep = metrics.thin_indices(fpr, tpr) if both else []
        return {
            "auc": metrics.auc(fpr, tpr) if both else None,
            "roc": [[float(fpr[k]), float(tpr[k])] for k in keep],
            # each drawn point's threshold: errors at or above it are flagged there (None: the
            # curve's start, where nothing is)
            "roc_thresholds": [float(thresholds[k]) if np.isfinite(thresholds[k]) else None for k in keep],
            "threshold": float(threshold),
            "threshold_rule": self.config["threshold_rule"],
            "uses_labels": uses_labels,
            "metrics": metrics.metrics_at(self.y_test, errors, threshold),
            "errors": _floats(errors),
            "labels": [int(v) for v in self.test_labels],
        }

    def metrics_at(self, threshold):
        return metrics.metrics_at(self.y_test, self.test_errors(), float(threshold))

    def _reconstruction(self, xs):
        out = self.model.reconstruct(xs[None, :])[0]
        with np.errstate(over="ignore", invalid="ignore"):
            err = float(((out.astype(np.float64) - xs) ** 2).mean())
        return {"input": _floats(xs), "output": _floats(out), "error": err if np.isfinite(err) else 1e30,
                "per_step": _floats(error_strip.step_errors(xs, out))}

    def reconstruct(self, i):
        """Test beat i (scaled), its reconstruction and errors."""
        i = int(i)
        if not 0 <= i < len(self.x_test):
            raise ValueError("beat index must be between 0 and %d, got %d" % (len(self.x_test) - 1, i))
        return self._reconstruction(self.x_test[i])

    def reconstruct_signal(self, values):
        """A beat in original units (e.g. drawn by the user), scaled like the training data."""
        x = np.asarray(values, dtype=np.float64).ravel()
        n = self.model.n_features
        if x.size != n or not np.isfinite(x).all():
            raise ValueError("a signal must be %d finite numbers, got %d values" % (n, x.size))
        return self._reconstruction(self.model.scaler.transform(x[None, :])[0])

    def latent(self):
        """Bottleneck codes of the test beats as 2-D points: the codes themselves when the
        bottleneck has 1 or 2 units (1 unit: y = 0), else their first two principal components."""
        codes = self.model.net.encode(self.x_test).astype(np.float64)
        codes = np.nan_to_num(codes, nan=0.0, posinf=1e30, neginf=-1e30)
        k = codes.shape[1]
        if k <= 2:
            pts = codes if k == 2 else np.c_[codes, np.zeros(len(codes))]
            method, explained = "identity", []
        else:
            pts, explained = pca2(codes)
            method = "pca"
        return {"points": [[float(a), float(b)] for a, b in pts], "labels": [int(v) for v in self.test_labels],
                "method": method, "explained": explained}

    # ---- saving ---------------------------------------------------------------------
    def to_json(self):
        from models import serialize
        return serialize.dumps(self.model)

    @classmethod
    def from_json(cls, text, dataset):
        """Rebuild an experiment around a saved model (data split from its config's seed).
        Training can continue, but with fresh optimizer state and shuffling."""
        from models import serialize
        model = serialize.load_model(text)
        return cls(model.config, dataset, model=model)


def warm_up(length, steps=40):
    """Train a throwaway network for a few steps on random samples of `length` values (~0.15 s in Pyodide), so that the
    browser's WebAssembly engine has compiled the training path with its optimizing tier before
    the first real run: the first 20-epoch training then takes ~0.35 s instead of ~0.7 s. It runs
    what Experiment.train_step runs (nn's layers in the chosen kernels, the loss, Adam), so it lives
    beside it. Touches no state besides the compiled code; call it once, when the engine is otherwise idle."""
    rng = np.random.default_rng(0)
    net = Autoencoder.build([length, 15, 7, 2, 7, 15, length], 2, "relu", "sigmoid", "glorot_uniform", rng)
    opt = optimizers.Adam(net.params, 0.001)
    x = batch_layout(rng.uniform(0, 1, (256, length)))
    for _ in range(steps):
        _, grad = mse(net.forward(x, rng=rng), x)
        net.backward(grad)
        opt.step()


def pca2(x):
    """Project rows onto their first two principal components (via eigh of the covariance:
    small and the same on every LAPACK). Signs fixed so the largest loading is positive."""
    centered = x - x.mean(axis=0)
    cov = centered.T @ centered / max(len(x) - 1, 1)
    vals, vecs = np.linalg.eigh(cov)  # ascending
    vals, vecs = vals[::-1][:2], vecs[:, ::-1][:, :2]
    big = np.argmax(np.abs(vecs), axis=0)
    vecs = vecs * np.sign(vecs[big, np.arange(2)])
    total = float(np.clip(np.linalg.eigvalsh(cov), 0, None).sum())
    explained = [float(v / total) if total > 0 else 0.0 for v in np.clip(vals, 0, None)]
    return centered @ vecs, explained
