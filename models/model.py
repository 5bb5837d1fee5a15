"""A trained (or fresh) detector: scaler + autoencoder + threshold, independent of any dataset."""
import numpy as np

from models.nn import Autoencoder, per_sample_error
from models.settings import layer_sizes


class Model:
    def __init__(self, config, net, scaler, threshold=None, threshold_rule=None, history=None):
        self.config = config
        self.net = net
        self.scaler = scaler
        self.threshold = threshold
        self.threshold_rule = threshold_rule
        self.history = history or []  # per-epoch results of the run that trained it

    @classmethod
    def new(cls, config, scaler, n_features, rng, dtype=np.float64):
        sizes, latent_index = layer_sizes(config, n_features)
        net = Autoencoder.build(sizes, latent_index, config["activation"], config["output_activation"],
                                config["init"], rng, dropout=config["dropout"], dtype=dtype)
        return cls(config, net, scaler)

    @property
    def n_features(self):
        return self.net.layers[0].W.shape[0]

    # everything below takes *scaled* rows unless it says raw
    def reconstruct(self, xs):
        return self.net.forward(xs)

    def errors(self, xs):
        """Per-beat reconstruction error (mean squared error over timesteps), float64."""
        err = per_sample_error(self.net.forward(xs), xs).astype(np.float64)
        # belt and braces: a non-finite error must never reach a chart or JSON
        return np.nan_to_num(err, nan=1e30, posinf=1e30, neginf=1e30)

    def score_raw(self, x_raw):
        """Errors for beats in original units (scaled with the stored scaler first)."""
        return self.errors(self.scaler.transform(np.atleast_2d(x_raw)))

    def predict_raw(self, x_raw):
        """True where a beat (original units) is flagged as an anomaly."""
        if self.threshold is None:
            raise ValueError("this model has no threshold yet: evaluate it first")
        return self.score_raw(x_raw) > self.threshold
