"""The NumPy autoencoder. Kept import-free so `models.settings` loads on MicroPython too."""
