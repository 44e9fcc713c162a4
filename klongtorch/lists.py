"""Structural verbs: the operators that build, reorder, search and reshape lists.

Each function is one primitive and its docstring is its help. Tensors take a torch path
(so gradients flow through indexing, take, drop, join, reshape, rotate, transpose and amend);
general lists, strings and dictionaries take a plain Python path.
"""
import functools
import math

import torch

from . import dialect
from .display import show, show_real
from .errors import KlongError, err
from .pervade import INT, with_bound
from .values import (UNDEF, Char, Dict, Symbol, Tensor, carries_grad, ctx, int_tensor, is_atom,
                     is_empty, items_of, key_of, mklist, mkstring, scalar)


def _seq(v):
    """True for lists, strings and non-scalar tensors."""
    t = type(v)
    return t is list or t is str or (t is Tensor and v.dim() > 0)


def _empty_like(v):
    return "" if type(v) is str else []


def _elem(t, i):
    """Element i of a tensor as a Klong value: a number for a vector, a row otherwise."""
    r = t[i]
    return scalar(r) if r.dim() == 0 else r


def _int(v, name):
    """An integer argument (a Python int, or an integral 0-d tensor)."""
    if type(v) is int:
        return v
    if type(v) is Tensor and v.dim() == 0 and not v.dtype.is_floating_point:
        return int(v)
    raise err(name, "type", v)


# The most elements a verb builds as a Python list, and as a tensor. Past these the answer
# could not fit in memory anyway, so the count is a range error at once, before minutes
# of building (kg fails the same way, later, on its memory limit).
MAX_LIST = 1 << 26
MAX_TENSOR = 1 << 40


def _count(n, name, culprit, limit=MAX_LIST):
    """n, when a list of |n| elements can be built; else a range error naming culprit."""
    if not -limit <= n <= limit:
        raise err(name, "range", culprit)
    return n


def _index_tensor(v, name):
    """An index list (or index) as an int64 tensor."""
    if type(v) is Tensor:
        if v.dtype.is_floating_point:
            raise err(name, "type", v)
        return v
    if type(v) is list:
        if not v:
            return torch.zeros(0, dtype=INT, device=ctx.device)
        if all(type(e) is int for e in v):
            # a bignum is no position or count of any list: name it, before torch refuses it
            huge = next((e for e in v if not -2 ** 63 <= e < 2 ** 63), None)
            if huge is not None:
                raise err(name, "range", huge)
            return int_tensor(v)
    raise err(name, "type", v)


# -- monads -----------------------------------------------------------------------------------

def atom(a):
    """@a  Atom
    1 if a is an atom, else 0. Everything but non-empty lists and strings is an atom.
    Examples: @123 --> 1    @[] --> 1    @[1 2 3] --> 0    @"" --> 1"""
    return int(is_atom(a))


def enlist(a):
    """,a  List
    a packaged in a one-element list.
    Examples: ,1 --> [1]    ,:foo --> [:foo]    ,"xyz" --> ["xyz"]    ,[1] --> [[1]]"""
    t = type(a)
    if t is Tensor:
        return a.unsqueeze(0)
    if t is Char:
        return str(a)
    return mklist([a])


def enumerate_(a):
    """!a  Enumerate
    The integers from 0 to a-1.
    Examples: !0 --> []    !5 --> [0 1 2 3 4]"""
    if type(a) is int and 0 < a <= MAX_TENSOR:        # the usual case, without the checks
        n = a
    else:
        n = _count(_int(a, "enumerate"), "enumerate", a, MAX_TENSOR)
        if n < 0:
            raise err("enumerate", "range", a)
        if n == 0:
            return []
    return with_bound(torch.arange(n, dtype=INT, device=ctx.device), n - 1)


def size(a):
    """#a  Size
    The number of elements of a list or characters of a string; the magnitude of a number;
    the code of a character; the number of entries of a dictionary.
    Examples: #[1 2 3] --> 3    #"hello" --> 5    #-123 --> 123    #0cA --> 65"""
    t = type(a)
    if t is list or t is str or t is Dict:
        return len(a)
    if t is Char:
        return ord(a)
    if t is int or t is float:
        return abs(a)
    if t is Tensor:
        return a.shape[0] if a.dim() else (a.abs() if carries_grad(a) else abs(a.item()))
    raise err("size", "type", a)


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
        return _elem(a, 0) if a.shape[0] else []
    return a


def reverse(a):
    """|a  Reverse
    The elements of a list, or characters of a string, in reverse order; atoms unchanged.
    Examples: |[1 2 3] --> [3 2 1]    |"hello" --> "olleh"    |1 --> 1"""
    t = type(a)
    if t is list or t is str:
        return a[::-1]
    if t is Tensor and a.dim() > 0:
        return torch.flip(a, (0,))
    return a


