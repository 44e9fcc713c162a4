"""Dual numbers: the fast path of :> for functions of one real number.

torch's autograd costs tens of microseconds a call however small the function is: a
tensor to make, a graph to record, the backward engine to start. For the commonest
classroom case, a scalar function at a scalar point ({x^2}:>3, or a training loop over
one weight), a dual number a+b·ε (ε²=0) carries the value a and the exact derivative b
through plain Python float arithmetic, ten times faster.

The path is taken only when it gives what torch would: the point is a Python real, reals
are float64, and no outer differentiation needs a graph. Each verb the dual meets must be
in the tables below; anything else (a vector, a structural verb, a Python function, a
display) raises NotScalar, and :> starts again through torch, with the globals restored. A
call site that had to start again once uses torch from then on (see autograd.derivatives.FastPath).
"""
import math

from klongtorch.value.errors import KlongError

ARITHMETIC = (ZeroDivisionError, OverflowError, ValueError)


class NotScalar(KlongError):
    """The dual path met something it does not cover; use torch instead. A KlongError, so
    that it passes through the compiled code's error handling on its way to :>."""

    def __init__(self, what):
        super().__init__(f"kg: error: internal: dual numbers cannot go through {what}")


class Dual:
    """value + derivative·ε."""
    __slots__ = ("v", "d")

    def __init__(self, v, d):
        self.v = v
        self.d = d

    @property
    def klong_name(self):
        # displaying or formatting a dual would show the wrong thing: go the torch way
        raise NotScalar("display")

    # Comparing or testing a dual outside the verbs (match, converge's test, a dictionary
    # key, a condition) is control flow the tables do not model: go the torch way
    def _refuse(self, *args):
        raise NotScalar("a comparison")

    __eq__ = __ne__ = __hash__ = __bool__ = klong_truth = _refuse

    def __repr__(self):
        return f"Dual({self.v!r}, {self.d!r})"


def _parts(x):
    t = type(x)
    if t is Dual:
        return x.v, x.d
    if t is float or t is int:
        return x, 0.0
    raise NotScalar(type(x).__name__)


def _power(a, da, b, db):
    v = a ** b
    if type(v) is complex:
        raise NotScalar("complex power")
    d = 0.0
    if da:
        d += b * a ** (b - 1) * da if b != 0 else 0.0
    if db:
        if a <= 0:
            raise NotScalar("power of a non-positive base")
        d += v * math.log(a) * db
    return v, d


def _divide(a, da, b, db):
    if b == 0:
        raise NotScalar("division by zero")
    return a / b, (da * b - a * db) / (b * b)


def _pick(take_a, tie, a, da, b, db):
    # torch.maximum and torch.minimum share the gradient equally at a tie
    if a == b:
        return a, (da + db) / 2 if tie else da
    return (a, da) if take_a else (b, db)


DYADS = {
    "plus": lambda a, da, b, db: (a + b, da + db),
    "minus": lambda a, da, b, db: (a - b, da - db),
    "times": lambda a, da, b, db: (a * b, da * b + a * db),
    "divide": _divide,
    "power": _power,
    "max": lambda a, da, b, db: _pick(a > b, True, a, da, b, db),
    "min": lambda a, da, b, db: _pick(a < b, True, a, da, b, db),
}

COMPARISONS = {"equal": lambda a, b: a == b, "less": lambda a, b: a < b,
               "more": lambda a, b: a > b}


def dyad(name, x, y):
    """The atomic dyad `name` on duals and numbers."""
    a, da = _parts(x)
    b, db = _parts(y)
    compare = COMPARISONS.get(name)
    if compare is not None:
        return int(compare(a, b))        # control flow: the value decides, as with tensors
    op = DYADS.get(name)
    if op is None:
        raise NotScalar(name)
    try:
        v, d = op(float(a), float(da), float(b), float(db))
    except ARITHMETIC as e:      # torch's inf and nan semantics apply: let it decide
        raise NotScalar(str(e)) from None
    return Dual(v, d)


def _sqrt(a):
    if a <= 0:
        raise NotScalar("sqrt at or below 0")
    r = math.sqrt(a)
    return r, 0.5 / r


def _log(a):
    if a <= 0:
        raise NotScalar("log at or below 0")
    return math.log(a), 1 / a


def _sigmoid(a):
    s = 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))
    return s, s * (1 - s)


def _tanh(a):
    t = math.tanh(a)
    return t, 1 - t * t


def _abs(a):
    return abs(a), (1.0 if a > 0 else -1.0 if a < 0 else 0.0)


# name -> (value, derivative) of a real
MONADS = {
    "negate": lambda a: (-a, -1.0),
    "reciprocal": lambda a: _divide(1.0, 0.0, a, 1.0),
    ".exp": lambda a: (math.exp(a), math.exp(a)),
    ".log": _log,
    ".sin": lambda a: (math.sin(a), math.cos(a)),
    ".cos": lambda a: (math.cos(a), -math.sin(a)),
    ".tan": lambda a: (math.tan(a), 1 / math.cos(a) ** 2),
    ".tanh": _tanh,
    ".sqrt": _sqrt,
    ".abs": _abs,
    ".sigmoid": _sigmoid,
    ".relu": lambda a: (a, 1.0) if a > 0 else (0.0, 0.0),
}


def monad(name, x):
    op = MONADS.get(name)
    if op is None:
        raise NotScalar(name)
    try:
        v, d = op(float(x.v))
    except ARITHMETIC as e:
        raise NotScalar(str(e)) from None
    return Dual(v, d * x.d)


def value(y):
    """The derivative carried by a function's result."""
    t = type(y)
    if t is Dual:
        return y.d
    if t is float:
        return 0.0              # the result does not depend on the point
    raise NotScalar(t.__name__)   # an integer or a list: torch's path says what is wrong
