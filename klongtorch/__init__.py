"""klongtorch: the Klong array language on PyTorch, with differentiation built in."""
from .errors import KlongError, KlongExit
from .interpreter import Klong
from .values import UNDEF, Char, Dict, Symbol

__version__ = "0.1.0"
__all__ = ["Klong", "KlongError", "KlongExit", "Char", "Symbol", "Dict", "UNDEF"]


def load_ipython_extension(ipython):
    """`%load_ext klongtorch`: the %klong magics (klongtorch.magics). Imported only here,
    so that `import klongtorch` does not import IPython."""
    from .magics import load_ipython_extension as load
    load(ipython)
