"""The NumPy autoencoder. Kept import-free so `models.settings` loads on MicroPython too."""

# Our matrices are tiny (256x140 @ 140x15): OpenBLAS threads only add overhead, and on a busy
# 2-core machine their spin-waiting made an epoch 100x slower (0.8 s instead of 8 ms). One
# thread also makes float32 sums independent of the core count. Only effective when NumPy is
# not imported yet; an explicit OPENBLAS_NUM_THREADS wins. (MicroPython has no os.environ.)
try:
    import os
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
except (ImportError, AttributeError):
    pass
