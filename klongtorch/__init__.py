"""klongtorch: the Klong array language on PyTorch, with differentiation built in."""
from .errors import KlongError, KlongExit
from .interpreter import Klong
from .values import UNDEF, Char, Dict, Symbol

__version__ = "0.1.0"
__all__ = ["Klong", "KlongError", "KlongExit", "Char", "Symbol", "Dict", "UNDEF"]
