"""Atomic verbs: arithmetic, comparison and the other element-wise operators.

Each function is one primitive; its docstring is the help text that ]h, the kernel's
inspector and completion show. Python numbers take a fast path (and stay exact: integers are
arbitrary precision); tensors take one torch call through pervade.dyadic / pervade.monadic.
"""
import math
import operator
import sys
from decimal import Decimal
from fractions import Fraction

import torch

from klongtorch.value.errors import err
from klongtorch.value.values import (UNDEF, Char, Symbol, Tensor, carries_grad, ctx, items_of,
                                     mklist, scalar)
from klongtorch.verbs.pervade import (INT, LIMIT, Atomic, add_bound, align, bound, divide_scalar,
                                      dyadic, floatish, monadic, mul_bound, pow_bound, to_t,
                                      with_bound)


def _real(t):
    return t if t.dtype.is_floating_point else t.to(ctx.real)


# -- dyads ------------------------------------------------------------------------------------

def plus(a, b):
    """a+b  Plus
    Add b to a. Atomic: a list is combined element by element.
    Examples: 12+3 --> 15    [1 2 3]+4 --> [5 6 7]    1+0.3 --> 1.3"""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        try:
            return a + b
        except OverflowError:               # a bignum and a real: see _bignum_real
            return _bignum_real(operator.add, a, b)
    return dyadic(plus, PLUS, a, b)


def minus(a, b):
    """a-b  Minus
    Subtract b from a. Atomic.
    Examples: 12-3 --> 9    12--3 --> 15    1-0.3 --> 0.7"""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        try:
            return a - b
        except OverflowError:               # a bignum and a real: see _bignum_real
            return _bignum_real(operator.sub, a, b)
    return dyadic(minus, MINUS, a, b)


def times(a, b):
    """a*b  Times
    Multiply a by b. Atomic.
    Examples: 3*4 --> 12    3*-4 --> -12    0.3*7 --> 2.1"""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        try:
            return a * b
        except OverflowError:               # a bignum and a real: see _bignum_real
            return _bignum_real(operator.mul, a, b)
    return dyadic(times, TIMES, a, b)


def divide(a, b):
    """a%b  Divide
    The quotient of a and b, always a real number. Division of numbers by zero gives
    :undefined; in an array it gives inf or nan, as in IEEE arithmetic. A quotient past
    float64's range is a range error, inf inside a list or an array. Atomic.
    Examples: 10%2 --> 5.0    10%8 --> 1.25"""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        try:
            return _quotient(a, b)
        except OverflowError:
            # a lone real past float64 says so; inside a list it is inf (_divide_item)
            raise err("divide", "range", text="result too large") from None
    return dyadic(_divide_item, DIVIDE, a, b)


def _divide_item(a, b):
    """divide on the elements of a list, the verb pervasion carries into them: as divide,
    except that a real past float64 is inf, as it is in a tensor, where a lone number is a
    range error (see _power_item)."""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        try:
            return _quotient(a, b)
        except OverflowError:
            return math.inf if (a > 0) == (b > 0) else -math.inf
    return dyadic(_divide_item, DIVIDE, a, b)


def _quotient(a, b):
    """a/b for two Python numbers: :undefined for b 0, OverflowError past float64 (which
    divide and _divide_item answer differently)."""
    if b == 0:
        return UNDEF
    try:
        return a / b
    except OverflowError:
        if type(a) is int and type(b) is int:
            raise                           # int/int is rounded exactly: truly too large
        return _bignum_real(operator.truediv, a, b, past=None)


def _bignum_real(op, a, b, past=math.inf):
    """a op b for an integer too large for a float and a real, where Python would convert
    the integer to a float, and fail: computed exactly (Fraction), then rounded, as kg's
    (10^400)*1e-300 is 1.0e+100. A result past float64 is inf (the real 1e300*1e300 is inf
    too), or OverflowError where past is None."""
    big, real = (a, b) if type(a) is int else (b, a)
    if not math.isfinite(real):
        # inf or nan decide the result: the integer only by its sign, which float64's
        # largest number keeps
        big = math.copysign(sys.float_info.max, big)
        return op(big, real) if type(a) is int else op(real, big)
    exact = op(Fraction(a), Fraction(b))
    try:
        return float(exact)
    except OverflowError:
        if past is None:
            raise
        return past if exact > 0 else -past


def _int_args(name, a, b):
    if b == 0:
        raise err(name, "range", text="division by zero")


