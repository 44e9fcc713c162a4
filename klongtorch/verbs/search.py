"""Searching: the verbs that look for values in a list.

a?b (Find), =a (Group), ?a (Range) and a~b (Match), with _match, the equality they share
(and the adverbs' converge tests).
"""
import torch

from klongtorch.value.errors import err
from klongtorch.value.values import (UNDEF, Char, Dict, Tensor, int_tensor, is_atom, is_empty,
                                     items_of, key_of, mklist)
from klongtorch.verbs.listargs import is_number, stored_key
from klongtorch.verbs.pervade import INT


def find(a, b):
    """a?b  Find
    The positions where b occurs in list a; with strings, where substring b starts. On a
    dictionary, the value for key b (:undefined if missing).
    Examples: [1 2 3 1]?1 --> [0 3]    "xyyyyz"?"yy" --> [1 2 3]    :{[1 2]}?1 --> 2"""
    f = _FINDS.get(type(a))
    if f is None:
        raise err("find", "type", a)
    return f(a, b)


def _find_key(a, b):
    if type(b) is Dict:
        raise err("find", "type", [a, b])
    try:
        return a.get(key_of(b), UNDEF)
    except TypeError:               # a list holding a dictionary: no key is one
        return UNDEF


def _find_text(a, b):
    if type(b) is str:
        if not b:
            return int_tensor(list(range(len(a) + 1)))
        hits = [i for i in range(len(a) - len(b) + 1) if a.startswith(b, i)]
    elif type(b) is Char:
        hits = [i for i, c in enumerate(a) if c == b]
    else:
        raise err("find", "type", [a, b])     # as kg: a string holds only text
    return int_tensor(hits) if hits else []


def _find_tensor(a, b):
    if a.dim() == 0:
        raise err("find", "type", a)
    if type(b) is int and not -2 ** 63 <= b < 2 ** 63:
        return []                   # a bignum is in no tensor
    if not (is_number(b) and a.dim() == 1 or type(b) is Tensor and b.shape == a.shape[1:]):
        return []                   # a number is no row of a matrix: [[0] [1]]?1 is []
    bt = b if type(b) is Tensor else torch.tensor(b, device=a.device)
    eq = a == bt
    if eq.dim() > 1:
        eq = eq.flatten(1).all(1)
    r = torch.nonzero(eq).flatten()
    return r if r.numel() else []


def _find_item(a, b):
    hits = [i for i, e in enumerate(a) if match(e, b)]
    return int_tensor(hits) if hits else []


# a?b by a's type: each kind of container is searched its own way
_FINDS = {Dict: _find_key, str: _find_text, Tensor: _find_tensor, list: _find_item}


def group(a):
    """=a  Group
    A list of groups, one for each distinct element of a (in order of first appearance),
    each holding the indices where that element occurs.
    Examples: =[1 2 1 3] --> [[0 2] [1] [3]]    ="hello" --> [[0] [1] [2 3] [4]]"""
    if is_atom(a):
        if is_empty(a):
            return []
        raise err("group", "type", a)
    groups = {}
    for i, e in enumerate(items_of(a)):
        groups.setdefault(stored_key(e), []).append(i)
    return mklist([int_tensor(g) for g in groups.values()])


def range_(a):
    """?a  Range
    The unique elements of a list or string, in order of first appearance.
    Examples: ?[1 2 1 3 1] --> [1 2 3]    ?"aaabbcccd" --> "abcd\""""
    t = type(a)
    if t is str:
        return "".join(dict.fromkeys(a))
    if t is Tensor and a.dim() >= 1:
        return _unique_rows(a) if a.shape[0] else []
    if t is list:
        seen = {}
        for e in a:
            seen.setdefault(stored_key(e), e)
        return mklist(list(seen.values()))
    raise err("range", "type", a)


def _unique_rows(a):
    # unique has no derivative, so find where each distinct element first occurs and
    # index a there: the result is a's own elements, and gradients flow back to them
    u, inv = torch.unique(a.detach(), sorted=True, return_inverse=True, dim=0)
    n = a.shape[0]
    firsts = torch.full((u.shape[0],), n, dtype=INT, device=a.device)
    firsts = firsts.scatter_reduce(0, inv, torch.arange(n, device=a.device), "amin")
    return a[torch.sort(firsts).values]


def match(a, b):
    """a~b  Match
    1 if a and b are the same: like = but for whole lists too, and reals match when they are
    equal up to a small relative error.
    Examples: [1 2 3]~[1 2 3] --> 1    "foo"~"foo" --> 1    [1 [2] 3]~[1 [4] 3] --> 0"""
    return int(_match(a, b))


REL_TOL = {torch.float64: 1e-13, torch.float32: 1e-6, torch.float16: 1e-3, torch.bfloat16: 1e-2}


def _num_match(x, y, tol=1e-13):
    if type(x) is int and type(y) is int:
        return x == y
    if x == y:
        return True
    return abs(x - y) <= tol * max(abs(x), abs(y))


def _tensor_match(a, b):
    if a.shape != b.shape:
        return a.shape[0] == 0 and b.shape[0] == 0
    if a.dtype.is_floating_point or b.dtype.is_floating_point:
        tol = max(REL_TOL.get(a.dtype, 0), REL_TOL.get(b.dtype, 0), 1e-13)
        wide = torch.float32 if a.device.type == "mps" else torch.float64   # MPS: no float64
        a, b = a.detach().to(wide), b.detach().to(device=a.device, dtype=wide)
        return bool((torch.abs(a - b) <= tol * torch.maximum(a.abs(), b.abs())).logical_or(a == b).all())
    return bool(torch.equal(a, b.to(a.device)))


def _items_match(a, b):
    xs, ys = items_of(a), items_of(b)
    return len(xs) == len(ys) and all(_match(x, y) for x, y in zip(xs, ys))


def _same_match(a, b):
    """Two values that are not numbers, tensors or lists: equal values of one type."""
    if type(a) is not type(b):
        return False
    if type(a) is Dict:
        return a.keys() == b.keys() and all(_match(a[k], b[k]) for k in a)
    return a == b


# How two values match by their types: numbers by tolerance, tensors whole, lists (and a
# list beside a tensor) element-wise; any other pair by _same_match. A table rather than an
# if-chain, keyed by the pair of types so that a match costs one lookup.
_MATCHES = {(int, int): _num_match, (int, float): _num_match, (float, int): _num_match,
            (float, float): _num_match, (Tensor, Tensor): _tensor_match,
            (Tensor, list): _items_match, (list, Tensor): _items_match,
            (list, list): _items_match}


def _match(a, b):
    # 0-d tensors as numbers, unboxed here rather than by unbox(): the converge adverbs
    # match once a step, and the two calls were a third of a small match's time
    if type(a) is Tensor and a.dim() == 0:
        a = a.item()
    if type(b) is Tensor and b.dim() == 0:
        b = b.item()
    return _MATCHES.get((type(a), type(b)), _same_match)(a, b)
