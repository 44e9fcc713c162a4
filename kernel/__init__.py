"""Jupyter kernel for Klong (klongtorch.kernel); filled in later."""
