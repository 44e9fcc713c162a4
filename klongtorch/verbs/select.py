"""Selecting: the verbs that pick elements out of a list by position.

*a (First), a@b (Index/Apply), a:@b (Index-in-Depth), a#b (Take) and a_b (Drop). A tensor
is indexed with torch, so gradients flow back to the elements picked.
"""
import torch

from klongtorch.value.errors import err
from klongtorch.value.functions import brief, apply_list, is_function
from klongtorch.value.values import Char, Dict, Tensor, items_of, key_of, mklist, mkstring, scalar
from klongtorch.verbs import dialect
from klongtorch.verbs.listargs import (MAX_TENSOR, count, element, empty_like, index_tensor,
                                       int_arg, is_seq)


def first(a):
    """*a  First
    The first element of a list, the first character of a string; an atom itself.
    Examples: *[1 2 3] --> 1    *"abc" --> 0ca    *[] --> []    *1 --> 1"""
    t = type(a)
    if t is list:
        return a[0] if a else []
    if t is str:
        return Char(a[0]) if a else ""
    if t is Tensor and a.dim() > 0:
        return element(a, 0) if a.shape[0] else []
    return a


def index(a, b):
    """a@b  Index/Apply
    The element of list a at position b, or a list of the elements at the positions in
    list b (of a string, a string; positions nested deeper pick lists of characters). When
    a is a function, apply it to b (or to the elements of list b as arguments).
    Examples: [1 2 3 4]@2 --> 3    "hello"@[1 0] --> "eh"    {x+y}@[2 3] --> 5"""
    if is_function(a):
        return apply_list(a, b)
    _indexable(a, b)
    tb = type(b)
    if tb is int:
        return _at(a, b)
    if tb is Tensor:
        return _gather(a, b)
    if tb is list:
        return _at_list(a, b)
    raise err("index", "type", operands=(a, b))


def _indexable(a, b):
    """Only lists and strings are indexed: a type error for anything else that says why."""
    if type(a) is Dict:
        raise err("index", "type", operands=(a, b),      # kg: a dictionary is read with ?
                  text="a dictionary is read with ?, as in d?k")
    if not is_seq(a):
        # the usual cause is an each that already took the elements apart: {x@0}'[10 20]
        raise err("index", "type", operands=(a, b),
                  text=f"{brief(a)} is an atom; only lists and strings can be indexed (a "
                       "dictionary with ?)")


def _length(a):
    return len(a) if type(a) is not Tensor else a.shape[0]


# a@i for one int i by a's type: a string gives a character, a tensor a number or a row
_ONE = {str: lambda a, i: Char(a[i]), list: lambda a, i: a[i], Tensor: element}


def _at(a, b):
    """a@b for a Python int b."""
    n = _length(a)
    i = b if b >= 0 else dialect.position(b, n)     # a@-1 in the KlongPy dialect
    if not 0 <= i < n:
        raise err("index", "range", b)
    return _ONE[type(a)](a, i)


def _at_list(a, b):
    """a@b for a Python list b: positions gather in one go, anything else element-wise."""
    if not b:
        return empty_like(a)
    if all(type(e) is int for e in b):
        return _gather(a, b)
    if type(a) is str:
        return mkstring([_chars(index(a, e)) for e in b])
    return mklist([index(a, e) for e in b])


def _chars(r):
    """An element of a@b, a a string, b a list holding lists: where it is a string (picked
    by a list in b), the list of its characters, as in kg, which makes only the outermost
    list a string: "hello"@[[1 2] 3] is [[0ce 0cl] 0cl], not ["el" 0cl]."""
    return [Char(c) for c in r] if type(r) is str else r


def _gather(a, b):
    """a@b for positions b (an int list or a tensor): one tensor index, range-checked."""
    idx = index_tensor(b, "index")
    if idx.dim() == 0:
        return index(a, int(idx))
    n = _length(a)
    if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= n):
        idx = dialect.positions(idx, n)             # the KlongPy dialect's a@-1
        if int(idx.min()) < 0 or int(idx.max()) >= n:
            raise err("index", "range", b)
    if idx.dim() != 1 and type(a) is not Tensor:
        if type(a) is str:                          # "abc"@[[0] [1]] is [[0ca] [0cb]]
            return [_chars(index(a, r)) for r in idx.unbind(0)]
        return mklist([index(a, r) for r in idx.unbind(0)])
    return _MANY[type(a)](a, idx)


# a@idx for an index vector by a's type (a tensor takes any index array)
_MANY = {
    Tensor: lambda a, idx: a[idx.to(a.device)],
    str: lambda a, idx: mkstring([Char(a[i]) for i in idx.tolist()]),
    list: lambda a, idx: mklist([a[i] for i in idx.tolist()]),
}


