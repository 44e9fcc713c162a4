r"""Bounded text forms of values: what a notebook, a console or the REPL shows of a result.

    summary(value) -> str

A value whose readable form (text.show, what .w writes) is short is shown exactly so.
A large one is summarised as torch and numpy print large arrays: every axis longer than
2*EDGE keeps its first and last EDGE entries around a `…`, and a last line gives the
shape:

    [0 1 2 … 9999997 9999998 9999999]
    (shape [10000000])

Lists are cut the same way (their length is given), strings keep their two ends with the
character count, and an integer of more than MAX_DIGITS digits keeps its leading and
trailing digits with the digit count, `1995063116…4596709376 (301030 digits)`: its full
decimal form would take longer to write than to compute. The leading digits come from a
rounded logarithm with guard digits, never from a full conversion, so even 2^100000000
shows at once.

.p, .d and .w are not bounded: Klong writes whole values there, as kg does. This module is
for displays only: the kernel's and the magic's text/plain, and the interactive REPL.
"""
import decimal
import math

from klongtorch.value.text import _element_writer, show, show_string
from klongtorch.value.values import Dict, Tensor, value_of_key

WHOLE_UP_TO = 1000        # a tensor (list) of at most this many elements (items) may be written
                          # whole (torch's threshold)
CHARS = 10000             # a value whose whole form fits in this many characters is shown so
EDGE = 3                  # entries kept at each end of a long axis
STRING_EDGE = 200         # characters kept at each end of a long string
MAX_DIGITS = 1000         # an integer with more digits is capped
DIGIT_EDGE = 20           # digits kept at each end of a capped integer
ELLIPSIS = "…"


class _TooLong(Exception):
    """The whole form has grown past CHARS: summarise instead."""


def summary(value):
    """The text a display shows for value: text.show's form when it is short, else a
    bounded summary (at most a few thousand characters, whatever the value)."""
    try:
        return _Whole().text(value)
    except _TooLong:
        pass
    text = _Summary().text(value)
    tail = _shape_line(value)
    return text + "\n" + tail if tail else text


def _shape_line(value):
    if type(value) is Tensor:
        return "(shape [" + " ".join(map(str, value.shape)) + "])"
    if type(value) is list:
        return f"(length {len(value)})"
    return ""


# -- integers --------------------------------------------------------------------------

def int_text(n):
    """An integer's digits, or for a huge one its leading and trailing digits and the digit
    count. Never converts the whole number (quadratic in CPython)."""
    if n.bit_length() <= MAX_DIGITS * 3:          # at most ~903 digits: fast and exact
        return str(n)
    sign, n = ("-", -n) if n < 0 else ("", n)
    head, count = _leading_digits(n, DIGIT_EDGE)
    if count <= MAX_DIGITS:
        return sign + str(n)
    tail = str(n % 10 ** DIGIT_EDGE).rjust(DIGIT_EDGE, "0")
    return f"{sign}{head}{ELLIPSIS}{tail} ({count} digits)"