def int_divide(a, b):
    """a:%b  Integer-Divide
    The integer part of the quotient of a and b (truncated toward zero), so that
    a = (b*a:%b) + a!b. Atomic; integers only.
    Examples: 10:%2 --> 5    10:%8 --> 1    (-7):%2 --> -3"""
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        _int_args("integer-divide", a, b)
        q = abs(a) // abs(b)
        return -q if (a < 0) != (b < 0) else q
    if (ta is int or ta is float) and (tb is int or tb is float):
        raise err("integer-divide", "type", operands=(a, b))     # integers only, as in kg
    # |a:%b| <= |a|, except that int64's minimum divided by -1 overflows (and traps the CPU)
    return dyadic(int_divide, INT_DIVIDE, a, b)


def _left_bound(ba, bb):
    return ba


def _integers(name, x, y):
    if x.dtype.is_floating_point or y.dtype.is_floating_point:
        raise err(name, "type", operands=(x, y))


def _tensor_intdiv(x, y):
    _integers("integer-divide", x, y)
    if not y.dtype.is_floating_point and bool((y == 0).any()):
        raise err("integer-divide", "range", text="division by zero")
    q = torch.div(x, y, rounding_mode="trunc")
    return q if not q.dtype.is_floating_point or q.requires_grad else _maybe_int(q)


def remainder(a, b):
    """a!b  Remainder
    The remainder of truncated division: a = (b*a:%b) + a!b, so the sign follows a. Atomic;
    integers only.
    Examples: 7!5 --> 2    7!-5 --> 2    (-7)!5 --> -2"""
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        _int_args("remainder", a, b)
        q = abs(a) // abs(b)
        q = -q if (a < 0) != (b < 0) else q
        return a - b * q
    if (ta is int or ta is float) and (tb is int or tb is float):
        raise err("remainder", "type", operands=(a, b))          # integers only, as in kg
    return dyadic(remainder, REMAINDER, a, b)


def _tensor_rem(x, y):
    _integers("remainder", x, y)
    if not y.dtype.is_floating_point and bool((y == 0).any()):
        raise err("remainder", "range", text="division by zero")
    return torch.fmod(x, y)


def power(a, b):
    """a^b  Power
    a to the power of b. An integer to a non-negative integer power stays an (exact)
    integer; everything else is real. A negative base with a fractional power gives nan.
    A real past float64's range is a range error, inf inside a list or an array.
    Examples: 2^8 --> 256    2^-5 --> 0.03125    2^0.5 --> 1.4142135623730951"""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        try:
            return _NUMBER_POWERS[ta, tb](a, b)
        except OverflowError:
            # a lone real past float64 says so; inside a list it is inf (_power_item)
            raise err("power", "range", text="result too large") from None
    if ta is Tensor and (tb is int or tb is float) and b == 2 and a.dtype.is_floating_point:
        # x^2, the commonest power (a sum of squares, a loss): one multiplication, the same
        # bits as torch.pow, which squares that way itself, and its gradient is as cheap
        return a * a
    return _power_arrays(a, ta, b, tb)


def _power_item(a, b):
    """power on the elements of a list, the verb pervasion carries into them: as power,
    except that a real past float64 is IEEE inf (or nan), as it is in a tensor, where a
    lone number is a range error. ([1 2 3]^2500.0 is a list, 1^2500.0 being the
    integer 1: its other elements are inf, as those of the tensor [2 3]^2500.0 are.)"""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        try:
            return _NUMBER_POWERS[ta, tb](a, b)
        except OverflowError:
            return _overflowed(a, b)
    return _power_arrays(a, ta, b, tb)


def _power_arrays(a, ta, b, tb):
    """power past two numbers and x^2 (power writes that test out: the hot path)."""
    if _integral_power(a, ta, b, tb):
        return _power_kg(a, b)
    return dyadic(_power_item, POWER, a, b)


def _overflowed(a, b):
    """The IEEE value of the real a^b whose magnitude is past float64: inf, negative for a
    negative base to an odd power, nan for a negative base to a fractional one."""
    if a >= 0:
        return math.inf
    if b != math.floor(b):
        return math.nan
    return -math.inf if int(b) % 2 else math.inf


# -- power of two Python numbers, by their types: kg's rules for which answers are integers --
# Each raises OverflowError for a real answer past float64, which power makes a range error
# and _power_item inf.

