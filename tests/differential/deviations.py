"""The differences from kg that klongtorch keeps on purpose: the one table.

Each entry names a deviation listed in README.md ("Deviations from kg") and says how to
recognise it in a pair of outcomes, narrowly: a pair is expected only when it differs in that
way and in no other. Everything else counts against klongtorch.
"""
import contextlib
import re
from dataclasses import dataclass
from typing import Callable

_TOKEN = re.compile(r'"(?:[^"]|"")*"|0c.|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|:?[A-Za-z.][\w.]*|-?inf|nan|\S')
_REAL = re.compile(r"-?\d+(?:\.\d+(?:e[+-]?\d+)?|e[+-]?\d+)$")


def _tokens(text):
    return _TOKEN.findall(text)


def _same_but(kg, kt, alike):
    """Both are values whose texts match token by token, pairs judged by alike(a, b)."""
    if kg[0] != "value" or kt[0] != "value":
        return False
    a, b = _tokens(kg[1]), _tokens(kt[1])
    return len(a) == len(b) and a != b and all(x == y or alike(x, y) for x, y in zip(a, b))


def _close_reals(x, y):
    """Two reals that agree to float64's precision (kg computes and prints 18 digits)."""
    if not (_REAL.match(x) and _REAL.match(y)):
        return False
    p, q = float(x), float(y)
    return abs(p - q) <= 1e-13 * max(abs(p), abs(q))


def _undefined_as_ieee(x, y):
    return x == ":undefined" and y in ("inf", "-inf", "nan")


def _close_real_texts(x, y):
    """Two reals, or two strings that are a real's text ($%7): the same to float64's
    precision."""
    if len(x) > 2 and len(y) > 2 and x[0] == y[0] == '"' and x[-1] == y[-1] == '"':
        x, y = x[1:-1], y[1:-1]
    return _close_reals(x, y)


def _float_digits(expr, kg, kt):
    return _same_but(kg, kt, _close_real_texts)


def _ieee_specials(expr, kg, kt):
    return _same_but(kg, kt, lambda x, y: _undefined_as_ieee(x, y) or _close_reals(x, y))


def _stable_grade(expr, kg, kt):
    """The expression gives kt here and kg once its grades order ties as kg's do
    (_kg_grades): the grade is the only difference."""
    if "<" not in expr and ">" not in expr or _evaluate(expr) != kt:
        return False
    with _kg_grades():
        return _evaluate(expr) == kg


def _kg_order(xs, before):
    """The indices of xs as kg's grade leaves them (kg.c, shellsort): a shell sort that
    swaps two elements unless the first is strictly before the second, so that ties are
    swapped too, on gaps halved from half the length, with powers of two from 4 up made
    one smaller."""
    order = list(range(len(xs)))
    gap = len(xs) // 2
    while gap > 0:
        if gap >= 4 and gap & (gap - 1) == 0:
            gap -= 1
        for i in range(gap, len(xs)):
            j = i - gap
            while j >= 0 and not before(xs[order[j]], xs[order[j + gap]]):
                order[j], order[j + gap] = order[j + gap], order[j]
                j -= gap
        gap //= 2
    return order


@contextlib.contextmanager
def _kg_grades():
    """< and > of every interpreter made meanwhile order ties as kg does (the verbs'
    records are what compiling and lifting read)."""
    from klongtorch.engine.primitives import VERBS
    from klongtorch.value.values import int_tensor, items_of
    from klongtorch.verbs.reorder import compare

    def kg_grade(checked, before):
        def grade(a):
            checked(a)                  # klongtorch's own type checks and errors
            xs = items_of(a)
            return int_tensor(_kg_order(xs, before)) if xs else []
        return grade

    saved = [(VERBS[s], VERBS[s].monad, VERBS[s].call1) for s in "<>"]
    for (verb, monad, _), before in zip(saved, (lambda p, q: compare(p, q) < 0,
                                                 lambda p, q: compare(p, q) > 0)):
        verb.monad = verb.call1 = kg_grade(monad, before)
    try:
        yield
    finally:
        for verb, monad, call1 in saved:
            verb.monad, verb.call1 = monad, call1


def _evaluate(expr):
    """("value", text) or ("error", message) of expr in a fresh interpreter."""
    from klongtorch import Klong, KlongError
    from klongtorch.value.text import show
    try:
        return ("value", show(Klong()(expr)))
    except KlongError as e:
        return ("error", str(e))