def shape(a):
    """^a  Shape
    The shape of an array as a list of dimensions, 0 for an atom. The elements of a list
    contribute the part of their shapes that they all share, so a ragged list is a vector; a
    one-element list has shape [1] (as in kg).
    Examples: ^1 --> 0    ^[1 2 3] --> [3]    ^[[1 2] [3 4] [5 6]] --> [3 2]    ^["ab" "cd"] --> [2 2]"""
    if type(a) is str:
        return int_tensor([len(a)]) if a else 0
    if is_atom(a):
        return 0
    if type(a) is Tensor:
        return int_tensor(list(a.shape) if a.shape[0] != 1 else [1])
    return int_tensor(_shape(a))


def _shape(a):
    t = type(a)
    if t is Tensor:
        return (list(a.shape) if a.shape[0] != 1 else [1]) if a.dim() else []
    if t is str:
        return [len(a)]
    if t is not list or not a:
        return []
    if len(a) == 1:
        return [1]
    common = _shape(a[0])
    for e in a[1:]:
        if not common:
            break
        s = _shape(e)
        n = 0
        while n < len(common) and n < len(s) and common[n] == s[n]:
            n += 1
        common = common[:n]
    return [len(a)] + common


def transpose(a):
    """+a  Transpose
    The transpose of a matrix. The atoms of a list (strings among them) repeat in every
    column; a list without lists is returned unchanged. Rows of different lengths are a
    shape error, an atom a type error.
    Examples: +[[1 2 3] [4 5 6]] --> [[1 4] [2 5] [3 6]]    +[[1] [2] [3]] --> [[1 2 3]]"""
    t = type(a)
    if t is Tensor and a.dim() > 0:
        return a if a.dim() < 2 else a.transpose(0, 1)
    if t is not list:
        raise err("transpose", "type", a)
    rows = [items_of(r) if _seq(r) and type(r) is not str else None for r in a]
    lists = [r for r in rows if r is not None]
    if not any(lists):
        return a
    n = min(len(r) for r in lists)
    if any(len(r) > n for r in lists):
        raise err("transpose", "shape", a)
    if n == 0:
        return [[]]
    return mklist([mklist([r[i] if r is not None else e for r, e in zip(rows, a)])
                   for i in range(n)])


# Klong's order for grading mixed data: numbers < characters < strings < symbols < lists.
_RANK = {int: 0, float: 0, Char: 1, str: 2, Symbol: 3, list: 4, Tensor: 4}


def compare(a, b):
    """-1, 0 or 1: the order that < and > use to grade, extended to lists element-wise;
    values of two kinds are a type error."""
    ta, tb = type(a), type(b)
    if ta is Tensor and a.dim() == 0:
        a, ta = a.item(), type(a.item())
    if tb is Tensor and b.dim() == 0:
        b, tb = b.item(), type(b.item())
    ra, rb = _RANK.get(ta, 5), _RANK.get(tb, 5)
    if ra == 4 and rb == 4:
        xs, ys = items_of(a), items_of(b)
        for x, y in zip(xs, ys):
            c = compare(x, y)
            if c:
                return c
        return (len(xs) > len(ys)) - (len(xs) < len(ys))
    if ra != rb:                # as kg: a number and a symbol, a string and a list... have
        raise err("grade", "type", b)       # no order
    if ta is Symbol:
        a, b = a.name, b.name
    elif ra == 5:
        return 0
    return (a > b) - (a < b)


def _grade(a, name):
    t = type(a)
    if t is Tensor and a.dim() >= 1:
        if a.dim() == 1:
            return with_bound(torch.argsort(a, stable=True), max(a.shape[0] - 1, 0))
        return int_tensor(_sort_indices(items_of(a)))
    if t is list or t is str:
        return int_tensor(_sort_indices(items_of(a))) if a else []
    raise err(name, "type", a)


def _sort_indices(xs):
    keyed = functools.cmp_to_key(lambda i, j: compare(xs[i], xs[j]))
    return sorted(range(len(xs)), key=keyed)


def grade_up(a):
    """<a  Grade-Up
    The indices that put a list (or the characters of a string) in ascending order; equal
    elements keep their order. a@<a sorts a. Lists compare element by element.
    Examples: <[3 1 2] --> [1 2 0]    <"hello" --> [1 0 2 3 4]"""
    return _grade(a, "grade-up")


def grade_down(a):
    """>a  Grade-Down
    The indices that put a list in descending order: the reverse of <a.
    Examples: >[1 3 2] --> [1 2 0]    >"foobar" --> [5 2 1 0 3 4]"""
    g = _grade(a, "grade-down")
    return torch.flip(g, (0,)) if type(g) is Tensor else g


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
        groups.setdefault(_stored_key(e), []).append(i)
    return mklist([int_tensor(g) for g in groups.values()])


def range_(a):
    """?a  Range
    The unique elements of a list or string, in order of first appearance.
    Examples: ?[1 2 1 3 1] --> [1 2 3]    ?"aaabbcccd" --> "abcd\""""
    t = type(a)
    if t is str:
        return "".join(dict.fromkeys(a))
    if t is Tensor and a.dim() >= 1:
        if a.shape[0] == 0:
            return []
        # unique has no derivative, so find where each distinct element first occurs and
        # index a there: the result is a's own elements, and gradients flow back to them
        u, inv = torch.unique(a.detach(), sorted=True, return_inverse=True, dim=0)
        n = a.shape[0]
        firsts = torch.full((u.shape[0],), n, dtype=INT, device=a.device)
        firsts = firsts.scatter_reduce(0, inv, torch.arange(n, device=a.device), "amin")
        return a[torch.sort(firsts).values]
    if t is list:
        seen = {}
        for e in a:
            seen.setdefault(_stored_key(e), e)
        return mklist(list(seen.values()))
    raise err("range", "type", a)