def _int_int_power(a, b):
    if b >= 0:
        return a ** b
    return _real_power(a, b) if a != 0 else UNDEF


def _real_int_power(a, b):
    if b == 0:
        return 1                            # as kg: x^0 is the integer 1, 2.5^0 too
    return _real_power(a, b)


def _int_real_power(a, b):
    if a == 0 and b >= 0 or b > 0 and b.is_integer() and _exact_power(a, b):
        return a ** int(b) if a else 0      # as kg: 2^3.0 is the integer 8, 0^1.5 is 0
    return _real_power(a, b)


def _real_power(a, b):
    """a^b as a real (a or b real, or b a negative integer)."""
    if type(a) is int and not -FLOAT_INTS < a < FLOAT_INTS:
        return _bignum_power(a, b)          # a ** b would convert a to a float: too large
    if type(b) is int and not -FLOAT_INTS < b < FLOAT_INTS:
        return _bignum_exponent(float(a), b)
    try:
        r = float(a) ** b
    except ZeroDivisionError:
        return UNDEF
    return float("nan") if type(r) is complex else float(r)


FLOAT_INTS = 1 << 1000                      # integers well inside float64's range


def _bignum_power(a, b):
    """a^b for an integer a too large for a float (kg's (10^400)^0.5 is 1.0e+200, and its
    (10^400)^-1 is 1.0e-400, 0.0 in float64): a is m*2^e with m below 2^53, so a^b is
    m^b * 2^(e*b), e*b split into its whole and fractional parts, exactly (Fraction)."""
    if a < 0:
        if b != math.floor(b):
            return float("nan")
        r = _bignum_power(-a, b)
        return -r if int(b) % 2 else r
    e = a.bit_length() - 53
    t = Fraction(e) * Fraction(b)
    whole = math.floor(t)
    # OverflowError from ** or ldexp: the answer is past float64
    return math.ldexp(float(a >> e) ** b * 2.0 ** float(t - whole), whole)


def _bignum_exponent(a, b):
    """a^b for a real a and an integer b too large for a float: |a|^b is 0, 1 or past
    float64 (Python's float ** int would convert b, and fail); the sign is b's parity's."""
    if a == 0 and b < 0:
        return UNDEF                        # as 0.0^-1
    r = abs(a) ** (math.inf if b > 0 else -math.inf)
    if r == math.inf:
        raise OverflowError
    return -r if a < 0 and b % 2 else r


_NUMBER_POWERS = {(int, int): _int_int_power, (float, int): _real_int_power,
                  (int, float): _int_real_power, (float, float): _real_power}


def _exact_power(a, b):
    """Whether a^b (b whole) is an integer a real holds exactly, below 2^53: kg's real
    power gives an integer there (above it, its long double answer is often not whole)."""
    return abs(a) <= 1 or b * math.log2(abs(a)) < 53


def _integral_power(a, ta, b, tb):
    """Arrays where kg's power gives integers that torch would make real: an integer base
    to a whole real power ([1 2]^2.0 is [1 4]), any base to the power 0 ([0.5 4.0]^0 is
    [1 1]). Not for values that carry a gradient: those stay real, so that it flows."""
    if tb is int:                           # the common x^2: only x^0 of reals
        if b or ta is not Tensor or not a.dtype.is_floating_point:
            return False
    elif tb is float and (ta is not Tensor or a.dtype.is_floating_point):
        return False                        # a real base to a real power: torch's reals
    return _integral_kinds(a, ta, b, tb)


def _integral_kinds(a, ta, b, tb):
    """_integral_power past its quick answers, by the kinds of base and exponent: an integer
    base to a real exponent, or a real base to an integer exponent that is 0 somewhere."""
    ka, kb = _kind(a, ta), _kind(b, tb)
    if ka is None or kb is None or ka == kb == "i":
        return False
    if ta is Tensor and carries_grad(a) or tb is Tensor and carries_grad(b):
        return False
    if ka == "r":                           # kb is "i": the exponent 0 somewhere?
        return bool((b == 0).any()) if tb is Tensor else b == 0
    try:
        x, y = to_t(a), to_t(b)
    except OverflowError:                   # a bignum base: dyadic takes it exactly
        return False
    # paired as Klong pairs them ([[1 2 3] [4 5 6]]^[1.5 2.5]), not as torch broadcasts
    return bool(_integer_powers(*torch.broadcast_tensors(*align(x, y, "power", "^"))).any())


