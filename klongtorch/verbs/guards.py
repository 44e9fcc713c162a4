"""Guards: where a verb on Python numbers and the same verb on whole tensors part ways.

The element loop computes on Python numbers where an element is a single number, and a few
of their rules are not torch's: 1%0 is :undefined where a tensor gives inf, 2^-1 is a real
where an integer tensor stays integer, 1|0.5 keeps the winner's type, and an int beyond
2^53 compares exactly with a real. Each guard says whether any element meets such a case,
so that lifting (klongtorch.engine.lift) gives way to the loop there. A guard takes the operands
and the result (a tensor over the batch, or a Python number) and `active`, the elements
the current conditional selects (None: all). Each verb's record (engine.primitives.VERBS) names its
guards.
"""
import math
from types import SimpleNamespace

import torch

from klongtorch.value.values import Tensor
from klongtorch.verbs.pervade import bound

EXACT_FLOAT = 1 << 53          # integers a float64 holds exactly


def _real(v):
    return type(v) is float or (type(v) is Tensor and v.dtype.is_floating_point)


def _int_bound(v):
    return abs(v) if type(v) is int else bound(v)


def _any(cond, active):
    """Whether cond (a bool tensor over the batch, or a Python bool) holds for an element
    the current conditional selects."""
    if type(cond) is not Tensor:
        return bool(cond)
    if active is not None:
        cond = cond & active.reshape(active.shape + (1,) * (cond.dim() - active.dim()))
    return bool(cond.any())


def _mixed_big(x, y, r, active):
    """An integer beyond 2^53 beside a real: Python converts and compares it exactly."""
    rx, ry = _real(x), _real(y)
    if rx == ry:
        return False
    return _int_bound(y if rx else x) >= EXACT_FLOAT


def _divide_guard(x, y, r, active):
    if _any(y == 0, active):                 # 1%0 is :undefined for numbers, inf in a tensor
        return True
    ints = [v for v in (x, y) if not _real(v)]
    return any(_int_bound(v) >= EXACT_FLOAT for v in ints)


def _power_guard(x, y, r, active):
    if not _real(x) and not _real(y):
        return _any(y < 0, active)           # 2^-1 is real: a list of ints and reals
    if _any((x == 0) & (y < 0) if type(x) is Tensor or type(y) is Tensor
            else x == 0 and y < 0, active):
        return True                          # 0.0^-1 is :undefined
    # Python raises on overflow (a range error) where torch gives inf
    big = torch.isinf(r) if type(r) is Tensor else math.isinf(r)
    if type(x) is Tensor:
        big = big & torch.isfinite(x)
    elif math.isinf(x):
        return False
    return _any(big, active) or _mixed_big(x, y, r, active)


def _pick_guard(x, y, r, active):
    """1|0.5 keeps the winner's type, and Python's max skips a nan that torch spreads."""
    if _real(x) != _real(y):
        return True
    if _real(x):
        return _any(torch.isnan(x) if type(x) is Tensor else x != x, active) or \
            _any(torch.isnan(y) if type(y) is Tensor else y != y, active)
    return False


def _reciprocal_guard(x, r, active):
    return _any(x == 0, active) or not _real(x) and _int_bound(x) >= EXACT_FLOAT


def _floor_guard(x, r, active):
    # a real whose floor is small or short enough becomes an integer, each element by
    # itself (arith.floor); a real tensor back means some elements stayed real (inf, nan,
    # 1e20), which the loop gives element by element, unless a gradient keeps it real anyway
    return _real(x) and type(r) is Tensor and r.dtype.is_floating_point and not r.requires_grad


def _negative_exponent(x, y, r, active):
    # an integer tensor to a negative power is real as a whole: one element, or one row
    return not _real(x) and not _real(y) and _any(y < 0, active)


# Each verb's record (engine.primitives.VERBS) names its guards: for a dyad and a monad, one for
# elements that are Python numbers, and one for elements that are tensors (a row), whose
# rules are the tensor rules the lifted call also follows, except where a verb decides
# for a whole tensor at once: then one element's row and the whole batch can differ.
GUARDS = SimpleNamespace(mixed_big=_mixed_big, divide=_divide_guard, power=_power_guard,
                         pick=_pick_guard, negative_exponent=_negative_exponent,
                         reciprocal=_reciprocal_guard, floor=_floor_guard)