def where(a):
    """&a  Expand/Where
    A list holding i as many times as a says at position i; for a list of truth values,
    the indices of the true ones. A single integer n gives n zeros.
    Examples: &[1 2 3] --> [0 1 1 2 2 2]    &[0 1 0 1] --> [1 3]    &3 --> [0 0 0]"""
    t = type(a)
    if t is int:
        if a < 0:
            raise err("expand", "range", a)
        _count(a, "expand", a, MAX_TENSOR)
        return with_bound(torch.zeros(a, dtype=INT, device=ctx.device), 0) if a else []
    counts = _index_tensor(a, "expand") if t is not Tensor or a.dim() else None
    if counts is None:
        return where(_int(a, "expand"))
    if counts.dim() != 1:
        raise err("expand", "type", a)
    if counts.numel() == 0:
        return []
    if bool((counts < 0).any()):
        raise err("expand", "range", a)
    if int(counts.max()) > MAX_TENSOR or int(counts.sum()) > MAX_TENSOR:
        raise err("expand", "range", a)
    r = torch.repeat_interleave(torch.arange(counts.shape[0], device=counts.device), counts)
    return with_bound(r, counts.shape[0]) if r.numel() else []


def undefined(a):
    """:_a  Undefined
    1 if a is the undefined value (e.g. 1%0, or a missing dictionary key), else 0.
    Examples: :_1%0 --> 1    :_:{[1 2]}?3 --> 1    :_1 --> 0"""
    return int(a is UNDEF)


# -- dyads ------------------------------------------------------------------------------------

def join(a, b):
    """a,b  Join
    Join lists, or strings, into one. An atom is attached to the front or end of a list; a
    dictionary takes a [key value] tuple (replacing any entry with that key, in place), and is
    otherwise attached like an atom; two atoms form a pair.
    Examples: [1 2],[3 4] --> [1 2 3 4]    1,[2 3] --> [1 2 3]    "ab",0cc --> "abc"    1,2 --> [1 2]"""
    ta, tb = type(a), type(b)
    if ta is Dict and _is_pair(b):
        return _dict_put(a, b, "join")
    if tb is Dict and _is_pair(a):
        return _dict_put(b, a, "join")
    # any other dictionary is attached like an atom: 3,:{[1 2]} --> [3 :{[1 2]}]
    if ta is str:
        if tb is str or tb is Char:
            return a + b
        if tb is list or (tb is Tensor and b.dim() > 0):
            return mklist([a] + items_of(b))
        return mklist([a, b])
    if ta is Char and tb is Char:
        return a + b                     # two characters join into a string, as in kg
    if tb is str:
        if ta is Char:
            return a + b
        if ta is list or (ta is Tensor and a.dim() > 0):
            return mklist(items_of(a) + [b])
        return mklist([a, b])
    la = ta is list or (ta is Tensor and a.dim() > 0)
    lb = tb is list or (tb is Tensor and b.dim() > 0)
    if la and lb:
        if ta is Tensor and tb is Tensor:
            if a.dtype.is_floating_point == b.dtype.is_floating_point or carries_grad(a) \
                    or carries_grad(b):
                return _cat(a, b)
            return mklist(items_of(a) + items_of(b))     # integers beside reals keep their types
        if ta is list and not a:
            return b
        if tb is list and not b:
            return a
        return mklist(items_of(a) + items_of(b))
    if la:
        if ta is Tensor and a.dim() == 1 and _joins(b, a):
            return _cat(a, _as_1d(b, a))
        return mklist(items_of(a) + [b])
    if lb:
        if tb is Tensor and b.dim() == 1 and _joins(a, b):
            return _cat(_as_1d(a, b), b)
        return mklist([a] + items_of(b))
    return mklist([a, b])


def _is_number(v):
    t = type(v)
    return t is int or t is float or (t is Tensor and v.dim() == 0)


def _joins(v, t):
    """Whether number v joins tensor t as one more element of the same type (a bignum, or an
    integer beside reals, makes a general list instead)."""
    if type(v) is Tensor:
        return v.dim() == 0
    return _fits(v, t.dtype)


def _fits(v, dtype):
    """Whether Python number v can be stored in a tensor of dtype as it is."""
    t = type(v)
    if t is int:
        return not dtype.is_floating_point and -(1 << 63) <= v < (1 << 63)
    return t is float and dtype.is_floating_point


def _as_1d(v, like):
    if type(v) is Tensor:
        return v.reshape(1)
    dtype = like.dtype if not (type(v) is float and not like.dtype.is_floating_point) else ctx.real
    try:
        return torch.tensor([v], dtype=dtype, device=like.device)
    except (OverflowError, RuntimeError, ValueError):
        return None