def _widest(t):
    """The widest real a tensor's device has: float64, float32 on MPS (it has no float64)."""
    return torch.float32 if t.device.type == "mps" else torch.float64


def _integer_powers(x, y):
    """Where an integer x to a real y is an integer in kg (see power's scalar rules)."""
    whole = (y == torch.floor(y)) & (y > 0) & (x.to(_widest(x)).abs() ** y < 2.0 ** 53)
    return whole | (x == 0) & (y >= 0)


def _power_kg(a, b):
    """a^b element by element as kg computes it (see _integral_power): one integer tensor
    when every element is an integer, else a list of integers and reals."""
    x, y = torch.broadcast_tensors(*align(to_t(a), to_t(b), "power", "^"))
    if x.dtype.is_floating_point:
        ints = y == 0
    else:
        ints = _integer_powers(x, y)
    if not x.dim():
        return power(scalar(x), scalar(y))
    if not bool(ints.all()):
        return mklist([_power_item(p, q) for p, q in zip(items_of(x), items_of(y))])
    if x.dtype.is_floating_point:           # every exponent 0
        return with_bound(torch.ones(x.shape, dtype=INT, device=x.device), 1)
    r = dyadic(_power_item, POWER, x, y.to(INT))
    return torch.where(x == 0, 0, r) if type(r) is Tensor else r       # 0^0.0 is 0 in kg


def _tensor_pow(x, y):
    if not x.dtype.is_floating_point and not y.dtype.is_floating_point:
        if bool((y < 0).any()):
            return torch.pow(x.to(ctx.real), y)
    return torch.pow(x, y)


def _cmp_atoms(name, a, b, op):
    """Compare two atoms: numbers by value, characters by code, strings and symbols by text."""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return int(op(a, b))
    if ta is tb and (ta is Char or ta is str):
        return int(op(a, b))
    if ta is Symbol and tb is Symbol:
        return int(op(a.name, b.name))
    return None


def equal(a, b):
    """a=b  Equal
    1 if a and b are equal, else 0. Numbers compare by value, characters, strings and symbols
    by their text. Atomic, but strings are compared whole; use ~ (Match) for lists.
    Examples: 1=1 --> 1    "foo"="foo" --> 1    [1 2 3]=[1 4 3] --> [1 0 1]"""
    return _comparison(equal, EQUAL, _eq, a, b)


def less(a, b):
    """a<b  Less
    1 if a is less than b, else 0. Numbers by value, characters by code, strings and symbols
    lexicographically. Atomic (strings are compared whole).
    Examples: 1<2 --> 1    "bar"<"foo" --> 1    [1 2 3]<[1 4 3] --> [0 1 0]"""
    return _comparison(less, LESS, _lt, a, b)


def more(a, b):
    """a>b  More
    1 if a is greater than b, else 0. See < (Less).
    Examples: 2>1 --> 1    "foo">"bar" --> 1    [1 4 3]>[1 2 3] --> [0 1 0]"""
    return _comparison(more, MORE, _gt, a, b)


def _comparison(verb, facts, op, a, b):
    """= < > on two atoms (op), or carried into lists and tensors by the verb's facts."""
    r = _cmp_atoms(facts.name, a, b, op)
    if r is not None:
        return r
    if _is_seq(a) or _is_seq(b):
        return dyadic(verb, facts, a, b)
    # a number and a character, a function, a dictionary...: kg calls that a type error
    raise err(facts.name, "type", operands=(a, b))


def _eq(a, b):
    return a == b


def _lt(a, b):
    return a < b


def _gt(a, b):
    return a > b


def _is_seq(v):
    t = type(v)
    return t is list or t is Tensor


def _tensor_cmp(op):
    def cmp(x, y):
        r = op(x, y).to(INT)
        return with_bound(r, 1)
    return cmp


def max_or(a, b):
    """a|b  Max/Or
    The larger of a and b; on the truth values 0 and 1 this is logical or. Atomic.
    Examples: 0|1 --> 1    123|-123 --> 123    1.0|1.1 --> 1.1"""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a if a >= b else b
    if not (ta is tb is Tensor and a.dtype is b.dtype) and _mixed(a, ta, b, tb):
        return _pick(max_or, MAX, a, b, torch.ge)
    return dyadic(max_or, MAX, a, b)


