"""klongtorch: the Klong array language on PyTorch, with differentiation built in."""
import importlib

from klongtorch.runtime import threads as _threads
from klongtorch.value.errors import KlongError, KlongExit

# torch's OpenMP reads its wait policy once, when torch loads: set it before (threads.py)
_threads.apply()

__version__ = "0.1.0"
__all__ = ["Klong", "KlongError", "KlongExit", "Char", "Symbol", "Dict", "UNDEF"]

# the names that need torch, and their modules: imported at first use, so that
# `klongtorch --help` and `--version` answer without loading torch (seconds)
LAZY = {"Klong": "interpreter", "UNDEF": "value.values", "Char": "value.values",
        "Dict": "value.values", "Symbol": "value.values"}


def __getattr__(name):
    if name not in LAZY:
        raise AttributeError(f"module 'klongtorch' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{LAZY[name]}", __name__), name)
    globals()[name] = value         # looked up once
    return value


def __dir__():
    return sorted(set(globals()) | set(LAZY))


def load_ipython_extension(ipython):
    """`%load_ext klongtorch`: the %klong magics (klongtorch.magics). Imported only here,
    so that `import klongtorch` does not import IPython."""
    from klongtorch.magics import load_ipython_extension as load  # optional: IPython
    load(ipython)