def _cat(a, b):
    if a is None or b is None:
        raise OverflowError
    if a.shape[0] == 0:
        return b
    if b.shape[0] == 0:
        return a
    if a.dim() != b.dim() or a.shape[1:] != b.shape[1:]:
        return mklist(items_of(a) + items_of(b))
    if a.dtype != b.dtype:
        a, b = (a.to(ctx.real) if not a.dtype.is_floating_point else a,
                b.to(ctx.real) if not b.dtype.is_floating_point else b)
        if a.dtype != b.dtype:
            b = b.to(a.dtype)
    r = torch.cat((a, b))
    if not r.dtype.is_floating_point and hasattr(a, "_kb") and hasattr(b, "_kb"):
        with_bound(r, max(a._kb, b._kb))
    return r


def _is_pair(v):
    """A two-element list (not a string): what joins into a dictionary as an entry."""
    t = type(v)
    return (t is list and len(v) == 2) or (t is Tensor and v.dim() > 0 and v.shape[0] == 2)


def _dict_put(d, entry, name):
    if not (_seq(entry) and len(items_of(entry)) == 2):
        raise err(name, "type", entry)
    k, v = items_of(entry)
    d[_stored_key(k)] = v
    return d


def _stored_key(k):
    """key_of(k), when k can be a key: a dictionary (or a list holding one) cannot, as in kg."""
    key = key_of(k)
    try:
        hash(key)
    except TypeError:
        from .errors import _show
        raise KlongError(f"kg: error: bad dictionary key: {_show(k)}") from None
    return key


def take(a, b):
    """a#b  Take
    The first a elements of list b (the last -a when a is negative), cycling through b when
    a is larger than #b.
    Examples: 2#[1 2 3] --> [1 2]    5#[1 2 3] --> [1 2 3 1 2]    (-2)#"abcdef" --> "ef\""""
    n = _int(a, "take")
    tb = type(b)
    if not _seq(b):
        raise err("take", "type", b)     # kg takes only from lists and strings
    if tb is Tensor:
        m = b.shape[0]
        _count(n, "take", a, MAX_TENSOR if abs(n) <= m else MAX_TENSOR // max(b[0].numel(), 1))
        if n == 0 or m == 0:
            return []
        if 0 <= n <= m:
            return b[:n]
        if -m <= n < 0:
            return b[m + n:]
        idx = torch.arange(abs(n), device=b.device)
        idx = (idx % m) if n > 0 else ((idx - abs(n)) % m)
        return b[idx]
    seq = b
    m = len(seq)
    if m:
        _count(n, "take", a)
    if n == 0 or m == 0:
        return _empty_like(b)
    if n > 0:
        out = seq[:n] if n <= m else [seq[i % m] for i in range(n)]
    else:
        k = -n
        out = seq[m - k:] if k <= m else [seq[(i - k) % m] for i in range(k)]
    if tb is str:
        return out if type(out) is str else "".join(out)
    return mklist(list(out))


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
    n = _count(_int(a, "drop"), "drop", a, MAX_TENSOR)     # kg wraps a huge one: see README
    tb = type(b)
    if tb is Tensor and b.dim() > 0:
        r = b[n:] if n >= 0 else b[:max(b.shape[0] + n, 0)]
        return r if r.shape[0] else []
    if tb is str or tb is list:
        r = b[n:] if n >= 0 else b[:max(len(b) + n, 0)]
        return r
    raise err("drop", "type", b)


def index(a, b):
    """a@b  Index/Apply
    The element of list a at position b, or a list of the elements at the positions in
    list b. When a is a function, apply it to b (or to the elements of list b as arguments).
    Examples: [1 2 3 4]@2 --> 3    "hello"@[1 0] --> "eh"    {x+y}@[2 3] --> 5"""
    from .functions import apply_list, is_function
    if is_function(a):
        return apply_list(a, b)
    ta = type(a)
    if ta is Dict:
        raise err("index", "type", operands=(a, b),      # kg: a dictionary is read with ?
                  text="a dictionary is read with ?, as in d?k")
    if not _seq(a):
        # the usual cause is an each that already took the elements apart: {x@0}'[10 20]
        from .functions import _brief
        raise err("index", "type", operands=(a, b),
                  text=f"{_brief(a)} is an atom; only lists and strings can be indexed (a "
                       "dictionary with ?)")
    tb = type(b)
    if tb is int:
        n = len(a) if ta is not Tensor else a.shape[0]
        i = b if b >= 0 else dialect.position(b, n)     # a@-1 in the KlongPy dialect
        if not 0 <= i < n:
            raise err("index", "range", b)
        if ta is str:
            return Char(a[i])
        if ta is list:
            return a[i]
        return _elem(a, i)
    if tb is list and not b:
        return _empty_like(a)
    if tb is Tensor or (tb is list and all(type(e) is int for e in b)):
        idx = _index_tensor(b, "index")
        if idx.dim() == 0:
            return index(a, int(idx))
        n = len(a) if ta is not Tensor else a.shape[0]
        if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= n):
            idx = dialect.positions(idx, n)             # the KlongPy dialect's a@-1
            if int(idx.min()) < 0 or int(idx.max()) >= n:
                raise err("index", "range", b)
        if ta is Tensor:
            return a[idx.to(a.device)]
        if ta is str:
            return mkstring([Char(a[i]) for i in idx.tolist()]) if idx.dim() == 1 else \
                mklist([index(a, r) for r in idx.unbind(0)])
        flat = idx.tolist()
        return mklist([a[i] for i in flat]) if idx.dim() == 1 else \
            mklist([index(a, r) for r in idx.unbind(0)])
    if tb is list:
        return mklist([index(a, e) for e in b])
    raise err("index", "type", operands=(a, b))


