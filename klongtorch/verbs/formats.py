"""Formatting: the verbs between values and their text.

$a (Format), a$b (Format2, padded) and a:$b (Form, text read back as a value). All are
atomic, with strings as atoms.
"""
import re

from klongtorch.value.errors import err, expected
from klongtorch.value.text import show, show_real
from klongtorch.value.values import UNDEF, Char, Symbol, Tensor, is_empty, items_of, mklist
from klongtorch.verbs.listargs import count, is_seq, unbox


def _format_tensor(a):
    if a.dim() == 0:
        return show(a)
    return mklist([format_(e) for e in items_of(a)]) if a.shape[0] else UNDEF


# $a by a's type: a table, as each kind of value has its own text. A type missing here (a
# function, a dictionary) has none, and formats as :undefined.
_FORMATS = {
    int: str, str: lambda a: a, Char: str, float: show, Symbol: show, Tensor: _format_tensor,
    list: lambda a: mklist([format_(e) for e in a]) if a else UNDEF,
}


def format_(a):
    """$a  Format
    The text Klong shows for a, as a string. Atomic; strings are returned unchanged; what
    has no text (a function, a dictionary, []) formats as :undefined, as in kg.
    Examples: $123 --> "123"    $1.5 --> "1.5"    $:foo --> ":foo"    $0cx --> "x\""""
    f = _FORMATS.get(type(a))
    return UNDEF if f is None else f(a)


def _is_list(v):
    """A list for _pairwise: a list or tensor with an axis; strings are atoms."""
    return is_seq(v) and type(v) is not str


def _pairwise(f, name, a, b):
    """Carry dyad f over lists on either side, pairwise when both are lists (kg's dyadrec).
    Strings are atoms here, and so is the empty list, but for its length: beside another
    list it is a list of another length, a shape error (f says what it makes of [])."""
    la, lb = _is_list(a), _is_list(b)
    if la and lb and not (is_empty(a) and is_empty(b)):
        return _pairs(f, name, a, b)
    if la and not is_empty(a):
        return mklist([_pairwise(f, name, x, b) for x in items_of(a)])
    if lb and not is_empty(b):
        return mklist([_pairwise(f, name, a, y) for y in items_of(b)])
    return f(a, b)


def _pairs(f, name, a, b):
    """f carried over two lists pairwise: they must be as long. As in kg, the pairs they
    have are done first, so an error inside them comes before the shape error; and that
    names the right operand first (the value, then the prototype or width)."""
    xs, ys = items_of(a), items_of(b)
    out = [_pairwise(f, name, x, y) for x, y in zip(xs, ys)]
    if len(xs) != len(ys):
        raise err(name, "shape", operands=(b, a))
    return mklist(out)


def form(a, b):
    """a:$b  Form
    Read string b as a value of the type of a: an integer, a real, a character, a symbol or
    a string; :undefined when b does not have that form. Any other a leaves b a string.
    Atomic on both sides (strings and [] are atoms); what b holds in place of a string is
    an error, [] included.
    Examples: 1:$"-123" --> -123    1.0:$"1.23" --> 1.23    :x:$"foo" --> :foo
              [1]:$["5"] --> [5]"""
    return _pairwise(_form, "form", a, b)


_INT = re.compile(r"-?[0-9]+")
_REAL = re.compile(r"-?[0-9]+(\.[0-9]*)?(e[+-]?[0-9]+)?")
_SYMBOL = re.compile(r"[a-zA-Z.][a-zA-Z0-9.]*")


def _read_int(s):
    return int(s) if _INT.fullmatch(s) else UNDEF


def _read_real(s):
    v = _read_int(s)
    if v is UNDEF:
        try:
            return float(s) if _REAL.fullmatch(s) else UNDEF
        except ValueError:
            return UNDEF
    return float(v)


def _read_symbol(s):
    name = s[1:] if s.startswith(":") else s
    return Symbol(name) if _SYMBOL.fullmatch(name) else UNDEF


# a:$b by the type of prototype a (a 0-d tensor as its number): how to read the text b.
# Numbers and symbols are read from b without its surrounding blanks, a character and a
# string from b as it is. Any other prototype ([], a dictionary) keeps the string, as in kg.
_READERS = {
    int: lambda b: _read_int(b.strip()),
    float: lambda b: _read_real(b.strip()),
    Char: lambda b: Char(b) if len(b) == 1 else UNDEF,
    str: lambda b: b,
    Symbol: lambda b: _read_symbol(b.strip()),
}


def _form(a, b):
    if type(b) is not str:
        raise expected("form", "string", b)
    reader = _READERS.get(_prototype(a))
    return b if reader is None else reader(b)


def _prototype(a):
    """The type a:$b reads as: a 0-d tensor counts as an int or a real by its dtype."""
    if type(a) is Tensor and a.dim() == 0:
        return float if a.dtype.is_floating_point else int
    return type(a)


def format2(a, b):
    """a$b  Format2
    Like $b, padded with blanks to at least |a| characters: on the right when a is positive,
    on the left when negative. When a is a real n.m and b a real, b's fraction is padded
    with zeros to m decimals (never cut: a longer fraction is kept) and its integer part
    with blanks to n places. Atomic on both sides.
    Examples: 5$"xyz" --> "xyz  "    (-5)$:foo --> " :foo"    5.3$123.45 --> "  123.450"
              5.2$3.14159 --> "3.14159"    [1 2]$3 --> ["3" "3 "]"""
    return _pairwise(_format2, "format2", a, b)


def _pad_real(text, width, decimals):
    """The text of a real, its fraction padded to decimals places and its integer part to
    width.
    As kg: the fraction is padded with zeros to m decimals but never cut, and b is left as
    it is when it has more decimals or does not fit n+m places. Where kg writes before its
    buffer (an integer part wider than n that still fits, 0.4$19.0) the integer part is
    written whole: "19.0000"."""
    whole, _, frac = text.partition(".")
    if len(frac) > decimals or width + decimals < len(text):
        return text
    return whole.rjust(width) + "." + frac.ljust(decimals, "0")


def _width(a, b):
    """The (width, decimals) of a$b: n for an int n, (n, m) for a real n.m."""
    if type(a) is int:
        return a, 0
    if type(a) is not float:
        raise err("format2", "type", operands=(b, a))    # as kg: the value first
    whole, _, frac = show_real(abs(a)).partition(".")
    if "e" in frac:
        whole, frac = str(int(abs(a))), ""
    return int(whole), int(frac.rstrip("0") or "0")


def _format2(a, b):
    a = unbox(a)
    width, decimals = _width(a, b)
    count(width, "format2", a)
    count(decimals, "format2", a)      # -0.4444444444444444 asks for 4444444444444444
    text = format_(b)
    if text is UNDEF or type(text) is not str:
        return text
    real = type(b) is float or (type(b) is Tensor and b.dtype.is_floating_point)
    if real and decimals > 0 and "e" not in text:
        return _pad_real(text, width, decimals)
    if abs(width) > len(text):
        return text.ljust(width) if width > 0 else text.rjust(-width)
    return text

