"""Amending: the verbs that make a copy of a list with elements replaced.

a:=b (Amend) and a:-b (Amend-in-Depth), and amend_one, the compiler's a:=v,i. A tensor is
amended out of place with index_put, so gradients reach both the list and the new value.
"""
import torch

from klongtorch.value.errors import err
from klongtorch.value.values import (Char, Tensor, carries_grad, ctx, dispatch_modes, is_atom,
                                     items_of, mklist)
from klongtorch.verbs import dialect
from klongtorch.verbs.listargs import fits, is_number, is_seq, joins
from klongtorch.verbs.select import index


def amend(a, b):
    """a:=b  Amend
    A copy of list (or string) a with the value b1 placed at each position b2..bN. When a
    and b1 are strings, b1 replaces a substring at each position, growing a as needed.
    Examples: [1 2 3]:=0,1 --> [1 0 3]    "-----":=0cx,[1 3] --> "-x-x-"    "abc":="def",3 --> "abcdef\""""
    if type(b) is str or not is_seq(a) and type(a) is not list:
        # as kg: the target is a list or a string, the amendment a list (not a string), even
        # when there is nothing to amend (0c0:="" and "":="a" are type errors)
        raise err("amend", "type", [a, b])
    parts = items_of(b) if is_seq(b) else None
    if not parts:
        if parts is None:
            raise err("amend", "type", b)
        return a
    v, idxs = parts[0], [_position(i, "amend") for i in parts[1:]]
    if not idxs:
        return a
    return _amend_at(a, v, idxs)


def amend_one(a, v, i):
    """a:=v,i for a number v and an int i, without making the list v,i: what generated
    function bodies call for that idiom (codegen.py). The common case, a CPU vector of v's
    type, goes straight to _with_one, as _amend_at would send it."""
    if type(a) is Tensor and a.dim() == 1 and not a.requires_grad and fits(v, a.dtype):
        j = i if i >= 0 else dialect.position(i, a.shape[0])
        if not 0 <= j < a.shape[0]:
            raise err("amend", "range", i)
        return _with_one(a, v, j)
    if not is_seq(a) and type(a) is not list:
        raise err("amend", "type", [a, mklist([v, i])])
    return _amend_at(a, v, [i])


_NUMPY_DTYPES = frozenset({torch.int64, torch.float64, torch.float32})


def _host_store(t):
    """Whether t's memory may be written through NumPy: a CPU tensor of a Klong number
    dtype that no torch mode is recording (make_fx in .compile sees every torch call, and a
    NumPy write is none), with no gradient and no torch.func transform wrapping it. A NumPy
    store costs 0.1 us where t[i] = v costs 4."""
    return t.is_cpu and t.dtype in _NUMPY_DTYPES and not carries_grad(t) and not dispatch_modes()


def _with_one(a, v, i):
    """A copy of vector a with number v (of a's type, no gradient) at position i: through
    NumPy where _host_store allows (2.7 us, where clone and t[i]=v take 6), else torch."""
    if _host_store(a):
        n = a.numpy().copy()
        n[i] = v
        return torch.from_numpy(n)
    out = a.clone()
    out[i] = v
    return out


def _amend_at(a, v, idxs):
    """a with v at each position of idxs (ints, at least one)."""
    ta = type(a)
    if ta is str:
        return _amend_text(a, v, idxs)
    if ta is Tensor and a.dim() > 0 and _in_place_of_row(a, v):
        return _amend_tensor(a, v, idxs)
    if ta is list or ta is Tensor and a.dim() > 0:
        xs = list(items_of(a))
        for i in _positions(idxs, len(xs)):
            xs[i] = v
        return mklist(xs)
    raise err("amend", "type", a)


def _amend_text(s, v, idxs):
    """A string with character or string v written over it at each position."""
    if type(v) is not str and type(v) is not Char:
        raise err("amend", "type", v)
    for i in idxs:
        if not 0 <= i <= len(s) or (i == len(s) and type(v) is Char):
            raise err("amend", "range", i)
        s = s[:i] + v + s[i + len(v):]
    return s