def index_depth(a, b):
    """a:@b  Index-in-Depth
    The single element of a multi-dimensional array a at the indices in list b, one per
    dimension. When a is a function, the same as @.
    Examples: [[1 2] [3 4]]:@[0 1] --> 2    {y+x*x}:@[2 3] --> 7"""
    from .functions import is_function
    if is_function(a):
        return index(a, b)
    if type(a) is str or type(b) is str or type(b) is list and not b or not _seq(a):
        raise err("index-in-depth", "type", [a, b])     # as kg: a list, by a list or an int
    if type(a) is Tensor and type(b) is Tensor and b.dim() == 1 and b.shape[0] <= a.dim() \
            and not b.dtype.is_floating_point:
        # each index within its axis: torch would also take a negative one from the end,
        # which only the KlongPy dialect does (klongtorch.dialect)
        where = [dialect.position(i, n) for i, n in zip(b.tolist(), a.shape)]
        if not all(0 <= i < n for i, n in zip(where, a.shape)):
            raise err("index-in-depth", "range", b)
        r = a[tuple(where)]
        return scalar(r) if r.dim() == 0 else r
    for i in items_of(b) if _seq(b) else [b]:
        if type(i) is not int and not (type(i) is Tensor and i.dim() == 0):
            raise err("index-in-depth", "type", i)      # one integer per axis
        if type(a) is str or not _seq(a):
            raise err("index-in-depth", "shape", a)     # as kg: a string is one element here
        a = index(a, i)
    return a


def amend(a, b):
    """a:=b  Amend
    A copy of list (or string) a with the value b1 placed at each position b2..bN. When a
    and b1 are strings, b1 replaces a substring at each position, growing a as needed.
    Examples: [1 2 3]:=0,1 --> [1 0 3]    "-----":=0cx,[1 3] --> "-x-x-"    "abc":="def",3 --> "abcdef\""""
    if type(b) is str or not _seq(a) and type(a) is not list:
        # as kg: the target is a list or a string, the amendment a list (not a string), even
        # when there is nothing to amend (0c0:="" and "":="a" are type errors)
        raise err("amend", "type", [a, b])
    parts = items_of(b) if _seq(b) else None
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
    if type(a) is Tensor and a.dim() == 1 and not a.requires_grad and _fits(v, a.dtype):
        j = i if i >= 0 else dialect.position(i, a.shape[0])
        if not 0 <= j < a.shape[0]:
            raise err("amend", "range", i)
        return _with_one(a, v, j)
    if not _seq(a) and type(a) is not list:
        raise err("amend", "type", [a, mklist([v, i])])
    return _amend_at(a, v, [i])


_NUMPY_DTYPES = frozenset({torch.int64, torch.float64, torch.float32})
_recording = getattr(torch._C, "_len_torch_dispatch_stack", lambda: 1)


def _host_store(t):
    """Whether t's memory may be written through NumPy: a CPU tensor of a Klong number
    dtype that no torch mode is recording (make_fx in .compile sees every torch call, and a
    NumPy write is none), with no gradient and no torch.func transform wrapping it. A NumPy
    store costs 0.1 us where t[i] = v costs 4."""
    return t.is_cpu and t.dtype in _NUMPY_DTYPES and not carries_grad(t) and not _recording()


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
        s = a
        vs = v if type(v) is str else (v if type(v) is Char else None)
        if vs is None:
            raise err("amend", "type", v)
        for i in idxs:
            if not 0 <= i <= len(s) or (i == len(s) and type(v) is Char):
                raise err("amend", "range", i)
            s = s[:i] + vs + s[i + len(vs):]
        return s
    # out of place with index_put, so gradients reach both a and the new value; an element
    # that does not fit a's rows (an atom into a matrix) or its type (as in kg, [1 2]:=3.5,1
    # is [1 3.5]) makes a general list below
    if ta is Tensor and a.dim() > 0 and (a.dim() == 1 and _is_number(v) and _joins(v, a) or
                                         type(v) is Tensor and v.shape == a.shape[1:]):
        n = a.shape[0]
        if ctx.klongpy:                 # negative positions count from the end
            idxs = [dialect.position(i, n) for i in idxs]
        for i in idxs:
            if not 0 <= i < n:
                raise err("amend", "range", i)
        if not idxs:
            return a
        if len(idxs) == 1 and not a.requires_grad and _fits(v, a.dtype):
            # one number, no gradient: a copy and a store is a fifth of index_put's cost
            return _with_one(a, v, idxs[0])
        vt = v if type(v) is Tensor else torch.tensor(v, device=a.device,
                                                          dtype=ctx.real if type(v) is float else a.dtype)
        out = a
        if vt.dtype.is_floating_point and not out.dtype.is_floating_point:
            out = out.to(vt.dtype)
        out = out.index_put((torch.tensor(idxs, device=a.device),), vt.to(out.dtype))
        return out
    if ta is list or ta is Tensor and a.dim() > 0:
        xs = list(items_of(a))
        if ctx.klongpy:
            idxs = [dialect.position(i, len(xs)) for i in idxs]
        for i in idxs:
            if not 0 <= i < len(xs):
                raise err("amend", "range", i)
            xs[i] = v
        return mklist(xs)
    raise err("amend", "type", a)


