"""Reshaping: the verbs that arrange the elements of a list into a new structure.

a:^b (Reshape), a:#b (Split) and a:_b (Cut). A tensor is reshaped by torch, so gradients flow.
Each reads its sizes or positions one at a time, as kg does: kg names the first one that is
wrong ("cut: expected integer, got: 2.0") and never looks at one it does not need.
"""
import math

import torch

from klongtorch.value.errors import err, expected
from klongtorch.value.values import Char, Tensor, is_empty, items_of, mklist, mkstring
from klongtorch.verbs.listargs import MAX_LIST, MAX_TENSOR, count, is_int, is_seq

# kg reads a dimension or a position as a C int, and one beyond it as 0. Here it is a range
# error (README "huge counts"), as kg's is where that 0 is out of place.
_MACHINE_INT = 1 << 31


def _is_list(v):
    """A list for a shape, sizes or positions: a list or tensor with an axis, [] included;
    a string is not (kg: "":_[1 2] is a type error)."""
    return is_seq(v) and type(v) is not str


def reshape(a, b):
    """a:^b  Reshape
    Arrange the elements of b (repeated as needed) into an array of shape a. A -1 in the
    shape stands for half the number of elements of b. 0:^b is b. The strings of b are
    read as their characters, joined (as in kg: 5:^["ab"] is "ababa"); any other element,
    a list included, is one element.
    Examples: [2 3]:^!6 --> [[0 1 2] [3 4 5]]    3:^1 --> [1 1 1]    [-1 2]:^!6 --> [[0 1] [2 3] [4 5]]
              [2 3]:^["ab" "cd"] --> ["abc" "dab"]    [2]:^[[1 2 3]] --> [[1 2 3] [1 2 3]]"""
    if is_int(a):
        if int(a) == 0:
            return b
        dims = [a]
    elif _is_list(a):
        dims = items_of(a) or [[]]          # kg reads the empty shape as one element, []
    else:
        raise err("reshape", "type", operands=(a, b))
    src, unit, n = _source(b)
    dims = [_dimension(d, n) for d in dims]
    if n == 0:                              # "" or ["" ""]: nothing to repeat (kg crashes)
        raise err("reshape", "range", b)
    return _arrange(src, unit, n, dims, a)


def _dimension(d, n):
    """One dimension of a shape, for a source of n elements: -1 is n halved, as in kg."""
    if not is_int(d):
        raise expected("reshape", "integer", d)
    k = int(d)
    size = n // 2 if k == -1 else k
    if size < 1 or k >= _MACHINE_INT:
        raise err("reshape", "range", d)
    return size


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


def _source(b):
    """What b:^ arranges: (its elements, the shape of one element, how many there are).
    As in kg, an atom (the empty list too) is one element, and a list's strings are their
    characters: each run of strings is joined into one, and a list that is all strings is
    the characters of them all."""
    if type(b) is Tensor and b.dim() > 0 and b.shape[0] > 0:
        return b, b.shape[1:], b.shape[0]
    if type(b) is list and b:
        b = _join_strings(b)
    if type(b) is str or (type(b) is list and b):
        return b, (), len(b)
    return [b], (), 1


def _join_strings(items):
    """items with each run of strings joined into one string; the string alone when that
    is all there is."""
    out = []
    for v in items:
        if type(v) is str and out and type(out[-1]) is str:
            out[-1] += v
        else:
            out.append(v)
    return out[0] if len(out) == 1 and type(out[0]) is str else out


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
    Cut list or string b before each position in a (an integer or an ascending list of
    integers). A position may be #b; one beyond it is a length error (a range error in a
    string), as in kg. The piece after the last position is left out when b is empty.
    Examples: 2:_[1 2 3 4] --> [[1 2] [3 4]]    [2 3 5]:_"abcdef" --> ["ab" "c" "de" "f"]
              3:_"abc" --> ["abc" ""]    [1 1]:_[1 2] --> [[1] [] [2]]"""
    if not (is_int(a) or _is_list(a)) or not is_seq(b):
        raise err("cut", "type", operands=(a, b))
    positions, named = ([a], mklist([a])) if is_int(a) else (items_of(a), a)
    if not positions:
        return _pieces([b])
    n, prev, out = _length(b), 0, []
    for p in positions:
        if not is_int(p):
            raise expected("cut", "integer", p)
        p = int(p)
        if p < prev or (p > n and type(b) is str) or p >= _MACHINE_INT:
            raise err("cut", "range", named)
        if p > n:                           # a list runs out before the position
            raise err("cut", "length", named)
        out.append(_slice(b, prev, p))
        prev = p
    if n:
        out.append(_slice(b, prev, n))
    return _pieces(out)


def split(a, b):
    """a:#b  Split
    Split list or string b into pieces of the size a, or of the sizes in list a, used in
    turn. The last piece may be shorter. Only the sizes used are read: an empty b splits
    into [] whatever the sizes are.
    Examples: 2:#[1 2 3 4] --> [[1 2] [3 4]]    [1 2]:#[1 2 3 4 5 6] --> [[1] [2 3] [4] [5 6]]
              3:#"abcdefg" --> ["abc" "def" "g"]"""
    if not (is_int(a) or (_is_list(a) and not is_empty(a))) or not is_seq(b):
        raise err("split", "type", operands=(a, b))
    if is_empty(b):
        return []
    sizes = [a] if is_int(a) else items_of(a)
    n = _length(b)
    out, i, k = [], 0, 0
    while i < n:
        s = _size(sizes[k % len(sizes)])
        out.append(_slice(b, i, i + s))
        i += s
        k += 1
    return _pieces(out)


def _size(s):
    if not is_int(s):
        raise expected("split", "integer", s)
    s = int(s)
    if s < 1 or s >= _MACHINE_INT:          # kg: a size past a C int is read as 0
        raise err("split", "range", s)
    return s