def _in_place_of_row(a, v):
    """Whether v can stand in tensor a as an element: a number of a's type in a vector, or
    a tensor of a's row shape. Anything else (an atom into a matrix, or as in kg a real into
    integers: [1 2]:=3.5,1 is [1 3.5]) makes a general list."""
    if a.dim() == 1 and is_number(v) and joins(v, a):
        return True
    return type(v) is Tensor and v.shape == a.shape[1:]


def _positions(idxs, n):
    """idxs, each checked to lie within a list of n (from its end, if negative, in the
    KlongPy dialect); the first that does not is a range error."""
    if ctx.klongpy:                 # negative positions count from the end
        idxs = [dialect.position(i, n) for i in idxs]
    for i in idxs:
        if not 0 <= i < n:
            raise err("amend", "range", i)
    return idxs


def _amend_tensor(a, v, idxs):
    # out of place with index_put, so gradients reach both a and the new value
    idxs = _positions(idxs, a.shape[0])
    if not idxs:
        return a
    if len(idxs) == 1 and not a.requires_grad and fits(v, a.dtype):
        # one number, no gradient: a copy and a store is a fifth of index_put's cost
        return _with_one(a, v, idxs[0])
    vt = v if type(v) is Tensor else torch.tensor(v, device=a.device,
                                                  dtype=ctx.real if type(v) is float else a.dtype)
    out = a
    if vt.dtype.is_floating_point and not out.dtype.is_floating_point:
        out = out.to(vt.dtype)
    return out.index_put((torch.tensor(idxs, device=a.device),), vt.to(out.dtype))


def amend_depth(a, b):
    """a:-b  Amend-in-Depth
    Like :=, but replaces the single element of the multi-dimensional array a at the indices
    b2..bN, one per dimension, by b1. The indices must reach an atom (a string is one
    here), neither stop above one nor go on into one: the shape of a must be matched.
    Examples: [[1 2] [3 4]]:-42,[0 1] --> [[1 42] [3 4]]    ["ab" "cd"]:-["zz" 0] --> ["zz" "cd"]"""
    parts = items_of(b) if is_seq(b) else None
    if not parts or len(parts) < 2:
        raise err("amend-in-depth", "type", b)
    if type(a) is str or not is_seq(a):
        raise err("amend-in-depth", "type", [a, b])     # kg: the array is a list
    v, idxs = parts[0], [_position(i, "amend-in-depth") for i in parts[1:]]
    return _amend_path(a, v, idxs)


def _position(i, name):
    """An amend position as an int. A real value joined to its positions, as in x:=2.5,1,
    makes one real list, so whole reals are positions too; a position taken from a list that
    carries a gradient is a 0-d tensor, and a position has no derivative, so it is read off."""
    t = type(i)
    if t is int:
        return i
    if t is Tensor and i.dim() == 0:
        i = i.detach()
        if not i.dtype.is_floating_point:
            return int(i)
        i, t = float(i), float
    if t is float and i.is_integer():
        return int(i)
    raise err(name, "type", i)


def _amend_path(a, v, idxs):
    """a with v at the path idxs, checked as kg checks it: each index in range, and an atom
    exactly where the path ends (a shape error names the list it stopped above, or the
    indices left over at an atom)."""
    i, rest = idxs[0], idxs[1:]
    n = len(items_of(a))
    j = dialect.position(i, n)
    if not 0 <= j < n:
        raise err("amend-in-depth", "range", i)
    element = index(a, j)
    if rest:
        if _depth_atom(element):
            raise err("amend-in-depth", "shape", mklist(rest))
        return amend(a, [_amend_path(element, v, rest), j])
    if not _depth_atom(element):
        raise err("amend-in-depth", "shape", element)
    return amend(a, mklist([v, i]))


def _depth_atom(v):
    """What a path of :- ends at: an atom, a string too (kg's ["ab" "cd"]:-["zz" 0])."""
    return type(v) is str or is_atom(v)

