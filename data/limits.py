"""The largest file of a user's own data the explorer reads: 64 MiB. A 50 MB CSV of 100,000 samples
x 140 values fits; parsed, it takes ~190 MiB of the engine's memory (data/user_file.py). The page
refuses a larger file before reading it; the engine checks again. Core builtins only (MicroPython)."""
MAX_FILE_BYTES = 64 * 1024 * 1024