def _entries(text):
    """The top-level [key value] groups of a dictionary's text, or None if it is not one."""
    if not (text.startswith(":{") and text.endswith("}")):
        return None
    groups, depth, start = [], 0, None
    for i, ch in enumerate(text[2:-1], 2):
        if ch == "[":
            depth += 1
            if depth == 1:
                start = i
        elif ch == "]":
            depth -= 1
            if depth == 0:
                groups.append(text[start:i + 1])
    return groups


def _dict_order(expr, kg, kt):
    """The same dictionary, its entries listed in another order."""
    if kg[0] != "value" or kt[0] != "value" or "{" not in kg[1]:
        return False
    a, b = _entries(kg[1]), _entries(kt[1])
    return a is not None and b is not None and sorted(a) == sorted(b) and a != b


_HUGE = re.compile(r": range error: \[?-?\d{10,}")


def _huge_count(expr, kg, kt):
    """A count far beyond memory is a range error here; kg wraps it and answers something."""
    return kg[0] == "value" and kt[0] == "error" and bool(_HUGE.search(kt[1]))


def _same_number(x, y):
    """An integer and a real of one value (1 and 1.0), or two close reals."""
    if _close_reals(x, y):
        return True
    num = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$")
    return bool(num.match(x) and num.match(y)) and abs(float(x) - float(y)) <= \
        1e-13 * max(abs(float(x)), abs(float(y)), 1.0)


def _whole_powers(expr, kg, kt):
    """An integer to a whole real power: exact integers here below 2^53; kg gives an
    integer only where its long double power happens to come out whole."""
    return "^" in expr and _same_but(kg, kt, _same_number)


def _nilad_under_adverb(expr, kg, kt):
    """A nilad driven by an adverb ignores the element here; kg calls that a wrong arity."""
    return kg == ("error", "kg: error: wrong arity: :nilad") and kt[0] == "value"


def _projection_slots(expr, kg, kt):
    """More argument slots than the function has: an arity error here; kg makes a
    projection of them (that cannot be called)."""
    return kg[0] == "value" and kg[1] in (":monad", ":dyad", ":triad") and kt[0] == "error" \
        and "projection: arity error" in kt[1]


def _nul_shown(expr, kg, kt):
    """The same text but for the NUL characters klongtorch writes (after 0c, inside
    strings), which kg's C strings end at and so leave out."""
    return kg[0] == kt[0] == "value" and "\0" in kt[1] and kt[1].replace("\0", "") == kg[1]


@dataclass(frozen=True)
class Deviation:
    name: str
    reason: str
    expects: Callable


DEVIATIONS = (
    Deviation("float64 reals",
              "reals are float64 (torch's), printed in their shortest round-trip form; kg "
              "computes in long double and prints 18 digits",
              _float_digits),
    Deviation("inf and nan",
              "a real division by zero or a real out of range is IEEE inf or nan inside a "
              "tensor; kg answers :undefined",
              _ieee_specials),
    Deviation("stable grade",
              "grade-up keeps equal elements in their original order (a stable sort) and "
              "grade-down is its reverse; kg's shell sort leaves ties in an order of its own",
              _stable_grade),
    Deviation("NUL shown",
              "a NUL character is written out, as every other character is (:#0 shows as "
              "0c and the NUL); kg's C strings end at it, so kg leaves it out",
              _nul_shown),
    Deviation("dictionary order",
              "a dictionary lists its entries in the order they were made (a Python dict); "
              "kg lists them in the order of its hash table",
              _dict_order),
    Deviation("huge counts",
              "a count or size beyond any memory (!12345678901234567890, a bignum take, "
              "reshape, expand or format width) is a range error at once; kg truncates it to "
              "a machine word and answers something else, or runs out of memory",
              _huge_count),
    Deviation("whole powers",
              "an integer to a whole real power is an exact integer below 2^53 (2^11.0 is "
              "2048); kg computes it in long double and gives an integer only where that "
              "comes out whole (2^11.0 is 2047.99999999999996, 1^11.0 is 1.0)",
              _whole_powers),
    Deviation("nilad under an adverb",
              "a nilad driven by an adverb ignores the element ({w::w-g()}'!50 steps 50 "
              "times, the training loop of KlongPy's programs); kg: wrong arity",
              _nilad_under_adverb),
    Deviation("projection slots",
              "a projection with more slots than its function's arity ({x}(1;;)) is an "
              "arity error at once; kg makes a projection that no call can satisfy",
              _projection_slots),
)
