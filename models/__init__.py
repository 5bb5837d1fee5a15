"""The NumPy autoencoder. Kept import-free so `models.settings` loads on MicroPython too."""

# Our matrices are tiny (256x140 @ 140x15): OpenBLAS threads only add overhead, and on a busy
# 2-core machine their spin-waiting made an epoch 100x slower (0.8 s instead of 8 ms). One
# thread also makes float32 sums independent of the core count. Only effective when NumPy is
# not imported yet; an explicit OPENBLAS_NUM_THREADS wins. (MicroPython has no os.environ.)
# Likewise scikit-learn's OpenMP loops (models/baselines.py: kNN and LOF's neighbour searches): on
# that busy machine one thread scored ECG5000's default experiment 15x faster than two (18 ms
# instead of 365 ms for kNN), and one thread is what the browser's worker has.
try:
    import os
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
except (ImportError, AttributeError):
    pass