def amend_depth(a, b):
    """a:-b  Amend-in-Depth
    Like :=, but replaces the single element of the multi-dimensional array a at the indices
    b2..bN, one per dimension, by b1.
    Examples: [[1 2] [3 4]]:-42,[0 1] --> [[1 42] [3 4]]"""
    parts = items_of(b) if _seq(b) else None
    if not parts or len(parts) < 2:
        raise err("amend-in-depth", "type", b)
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
    i = idxs[0]
    if len(idxs) == 1:
        return amend(a, mklist([v, i]))
    if _seq(a):
        i = dialect.position(i, len(items_of(a)))
    if not _seq(a) or not 0 <= i < len(items_of(a)):
        raise err("amend-in-depth", "range", i)
    inner = _amend_path(index(a, i), v, idxs[1:])
    return amend(a, [inner, i])


def cut(a, b):
    """a:_b  Cut
    Cut list b before each position in a (an integer or an ascending list of integers).
    Examples: 2:_[1 2 3 4] --> [[1 2] [3 4]]    [2 3 5]:_"abcdef" --> ["ab" "c" "de" "f"]"""
    if not _seq(b) and not is_empty(b):
        raise err("cut", "type", b)
    pos = [_int(a, "cut")] if not _seq(a) and not (type(a) is list) else \
        [_int(p, "cut") for p in items_of(a)]
    n = len(b) if type(b) is not Tensor else b.shape[0]
    if n == 0:                    # cutting nothing gives one empty piece per cut
        return [_empty_like(b) for _ in range(max(len(pos), 1))]
    prev = 0
    out = []
    for p in pos:
        if p < prev or p > n:
            raise err("cut", "range", a)
        out.append(_slice(b, prev, p))
        prev = p
    out.append(_slice(b, prev, n))
    return mklist(out) if not any(type(o) is str for o in out) else out


def _slice(b, i, j):
    if type(b) is Tensor:
        r = b[i:j]
        return r if r.shape[0] else []
    return b[i:j]


def split(a, b):
    """a:#b  Split
    Split list b into pieces of the size a, or of the sizes in list a, used in turn. The last
    piece may be shorter.
    Examples: 2:#[1 2 3 4] --> [[1 2] [3 4]]    [1 2]:#[1 2 3 4 5 6] --> [[1] [2 3] [4] [5 6]]"""
    if type(a) is list and a and is_empty(b):
        return []               # as kg: nothing to split, whatever the list of sizes holds
    sizes = [_int(s, "split") for s in items_of(a)] if _seq(a) else [_int(a, "split")]
    if not sizes or any(s <= 0 for s in sizes):
        raise err("split", "range", a)
    if not _seq(b):
        if is_empty(b):
            return []
        raise err("split", "type", b)
    n = len(b) if type(b) is not Tensor else b.shape[0]
    out, i, k = [], 0, 0
    while i < n:
        s = sizes[k % len(sizes)]
        out.append(_slice(b, i, i + s))
        i += s
        k += 1
    return mklist(out) if not any(type(o) is str for o in out) else out


