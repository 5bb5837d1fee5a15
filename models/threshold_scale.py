"""Thresholds on a slider. Reconstruction errors span decades, so each slider step is an equal
step in log10(error), between the smallest and the largest error (optionally padded).

The training view's slider (UI thread, MicroPython) and the introduction's threshold explorer
table (models/metrics.threshold_grid, built in CPython or the engine) share this scale, so a
slider step means the same threshold everywhere: core builtins only.
"""
import math

FLOOR = 1e-9  # errors at or below this sit at the slider's low end


class LogScale:
    def __init__(self, smallest, largest, steps, pad=0.0):
        lo, hi = math.log10(max(smallest, FLOOR)), math.log10(max(largest, FLOOR))
        lo, hi = lo - pad * (hi - lo), hi + pad * (hi - lo)
        if hi <= lo:
            hi = lo + 1
        self.lo, self.hi, self.steps = lo, hi, steps

    def value(self, k):
        """The threshold at slider step k (0..steps)."""
        return 10 ** (self.lo + (self.hi - self.lo) * k / self.steps)

    def step(self, threshold):
        """The slider step nearest a threshold, within 0..steps."""
        k = int(round((math.log10(max(threshold, 1e-12)) - self.lo) / (self.hi - self.lo) * self.steps))
        return max(0, min(self.steps, k))
