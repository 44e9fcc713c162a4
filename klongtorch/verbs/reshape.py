"""Reshaping: the verbs that arrange the elements of a list into a new structure.

a:^b (Reshape), a:#b (Split) and a:_b (Cut). A tensor is reshaped by torch, so gradients flow.
"""
import math

import torch

from klongtorch.value.errors import err
from klongtorch.value.values import Char, Tensor, is_empty, items_of, mklist, mkstring
from klongtorch.verbs.listargs import MAX_LIST, MAX_TENSOR, count, empty_like, int_arg, is_seq


def reshape(a, b):
    """a:^b  Reshape
    Arrange the elements of b (repeated as needed) into an array of shape a. A -1 in the
    shape stands for whatever size uses the elements of b once. 0:^b is b.
    Examples: [2 3]:^!6 --> [[0 1 2] [3 4 5]]    3:^1 --> [1 1 1]    [-1 2]:^!6 --> [[0 1] [2 3] [4 5]]"""
    dims = _ints(a, "reshape")
    if not dims:
        raise err("reshape", "type", a)
    if dims == [0] and not is_seq(a):
        return b
    if 0 in dims:
        raise err("reshape", "range", 0)    # as kg: no axis of length 0 ([2 0]:^x)
    if is_empty(b) and type(b) is not str and -1 not in dims:
        b = [b]                 # as kg: an empty list is repeated whole (2:^[] is [[] []])
    src, unit, n = _source(b)
    if n == 0:                              # "" (kg answers nonsense) or [-1 2]:^[]
        raise err("reshape", "range", b if -1 not in dims else a)
    return _arrange(src, unit, n, _free_axis(dims, n, a), a)


def _arrange(src, unit, n, dims, a):
    """The n elements of src (each of shape unit), repeated as needed, in the shape dims."""
    total = count(math.prod(dims), "reshape", a,
                  MAX_TENSOR // max(math.prod(unit), 1) if type(src) is Tensor else MAX_LIST)
    if type(src) is Tensor:
        idx = torch.arange(total, device=src.device) % n
        return src[idx].reshape(tuple(dims) + tuple(unit))
    flat = [src[i % n] for i in range(total)]
    if type(src) is str:
        flat = [Char(c) for c in flat]
    return _nest(flat, dims)


def _ints(a, name):
    """An integer, or a list of integers, as a list of ints."""
    return [int_arg(d, name) for d in items_of(a)] if is_seq(a) else [int_arg(a, name)]


def _source(b):
    """What b:^ arranges: (its elements, the shape of one element, how many there are)."""
    if type(b) is Tensor and b.dim() > 0:
        return b, b.shape[1:], b.shape[0]
    if type(b) is str or type(b) is list:
        return b, (), len(b)
    return [b], (), 1


def _free_axis(dims, n, a):
    """dims with its -1 (at most one) filled in: the reference makes it half the size n of
    the source."""
    if dims.count(-1) > 1 or any(d < -1 for d in dims):
        raise err("reshape", "range", a)
    if -1 in dims:
        dims[dims.index(-1)] = n // 2
    return dims


def _nest(flat, dims):
    if len(dims) == 1:
        return mkstring(flat)            # characters reshaped are a string, as in kg
    step = math.prod(dims[1:])
    return mklist([_nest(flat[i * step:(i + 1) * step], dims[1:]) for i in range(dims[0])])


def _length(b):
    return len(b) if type(b) is not Tensor else b.shape[0]


def _slice(b, i, j):
    if type(b) is Tensor:
        r = b[i:j]
        return r if r.shape[0] else []
    return b[i:j]


def _pieces(out):
    """The pieces of a split or cut as a list: a list of strings stays a plain list."""
    return mklist(out) if not any(type(o) is str for o in out) else out


def cut(a, b):
    """a:_b  Cut
    Cut list b before each position in a (an integer or an ascending list of integers).
    Examples: 2:_[1 2 3 4] --> [[1 2] [3 4]]    [2 3 5]:_"abcdef" --> ["ab" "c" "de" "f"]"""
    if not is_seq(b) and not is_empty(b):
        raise err("cut", "type", b)
    pos = [int_arg(a, "cut")] if not is_seq(a) and not (type(a) is list) else \
        [int_arg(p, "cut") for p in items_of(a)]
    return _cut_at(pos, a, b)


def _cut_at(pos, a, b):
    """b cut before each of the positions pos (taken from a)."""
    n = _length(b)
    if n == 0:                    # cutting nothing gives one empty piece per cut
        return [empty_like(b) for _ in range(max(len(pos), 1))]
    prev = 0
    out = []
    for p in pos:
        if p < prev or p > n:
            raise err("cut", "range", a)
        out.append(_slice(b, prev, p))
        prev = p
    out.append(_slice(b, prev, n))
    return _pieces(out)


def split(a, b):
    """a:#b  Split
    Split list b into pieces of the size a, or of the sizes in list a, used in turn. The last
    piece may be shorter.
    Examples: 2:#[1 2 3 4] --> [[1 2] [3 4]]    [1 2]:#[1 2 3 4 5 6] --> [[1] [2 3] [4] [5 6]]"""
    if type(a) is list and a and is_empty(b):
        return []               # as kg: nothing to split, whatever the list of sizes holds
    sizes = _ints(a, "split")
    if not sizes or any(s <= 0 for s in sizes):
        raise err("split", "range", a)
    if not is_seq(b):
        if is_empty(b):
            return []
        raise err("split", "type", b)
    n = _length(b)
    out, i, k = [], 0, 0
    while i < n:
        s = sizes[k % len(sizes)]
        out.append(_slice(b, i, i + s))
        i += s
        k += 1
    return _pieces(out)
