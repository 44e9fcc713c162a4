r"""Klong's text forms of values.

`show` is the readable form that .w writes and the REPL prints (a string in double quotes, 0cx,
:foo, [1 2 3]); .r can read it back. `show_display` is the pretty form of .d and .p, which writes
strings and characters bare. Functions and other unreadable objects print as :nilad, :monad,
:dyad, :triad, :undefined, :eof, as in the reference.
"""
import struct

import torch

from klongtorch.value.values import EOF, UNDEF, Char, Dict, Symbol, Tensor, value_of_key

ARITY_NAMES = (":nilad", ":monad", ":dyad", ":triad")


def show_real(x):
    """A real as kg writes it: positional while the decimal exponent is within -18..17
    (0.00001, 100000000000000000.0), otherwise d.ddde+NN; always with a '.'; nan and inf as
    such. The digits are float64's shortest round trip (kg's long doubles show 18)."""
    if x != x:
        return "nan"
    if x in (_INF, -_INF):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0.0"                 # kg shows no negative zero
    text = repr(float(x))
    mant, _, exp = text.partition("e")
    sign = "-" if mant[0] == "-" else ""
    whole, _, frac = mant.lstrip("-").partition(".")
    digits = (whole + frac).lstrip("0")
    # decimal exponent of the leading digit
    point = int(exp or 0) + len(whole) - (len(whole + frac) - len((whole + frac).lstrip("0")))
    digits = digits.rstrip("0") or "0"
    lead = point - 1
    if -19 < lead < 18:
        if point <= 0:
            return sign + "0." + "0" * -point + digits
        if point >= len(digits):
            return sign + digits + "0" * (point - len(digits)) + ".0"
        return sign + digits[:point] + "." + digits[point:]
    return f"{sign}{digits[0]}.{digits[1:] or '0'}e{'+' if lead >= 0 else '-'}{abs(lead):02d}"


_INF = float("inf")


def show_real32(x):
    """The shortest text that reads back as the same float32."""
    if x != x or x in (float("inf"), float("-inf")):
        return show_real(x)
    packed = struct.pack("f", x)
    for digits in range(6, 10):
        text = f"{x:.{digits}g}"
        if struct.pack("f", float(text)) == packed:
            return show_real(float(text))
    return show_real(x)


def _element_writer(t):
    if not t.dtype.is_floating_point:
        return str
    return show_real if t.dtype == torch.float64 else show_real32


def show_tensor(t):
    t = t.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    if t.dim() == 0:
        return _element_writer(t)(t.item())
    if t.shape[0] == 0:
        return "[]"
    write = _element_writer(t)
    if t.dim() == 1:
        return "[" + " ".join(map(write, t.tolist())) + "]"

    def rows(v):
        if isinstance(v, list):
            return "[" + " ".join(rows(e) for e in v) + "]"
        return write(v)
    return rows(t.tolist())


def show_string(s):
    return '"' + s.replace('"', '""') + '"'


def long_int_text(v):
    """The digits of an integer, however many: outside Klong's calls the process may keep
    Python's limit (4300 digits), which is the user's setting, not ours to lift."""
    try:
        return str(v)
    except ValueError:
        return _digits(v)


def _digits(v):
    """Divide and conquer into pieces short enough for str()."""
    if v < 0:
        return "-" + _digits(-v)
    if v < _SHORT:
        return str(v)
    half = int(v.bit_length() * 0.30103) // 2
    high, low = divmod(v, 10 ** half)
    return _digits(high) + _digits(low).zfill(half)


_SHORT = 10 ** 4000


def show(v):
    """The readable Klong text for a value (the .w form)."""
    write = _WRITERS.get(type(v))
    return _show_other(v) if write is None else write(v)


def _show_char(v):
    return "0c" + v


def _show_symbol(v):
    return ":" + v.name


def _show_list(v):
    return "[" + " ".join(show(e) for e in v) + "]"


def _show_dict(v):
    return ":{" + " ".join("[" + show(value_of_key(k)) + " " + show(x) + "]"
                           for k, x in v.items()) + "}"


# a value's exact type -> its text (subclasses, such as dictionary keys' RealKey, are not
# those types in Klong: they show as _show_other does)
_WRITERS = {int: long_int_text, float: show_real, Char: _show_char, str: show_string,
            Symbol: _show_symbol, Tensor: show_tensor, list: _show_list, Dict: _show_dict}


def _show_other(v):
    """The markers, functions and objects from Python, which have no type of their own."""
    if v is UNDEF:
        return ":undefined"
    if v is EOF:
        return ":eof"
    arity = getattr(v, "arity", None)
    if arity is not None:
        return ARITY_NAMES[arity] if 0 <= arity <= 3 else ":function"
    name = getattr(v, "klong_name", None)
    if name:
        return ":" + name
    return _python_text(v)


def _python_text(v):
    """A Python object with no Klong form shows as Python shows it (a datetime, a model)."""
    try:
        return str(v)
    except Exception:           # a broken __str__ must not break the display
        return ":" + type(v).__name__.lower()


def show_display(v):
    """The pretty form that .d and .p write: strings and characters appear bare, inside lists
    and dictionaries too (.p(["ab" "cd"]) writes [ab cd], as kg does)."""
    t = type(v)
    if t is str or t is Char:
        return str(v)
    if t is list:
        return "[" + " ".join(show_display(e) for e in v) + "]"
    if t is Dict:
        return ":{" + " ".join("[" + show_display(value_of_key(k)) + " " + show_display(x) + "]"
                               for k, x in v.items()) + "}"
    return show(v)