def index_depth(a, b):
    """a:@b  Index-in-Depth
    The single element of a multi-dimensional array a at the indices in list b, one per
    dimension. When a is a function, the same as @.
    Examples: [[1 2] [3 4]]:@[0 1] --> 2    {y+x*x}:@[2 3] --> 7"""
    if is_function(a):
        return index(a, b)
    if not _depth_operands(a, b):
        raise err("index-in-depth", "type", [a, b])     # as kg: a list, by a list or an int
    if _depth_at_once(a, b):
        return _depth_tensor(a, b)
    return _depth_walk(a, b)


def _depth_walk(a, b):
    """a:@b one axis at a time: a@b1, then its b2, and so on."""
    for i in items_of(b) if is_seq(b) else [b]:
        if type(i) is not int and not (type(i) is Tensor and i.dim() == 0):
            raise err("index-in-depth", "type", i)      # one integer per axis
        if type(a) is str or not is_seq(a):
            raise err("index-in-depth", "shape", a)     # as kg: a string is one element here
        a = index(a, i)
    return a


def _depth_operands(a, b):
    """a:@b takes a list (not a string) a and an int or a non-empty list b."""
    if type(a) is str or type(b) is str:
        return False
    return not (type(b) is list and not b) and is_seq(a)


def _depth_at_once(a, b):
    """Whether a:@b is one torch index: a tensor by an int vector no longer than its rank."""
    return type(a) is Tensor and type(b) is Tensor and b.dim() == 1 and \
        b.shape[0] <= a.dim() and not b.dtype.is_floating_point


def _depth_tensor(a, b):
    # each index within its axis: torch would also take a negative one from the end,
    # which only the KlongPy dialect does (klongtorch.verbs.dialect)
    where = [dialect.position(i, n) for i, n in zip(b.tolist(), a.shape)]
    if not all(0 <= i < n for i, n in zip(where, a.shape)):
        raise err("index-in-depth", "range", b)
    r = a[tuple(where)]
    return scalar(r) if r.dim() == 0 else r


def take(a, b):
    """a#b  Take
    The first a elements of list b (the last -a when a is negative), cycling through b when
    a is larger than #b.
    Examples: 2#[1 2 3] --> [1 2]    5#[1 2 3] --> [1 2 3 1 2]    (-2)#"abcdef" --> "ef\""""
    n = int_arg(a, "take")
    if not is_seq(b):
        raise err("take", "type", b)     # kg takes only from lists and strings
    if type(b) is Tensor:
        return _take_tensor(n, a, b)
    return _take_seq(n, a, b)


def _take_tensor(n, a, b):
    m = b.shape[0]
    count(n, "take", a, MAX_TENSOR if abs(n) <= m else MAX_TENSOR // max(b[0].numel(), 1))
    if n == 0 or m == 0:
        return []
    if 0 <= n <= m:
        return b[:n]
    if -m <= n < 0:
        return b[m + n:]
    idx = torch.arange(abs(n), device=b.device)
    idx = (idx % m) if n > 0 else ((idx - abs(n)) % m)
    return b[idx]


def _take_seq(n, a, b):
    """n#b for a list or string b."""
    m = len(b)
    if m:
        count(n, "take", a)
    if n == 0 or m == 0:
        return empty_like(b)
    out = _cycle(b, n, m)
    if type(b) is str:
        return out if type(out) is str else "".join(out)
    return mklist(list(out))


def _cycle(b, n, m):
    """The first n (last -n) of the m elements of b, cycling through b past its end: a slice
    of b where that is enough, else a Python list."""
    if n > 0:
        return b[:n] if n <= m else [b[i % m] for i in range(n)]
    k = -n
    return b[m - k:] if k <= m else [b[(i - k) % m] for i in range(k)]


def drop(a, b):
    """a_b  Drop
    List b without its first a elements (its last -a when a is negative). On a dictionary,
    remove the entry with key a, in place.
    Examples: 3_[1 2 3 4 5] --> [4 5]    (-3)_"abcdef" --> "abc"    17_[1 2 3] --> []"""
    if type(b) is Dict:
        try:
            b.pop(key_of(a), None)
        except TypeError:               # a list holding a dictionary is no key: nothing to drop
            pass
        return b
    n = count(int_arg(a, "drop"), "drop", a, MAX_TENSOR)     # kg wraps a huge one: see README
    tb = type(b)
    if tb is Tensor and b.dim() > 0:
        r = b[n:] if n >= 0 else b[:max(b.shape[0] + n, 0)]
        return r if r.shape[0] else []
    if tb is str or tb is list:
        r = b[n:] if n >= 0 else b[:max(len(b) + n, 0)]
        return r
    raise err("drop", "type", b)