def min_and(a, b):
    """a&b  Min/And
    The smaller of a and b; on the truth values 0 and 1 this is logical and. Atomic.
    Examples: 0&1 --> 0    123&-123 --> -123    1.0&1.1 --> 1.0"""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a if a < b else b            # a tie goes to b, whose type kg keeps
    if not (ta is tb is Tensor and a.dtype is b.dtype) and _mixed(a, ta, b, tb):
        return _pick(min_and, MIN, a, b, torch.lt)
    return dyadic(min_and, MIN, a, b)


def _kind(v, t):
    """'i' for an integer or an integer tensor, 'r' for a real one, else None."""
    if t is int:
        return "i"
    if t is float:
        return "r"
    if t is Tensor and v.numel():
        return "r" if v.dtype.is_floating_point else "i"
    return None


_REAL_KIND = {int: False, float: True}


def _mixed(a, ta, b, tb):
    """An integer array meeting reals (or the reverse): then | and & pick, element by
    element, the winner with its own type, as kg does ([1 2 3]|2.0 is [2.0 2 3])."""
    ra = a.dtype.is_floating_point if ta is Tensor else _REAL_KIND.get(ta)
    rb = b.dtype.is_floating_point if tb is Tensor else _REAL_KIND.get(tb)
    if ra is None or rb is None or ra is rb:
        return False
    # a value being differentiated stays on torch's minimum/maximum, whose derivative at a
    # tie is torch's (and the dual numbers' too): picking the integer would cut the graph
    if (ta is Tensor and carries_grad(a)) or (tb is Tensor and carries_grad(b)):
        return False
    return (ta is not Tensor or a.numel() > 0) and (tb is not Tensor or b.numel() > 0)


def _pick(verb, facts, a, b, left_wins):
    """a|b or a&b between an integer and a real array: the elements of the side that wins,
    each keeping its type; one tensor when one side wins everywhere, else a list."""
    try:
        x, y = to_t(a), to_t(b)
    except OverflowError:                   # a bignum: element by element, exactly
        return dyadic(verb, facts, a, b)
    x, y = torch.broadcast_tensors(*align(x, y, facts.name, facts.sym))
    left = left_wins(x, y)
    if bool(left.all()):
        return x.contiguous() if x.dim() else scalar(x)
    if not bool(left.any()):
        return y.contiguous() if y.dim() else scalar(y)
    return mklist([verb(p, q) for p, q in zip(items_of(x), items_of(y))])


# -- what pervasion knows of each (pervade.Atomic; part of each verb's record) ---------------

def _real_divide(x, y):
    return torch.div(_real(x), y)


def _tensor_cmp_atomic(name, sym, op, commutative=False):
    return Atomic(name, sym, _tensor_cmp(op), strings_atomic=True, commutative=commutative)


PLUS = Atomic("plus", "+", torch.add, add_bound, operator.add, torch.add, commutative=True,
              in_place=Tensor.add_)
MINUS = Atomic("minus", "-", torch.sub, add_bound, operator.sub, torch.sub,
               in_place=Tensor.sub_)
TIMES = Atomic("times", "*", torch.mul, mul_bound, operator.mul, torch.mul, commutative=True,
               in_place=Tensor.mul_)
DIVIDE = Atomic("divide", "%", _real_divide, scalar_op=divide_scalar)
INT_DIVIDE = Atomic("integer-divide", ":%", _tensor_intdiv, _left_bound)
REMAINDER = Atomic("remainder", "!", _tensor_rem)
POWER = Atomic("power", "^", _tensor_pow, pow_bound, operator.pow)
EQUAL = _tensor_cmp_atomic("equal", "=", torch.eq, commutative=True)
LESS = _tensor_cmp_atomic("less", "<", torch.lt)
MORE = _tensor_cmp_atomic("more", ">", torch.gt)
MAX = Atomic("max", "|", torch.maximum, max, commutative=True)
MIN = Atomic("min", "&", torch.minimum, max, commutative=True)


# -- monads -----------------------------------------------------------------------------------

def negate(a):
    """-a  Negate
    0-a. Atomic.
    Examples: -1 --> -1    -[1 [2] 3] --> [-1 [-2] -3]"""
    t = type(a)
    if t is int or t is float:
        return -a
    if t is Tensor:
        if a.dtype.is_floating_point:
            return torch.neg(a)
        b = bound(a)
        if b > LIMIT:           # -(-2^63) does not fit int64
            return -a.item() if a.dim() == 0 else mklist([negate(v) for v in items_of(a)])
        return with_bound(torch.neg(a), b)
    return monadic(negate, "negate", a, torch.neg)