def _leading_digits(n, k):
    """(the first k digits of n > 0, as text; the number of its digits). n is rounded to its
    top 160 bits and scaled in decimal with guard digits; when the guard digits leave the
    truncation in doubt (a run of 9s or 0s) the exact, slow way decides."""
    shift = max(n.bit_length() - 160, 0)
    top = n >> shift
    ctx = decimal.Context(prec=k + 25, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
    approx = ctx.multiply(decimal.Decimal(top), ctx.power(decimal.Decimal(2), shift))
    digits = approx.as_tuple().digits
    count = approx.adjusted() + 1
    guard = digits[k:k + 20]
    if len(guard) == 20 and set(guard) not in ({0}, {9}):
        return "".join(map(str, digits[:k])), count
    count = _exact_digit_count(n)
    return str(n // 10 ** (count - k)), count


def _exact_digit_count(n):
    estimate = int((n.bit_length() - 1) * math.log10(2)) + 1
    return estimate + (n >= 10 ** estimate) - (n < 10 ** (estimate - 1))


# -- the writers ---------------------------------------------------------------------------

class _Whole:
    """text.show's form, given up on as soon as it passes CHARS characters."""

    def __init__(self):
        self.used = 0

    def spend(self, text):
        self.used += len(text)
        if self.used > CHARS:
            raise _TooLong
        return text

    def text(self, v):
        t = type(v)
        if t is int:
            if v.bit_length() > MAX_DIGITS * 3:
                raise _TooLong
            return self.spend(str(v))
        if t is str:
            if len(v) > CHARS:
                raise _TooLong
            return self.spend(show_string(v))
        if t is Tensor:
            if v.numel() > WHOLE_UP_TO:
                raise _TooLong
            return self.spend(show(v))
        if t is list:
            if len(v) > WHOLE_UP_TO:
                raise _TooLong
            return "[" + " ".join(self.text(e) for e in v) + "]"
        if t is Dict:
            if len(v) > WHOLE_UP_TO:
                raise _TooLong
            return ":{" + " ".join("[" + self.text(value_of_key(k)) + " " + self.text(x) + "]"
                                   for k, x in v.items()) + "}"
        return self.spend(show(v))


class _Summary:
    """The cut form: long axes, lists and strings keep their ends. Its size is bounded by
    (2*EDGE+1)^depth, and the output is cut off at 4*CHARS all the same."""

    def __init__(self):
        self.used = 0

    def text(self, v):
        if self.used > 4 * CHARS:
            return ELLIPSIS
        t = type(v)
        if t is int:
            out = int_text(v)
        elif t is str:
            out = show_string(v) if len(v) <= 2 * STRING_EDGE else (
                show_string(v[:STRING_EDGE])[:-1] + ELLIPSIS
                + show_string(v[-STRING_EDGE:])[1:] + f" ({len(v)} chars)")
        elif t is Tensor:
            out = self.tensor(v) if v.numel() > WHOLE_UP_TO else show(v)
        elif t is list:
            out = "[" + " ".join(self.items(v, self.text)) + "]"
        elif t is Dict:
            entries = list(v.items()) if len(v) <= 2 * EDGE else None
            if entries is None:
                keys = list(v)
                entries = [(k, v[k]) for k in keys[:EDGE]] + [None] + \
                          [(k, v[k]) for k in keys[-EDGE:]]
            out = ":{" + " ".join(
                ELLIPSIS if e is None else
                "[" + self.text(value_of_key(e[0])) + " " + self.text(e[1]) + "]"
                for e in entries) + "}"
        else:
            out = show(v)
        self.used += len(out)
        return out

    def items(self, seq, write):
        """The written entries of seq, or its ends around a …; once the output has grown
        past the bound, a … stands for all the rest."""
        n = len(seq)
        picks = list(range(n)) if n <= 2 * EDGE else [*range(EDGE), None, *range(n - EDGE, n)]
        out = []
        for i in picks:
            if self.used > 4 * CHARS:
                out.append(ELLIPSIS)
                break
            out.append(ELLIPSIS if i is None else write(seq[i]))
        return out

    def tensor(self, t):
        """A large tensor, torch-style: only the ends of each long axis are read (and moved
        off its device), one line per row of a matrix."""
        t = t.detach()
        if t.dim() == 0:
            return show(t)
        write = _element_writer(t)
        if t.dim() == 1:
            return "[" + " ".join(self.items(t, lambda e: write(e.item()))) + "]"
        rows = self.items(t, self._rows(write))
        # a row per line, as torch prints a matrix; deeper axes end in more brackets
        return "[" + "\n ".join(rows) + "]"

    def _rows(self, write):
        def row(sub, depth=1):
            if sub.dim() == 1:
                line = "[" + " ".join(self.items(sub, lambda e: write(e.item()))) + "]"
                self.used += len(line)
                return line
            inner = self.items(sub, lambda s: row(s, depth + 1))
            return "[" + ("\n" + " " * (depth + 1)).join(inner) + "]"
        return row


__all__ = ["summary", "int_text", "WHOLE_UP_TO", "MAX_DIGITS"]
