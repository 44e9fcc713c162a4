"""Folds: f/a, and the whole-tensor paths of the primitive verbs' folds and scans.

`over` is the Over adverb itself: it folds any function over a list, element by element,
unless the function has a fast path of its own (`f.over`, from its record in
engine.primitives.VERBS). The fast paths below are those records' `over` and `scan`: a fold of a
primitive verb over a tensor as one torch call (sum, cumsum, amax, ...), which makes
+/!1000000 as fast as torch. Each returns NotImplemented where its torch call would
not give Klong's answer (an integer sum that could overflow int64 is exact in Klong), and
the fold then goes element by element. Lifting (lift.py) folds an element's axis with
`over` as well, which is why this module sits below both the adverbs and lifting.
"""
import math

import torch

from klongtorch.value.values import Dict, Tensor, dict_items, is_empty, items_of, scalar
from klongtorch.verbs.listargs import is_seq
from klongtorch.verbs.pervade import LIMIT, bound, with_bound


def elements(v):
    """What an adverb goes over: a list's elements, a dictionary's [key value] entries."""
    if type(v) is Dict:
        return dict_items(v)
    return items_of(v)


def is_list(v):
    """A list an adverb goes into (listargs.is_seq), not an empty one."""
    return is_seq(v) and not is_empty(v)


def over(f, a):
    """f/a  Over
    Fold f over list a: f(...f(f(a1;a2);a3)...;aN). An atom, or a one-element list's element,
    is returned as it is.
    Examples: +/[1 2 3 4] --> 10    ,/["a" "b" "c"] --> "abc\""""
    if not is_list(a):
        return a
    if type(a) is not Tensor and len(a) == 1:
        return elements(a)[0]
    if type(a) is Tensor and a.shape[0] == 1:
        return elements(a)[0]
    fast = getattr(f, "over", None)         # an operator's torch path (engine.primitives.VERBS)
    if fast is not None:
        r = fast(a)
        if r is not NotImplemented:
            return r
    xs = elements(a)
    acc = xs[0]
    call = f.call2
    for x in xs[1:]:
        acc = call(acc, x)
    return acc


def sum_fold(a):
    if type(a) is not Tensor:
        return NotImplemented
    if not a.dtype.is_floating_point:
        n = a.shape[0]
        if n * bound(a) > LIMIT:
            return _exact_fold(sum, a)
        r = a.sum(0)
        return r.item() if r.dim() == 0 else with_bound(r, n * bound(a))
    r = a.sum(0)
    return scalar(r) if r.dim() == 0 else r


def prod_fold(a):
    if type(a) is not Tensor:
        return NotImplemented
    if not a.dtype.is_floating_point:
        b = bound(a)
        if b > 1 and a.shape[0] * math.log2(b) > 61:
            return _exact_fold(math.prod, a)
        r = a.prod(0)
        return r.item() if r.dim() == 0 else r
    r = a.prod(0)
    return scalar(r) if r.dim() == 0 else r


def _exact_fold(fold, a):
    if a.dim() == 1:
        return fold(a.tolist())
    return NotImplemented


def max_fold(a):
    if type(a) is not Tensor:
        return NotImplemented
    r = a.amax(0)
    return scalar(r) if r.dim() == 0 else r


def min_fold(a):
    if type(a) is not Tensor:
        return NotImplemented
    r = a.amin(0)
    return scalar(r) if r.dim() == 0 else r


def minus_fold(a):
    if type(a) is not Tensor or not a.dtype.is_floating_point and a.shape[0] * bound(a) > LIMIT:
        return NotImplemented
    r = a[0] - a[1:].sum(0)
    return scalar(r) if r.dim() == 0 else r


def join_fold(a):
    t = type(a)
    if t is Tensor:
        if a.dim() == 1:
            return a
        return a.reshape((-1,) + tuple(a.shape[2:]))
    if t is list and all(type(e) is str for e in a):
        return "".join(a)
    if t is list and all(type(e) is Tensor and e.dim() == 1 for e in a):
        if len({e.dtype for e in a}) == 1:
            return torch.cat(a)
    return NotImplemented


def cumsum(a):
    if not a.dtype.is_floating_point and a.shape[0] * bound(a) > LIMIT:
        return NotImplemented
    return torch.cumsum(a, 0)


def cumprod(a):
    if not a.dtype.is_floating_point:
        return NotImplemented
    return torch.cumprod(a, 0)


def cummax(a):
    return torch.cummax(a, 0).values


def cummin(a):
    return torch.cummin(a, 0).values
