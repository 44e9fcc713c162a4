"""Klong's atoms that need no array engine: characters, symbols and the two markers.

They live apart from values.py so that the lexer, and what needs only the lexer (the
kernel's is_complete while torch is still loading, `klongtorch --help`), imports no torch.
values.py re-exports them: every other module keeps importing them from there.
"""


class Char(str):
    """A Klong character: a str of length one with its own type."""
    __slots__ = ()


class Symbol:
    """An interned Klong symbol such as :foo. Identity is equality."""
    __slots__ = ("name",)
    _table = {}

    def __new__(cls, name):
        sym = cls._table.get(name)
        if sym is None:
            sym = object.__new__(cls)
            sym.name = name
            cls._table[name] = sym
        return sym

    def __repr__(self):
        return ":" + self.name

    def __reduce__(self):
        return (Symbol, (self.name,))


class _Marker:
    """A named singleton such as :undefined or :eof."""
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return ":" + self.name


UNDEF = _Marker("undefined")
EOF = _Marker("eof")


__all__ = ["Char", "Symbol", "UNDEF", "EOF"]