def reshape(a, b):
    """a:^b  Reshape
    Arrange the elements of b (repeated as needed) into an array of shape a. A -1 in the
    shape stands for whatever size uses the elements of b once. 0:^b is b.
    Examples: [2 3]:^!6 --> [[0 1 2] [3 4 5]]    3:^1 --> [1 1 1]    [-1 2]:^!6 --> [[0 1] [2 3] [4 5]]"""
    dims = [_int(d, "reshape") for d in items_of(a)] if _seq(a) else [_int(a, "reshape")]
    if not dims:
        raise err("reshape", "type", a)
    if dims == [0] and not _seq(a):
        return b
    if 0 in dims:
        raise err("reshape", "range", 0)    # as kg: no axis of length 0 ([2 0]:^x)
    if is_empty(b) and type(b) is not str and -1 not in dims:
        b = [b]                 # as kg: an empty list is repeated whole (2:^[] is [[] []])
    if type(b) is Tensor and b.dim() > 0:
        src = b
        unit = b.shape[1:]
        count = b.shape[0]
    elif type(b) is str:
        src, unit, count = b, (), len(b)
    elif type(b) is list:
        src, unit, count = b, (), len(b)
    else:
        src, unit, count = [b], (), 1
    if count == 0:                          # "" (kg answers nonsense) or [-1 2]:^[]
        raise err("reshape", "range", b if -1 not in dims else a)
    if dims.count(-1) > 1 or any(d < -1 for d in dims):
        raise err("reshape", "range", a)
    if -1 in dims:                # the reference: -1 stands for half the size of the source
        dims[dims.index(-1)] = count // 2
    total = _count(math.prod(dims), "reshape", a,
                   MAX_TENSOR // max(math.prod(unit), 1) if type(src) is Tensor else MAX_LIST)
    if type(src) is Tensor:
        idx = torch.arange(total, device=src.device) % count
        return src[idx].reshape(tuple(dims) + tuple(unit))
    flat = [src[i % count] for i in range(total)]
    if type(src) is str:
        flat = [Char(c) for c in flat]
    return _nest(flat, dims)


def _nest(flat, dims):
    if len(dims) == 1:
        return mkstring(flat)            # characters reshaped are a string, as in kg
    step = math.prod(dims[1:])
    return mklist([_nest(flat[i * step:(i + 1) * step], dims[1:]) for i in range(dims[0])])


def rotate(a, b):
    """a:+b  Rotate
    Rotate list b by a places: to the right (taking from the end) when a is positive, to the
    left when negative.
    Examples: 1:+[1 2 3 4 5] --> [5 1 2 3 4]    (-1):+[1 2 3 4 5] --> [2 3 4 5 1]"""
    if type(b) is str and not b and type(a) is not int and \
            not (type(a) is Tensor and a.dim() == 0 and not a.dtype.is_floating_point):
        raise err("rotate", "type", [a, b])     # as kg, which lets [] and atoms through
    if not _seq(b) or is_empty(b):
        return b                         # an atom (or []) rotates into itself, whatever a is
    n = _int(a, "rotate")
    if not -2 ** 63 <= n < 2 ** 63:
        raise err("rotate", "range", a)  # kg wraps a bignum to a machine word: no answer
    if type(b) is Tensor and b.dim() > 0:
        return torch.roll(b, n, 0) if b.shape[0] else b
    if type(b) is str or type(b) is list:
        if not b:
            return b
        k = n % len(b)
        return b[-k:] + b[:-k] if k else b
    return b


def find(a, b):
    """a?b  Find
    The positions where b occurs in list a; with strings, where substring b starts. On a
    dictionary, the value for key b (:undefined if missing).
    Examples: [1 2 3 1]?1 --> [0 3]    "xyyyyz"?"yy" --> [1 2 3]    :{[1 2]}?1 --> 2"""
    ta = type(a)
    if ta is Dict:
        if type(b) is Dict:
            raise err("find", "type", [a, b])
        try:
            return a.get(key_of(b), UNDEF)
        except TypeError:               # a list holding a dictionary: no key is one
            return UNDEF
    if ta is str:
        if type(b) is str:
            if not b:
                return int_tensor(list(range(len(a) + 1)))
            hits = [i for i in range(len(a) - len(b) + 1) if a.startswith(b, i)]
        elif type(b) is Char:
            hits = [i for i, c in enumerate(a) if c == b]
        else:
            raise err("find", "type", [a, b])     # as kg: a string holds only text
        return int_tensor(hits) if hits else []
    if ta is Tensor and a.dim() > 0:
        if type(b) is int and not -2 ** 63 <= b < 2 ** 63:
            return []                   # a bignum is in no tensor
        if _is_number(b) or (type(b) is Tensor and b.shape == a.shape[1:]):
            bt = b if type(b) is Tensor else torch.tensor(b, device=a.device)
            eq = a == bt
            if eq.dim() > 1:
                eq = eq.flatten(1).all(1)
            r = torch.nonzero(eq).flatten()
            return r if r.numel() else []
        return []
    if ta is list:
        hits = [i for i, e in enumerate(a) if match(e, b)]
        return int_tensor(hits) if hits else []
    raise err("find", "type", a)


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


def _match(a, b):
    ta, tb = type(a), type(b)
    if ta is Tensor and a.dim() == 0:
        a, ta = a.item(), type(a.item())
    if tb is Tensor and b.dim() == 0:
        b, tb = b.item(), type(b.item())
    if (ta is int or ta is float) and (tb is int or tb is float):
        return _num_match(a, b)
    if ta is Tensor and tb is Tensor:
        if a.shape != b.shape:
            return a.shape[0] == 0 and b.shape[0] == 0
        if a.dtype.is_floating_point or b.dtype.is_floating_point:
            tol = max(REL_TOL.get(a.dtype, 0), REL_TOL.get(b.dtype, 0), 1e-13)
            a, b = a.detach().to(torch.float64), b.detach().to(device=a.device, dtype=torch.float64)
            return bool((torch.abs(a - b) <= tol * torch.maximum(a.abs(), b.abs())).logical_or(a == b).all())
        return bool(torch.equal(a, b.to(a.device)))
    if (ta is Tensor or ta is list) and (tb is Tensor or tb is list):
        xs, ys = items_of(a), items_of(b)
        return len(xs) == len(ys) and all(_match(x, y) for x, y in zip(xs, ys))
    if ta is not tb:
        return False
    if ta is Dict:
        return a.keys() == b.keys() and all(_match(a[k], b[k]) for k in a)
    return a == b


def form(a, b):
    """a:$b  Form
    Read string b as a value of the type of a: an integer, a real, a character, a symbol or
    a string; :undefined when b does not have that form. Any other a leaves b a string.
    Atomic on both sides (strings are atoms).
    Examples: 1:$"-123" --> -123    1.0:$"1.23" --> 1.23    :x:$"foo" --> :foo
              [1]:$["5"] --> [5]"""
    return _pairwise(_form, "form", a, b)


def _form(a, b):
    if type(b) is not str:
        raise err("form", "type", b)
    ta = type(a)
    s = b.strip()
    if ta is int or (ta is Tensor and a.dim() == 0 and not a.dtype.is_floating_point):
        return _read_int(s)
    if ta is float or (ta is Tensor and a.dim() == 0):
        v = _read_int(s)
        if v is UNDEF:
            try:
                return float(s) if _REAL.fullmatch(s) else UNDEF
            except ValueError:
                return UNDEF
        return float(v)
    if ta is Char:
        return Char(b) if len(b) == 1 else UNDEF
    if ta is str:
        return b
    if ta is Symbol:
        name = s[1:] if s.startswith(":") else s
        return Symbol(name) if _SYMBOL.fullmatch(name) else UNDEF
    return b                # as kg: any other prototype ([], a dictionary) keeps the string


import re  # noqa: E402  (kept next to the patterns it serves)

_INT = re.compile(r"-?[0-9]+")
_REAL = re.compile(r"-?[0-9]+(\.[0-9]*)?(e[+-]?[0-9]+)?")
_SYMBOL = re.compile(r"[a-zA-Z.][a-zA-Z0-9.]*")


def _read_int(s):
    return int(s) if _INT.fullmatch(s) else UNDEF


def format_(a):
    """$a  Format
    The text Klong shows for a, as a string. Atomic; strings are returned unchanged; what
    has no text (a function, a dictionary, []) formats as :undefined, as in kg.
    Examples: $123 --> "123"    $1.5 --> "1.5"    $:foo --> ":foo"    $0cx --> "x\""""
    t = type(a)
    if t is int:
        return str(a)
    if t is str:
        return a
    if t is Char:
        return str(a)
    if t is list:
        return mklist([format_(e) for e in a]) if a else UNDEF
    if t is Tensor:
        if a.dim() == 0:
            return show(a)
        return mklist([format_(e) for e in items_of(a)]) if a.shape[0] else UNDEF
    if t is float or t is Symbol:
        return show(a)
    return UNDEF


def _pairwise(f, name, a, b):
    """Carry dyad f over lists on either side, pairwise when both are lists (kg's dyadrec).
    Strings are atoms here; an empty list alone is an atom (f says what it makes of it)."""
    la = _seq(a) and type(a) is not str
    lb = _seq(b) and type(b) is not str
    if la and lb:
        xs, ys = items_of(a), items_of(b)
        if len(xs) != len(ys):
            raise err(name, "shape", [a, b])
        return mklist([_pairwise(f, name, x, y) for x, y in zip(xs, ys)])
    if la and not is_empty(a):
        return mklist([_pairwise(f, name, x, b) for x in items_of(a)])
    if lb and not is_empty(b):
        return mklist([_pairwise(f, name, a, y) for y in items_of(b)])
    return f(a, b)


def format2(a, b):
    """a$b  Format2
    Like $b, padded with blanks to at least |a| characters: on the right when a is positive,
    on the left when negative. When a is a real n.m and b a real, b's fraction is padded
    with zeros to m decimals (never cut: a longer fraction is kept) and its integer part
    with blanks to n places. Atomic on both sides.
    Examples: 5$"xyz" --> "xyz  "    (-5)$:foo --> " :foo"    5.3$123.45 --> "  123.450"
              5.2$3.14159 --> "3.14159"    [1 2]$3 --> ["3" "3 "]"""
    return _pairwise(_format2, "format2", a, b)


def _format2(a, b):
    ta = type(a)
    if ta is Tensor and a.dim() == 0:
        a, ta = a.item(), type(a.item())
    if ta is int:
        width, decimals = a, 0
    elif ta is float:
        whole, _, frac = show_real(abs(a)).partition(".")
        if "e" in frac:
            whole, frac = str(int(abs(a))), ""
        width, decimals = int(whole), int(frac.rstrip("0") or "0")
    else:
        raise err("format2", "type", [a, b])
    _count(width, "format2", a)
    text = format_(b)
    if text is UNDEF or type(text) is not str:
        return text
    real = type(b) is float or (type(b) is Tensor and b.dtype.is_floating_point)
    if real and decimals > 0 and "e" not in text:
        # as kg: the fraction is padded with zeros to m decimals but never cut, and b is left
        # as it is when it has more decimals or does not fit n+m places. Where kg writes
        # before its buffer (an integer part wider than n that still fits, 0.4$19.0) the
        # integer part is written whole: "19.0000".
        whole, _, frac = text.partition(".")
        if len(frac) > decimals or width + decimals < len(text):
            return text
        return whole.rjust(width) + "." + frac.ljust(decimals, "0")
    if abs(width) > len(text):
        return text.ljust(width) if width > 0 else text.rjust(-width)
    return text


