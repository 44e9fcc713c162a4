"""IPython magics for Klong (klongtorch.magics); filled in later."""