SAFE_INT = 2 ** 53
KG_DIGITS = 18          # the decimal digits of kg's reals (S9_MANTISSA_SIZE)


def floor(a):
    """_a  Floor
    a rounded toward negative infinity, an integer; but a real whose last printed digit
    stands at the 10^18s place or higher stays real, as in kg, whose reals hold 18 digits
    (and so do inf and nan). Atomic, each element by itself.
    Examples: _-1.5 --> -2    _9.3e18 --> 9300000000000000000    _1e20 --> 1.0e+20"""
    t = type(a)
    if t is int:
        return a
    if t is float:
        if -SAFE_INT < a < SAFE_INT:
            return math.floor(a)
        return _big_floor(a)
    if t is Tensor:
        if not a.dtype.is_floating_point:
            return a
        r = torch.floor(a)
        if r.requires_grad or r.numel() == 0:
            return r                        # a gradient flows through reals only
        if bool((r.abs() < SAFE_INT).all()):
            return r.to(INT)
        if not r.dim():
            return _big_floor(r.item())
        # some element is big, inf or nan: each takes the rule by itself, as in kg, so
        # that _[1.5 1e20] is [1 1.0e+20]
        return mklist([floor(v) for v in items_of(r)])
    return monadic(floor, "floor", a, None)


def _big_floor(x):
    """The floor of a real past 2^53 (whole already), or inf or nan. kg keeps a real as 18
    decimal digits m times 10^e (kg.c safe_floor) and makes its floor an integer while
    e < 18: _9.3e18 is 9300000000000000000, _1.5e30 and _1e18 stay real. The digits here are
    those klongtorch prints, the shortest that give the float64 back."""
    if not math.isfinite(x):
        return x
    d = Decimal(repr(x)).normalize()
    if d.as_tuple().exponent < KG_DIGITS:
        return int(d)
    return x


def _maybe_int(t):
    """Whole-valued reals as int64, when every element fits exactly and no gradient flows."""
    if t.requires_grad or t.numel() == 0:
        return t
    if bool(torch.isfinite(t).all()) and bool((t.abs() < SAFE_INT).all()):
        return t.to(INT)
    return t


def reciprocal(a):
    """%a  Reciprocal
    1%a. Atomic.
    Examples: %2 --> 0.5    %0.1 --> 10.0"""
    t = type(a)
    if t is int or t is float:
        return UNDEF if a == 0 else 1 / a
    if t is Tensor:
        return torch.reciprocal(_real(a))
    return monadic(reciprocal, "reciprocal", a, None)


def not_(a):
    """~a  Not
    1 for the false values 0, [] and "", else 0. Atomic over non-empty lists; strings,
    symbols, dictionaries and functions are atoms.
    Examples: ~0 --> 1    ~[] --> 1    ~[0 1] --> [1 0]    ~:foo --> 0"""
    t = type(a)
    if t is int or t is float:
        return int(a == 0)
    if t is Tensor:
        if a.dim() == 0:
            return int(a == 0) if not a.requires_grad else (a == 0).to(INT)
        if a.shape[0] == 0:
            return 1
        return with_bound((a == 0).to(INT), 1)
    if t is list:
        return mklist([not_(e) for e in a]) if a else 1
    if t is str:
        return int(a == "")
    return 0


def char(a):
    """:#a  Char
    The character with code point a. Atomic.
    Examples: :#65 --> 0cA    :#[72 105] --> [0cH 0ci]"""
    t = type(a)
    if t is int:
        try:
            return Char(chr(a))
        except (ValueError, OverflowError):
            raise err("char", "range", a) from None
    if t is Tensor:
        if a.dtype.is_floating_point:
            raise err("char", "type", a)
        if a.dim() == 0:
            return char(a.item())
        if a.numel() == 0:
            raise err("char", "type", a)        # as in kg: an empty list is no code point
        return mklist([char(v) for v in a.tolist()]) if a.dim() == 1 else \
            mklist([char(r) for r in a.unbind(0)])
    if t is list and not a:
        raise err("char", "type", a)
    return monadic(char, "char", a, None)


# -- tensor helpers shared with other modules --------------------------------------------------

__all__ = ["plus", "minus", "times", "divide", "int_divide", "remainder", "power", "equal",
           "less", "more", "max_or", "min_and", "negate", "floor", "reciprocal", "not_", "char",
           "align", "floatish"]
