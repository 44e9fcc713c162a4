"""Building lists: the verbs that make a list from parts.

,a (List), !a (Enumerate), &a (Expand/Where) and a,b (Join). Tensors take a torch path, so
gradients flow through a join; general lists, strings and dictionaries a plain Python one.
"""
import numpy as np
import torch

from klongtorch.value.errors import err
from klongtorch.value.values import (Char, Context, Dict, Tensor, carries_grad, ctx,
                                     function_modes, items_of, mklist)
from klongtorch.verbs.listargs import (MAX_TENSOR, count, index_tensor, int_arg, is_seq, joins,
                                       stored_key)
from klongtorch.verbs.pervade import INT, with_bound


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
        n = count(int_arg(a, "enumerate"), "enumerate", a, MAX_TENSOR)
        if n < 0:
            raise err("enumerate", "range", a)
        if n == 0:
            return []
    device = ctx.device
    if n >= ONE_THREAD_NUMPY and device.type == "cpu" and torch.get_num_threads() == 1:
        # on one thread NumPy's arange is the faster one (1M: 0.30 ms against torch's 0.35,
        # 100K: 25 µs against 32), and the tensor shares its memory. One thread is what
        # klongtorch gives torch beside busy neighbours (runtime/cores.py) and what
        # OMP_NUM_THREADS=1 asks; on more, torch splits its arange and wins
        try:
            return with_bound(torch.from_numpy(np.arange(n, dtype=np.int64)), n - 1)
        except MemoryError:
            pass                # torch's failure, below, is the one Klong's error names
    # no dtype: an int's arange is int64 whatever torch's default dtype; and on the CPU no
    # device either, where torch's default device is the CPU (no torch function mode, as
    # torch.set_default_device makes, is running): each keyword torch parses costs some
    # 50-170 ns of arange's 1.4 µs at 1,000 elements
    t = torch.arange(n) if device is CPU and not function_modes() else \
        torch.arange(n, device=device)
    t._kb = n - 1                       # with_bound: a fresh arange always takes it
    return t


ONE_THREAD_NUMPY = 1 << 15      # below, the two take alike (torch splits no work this small)
CPU = Context.device            # the one CPU device object (value.devices)


def where(a):
    """&a  Expand/Where
    A list holding i as many times as a says at position i; for a list of truth values,
    the indices of the true ones. A single integer n gives n zeros.
    Examples: &[1 2 3] --> [0 1 1 2 2 2]    &[0 1 0 1] --> [1 3]    &3 --> [0 0 0]"""
    t = type(a)
    if t is int:
        return _zeros(a)
    counts = index_tensor(a, "expand") if t is not Tensor or a.dim() else None
    if counts is None:
        return where(int_arg(a, "expand"))
    _check_counts(counts, a)
    if counts.numel() == 0:
        return []
    r = torch.repeat_interleave(torch.arange(counts.shape[0], device=counts.device), counts)
    return with_bound(r, counts.shape[0]) if r.numel() else []


def _zeros(n):
    """&n for an int n: n zeros."""
    if n < 0:
        raise err("expand", "range", n)
    count(n, "expand", n, MAX_TENSOR)
    return with_bound(torch.zeros(n, dtype=INT, device=ctx.device), 0) if n else []


def _check_counts(counts, a):
    """The counts of &a are a vector of naturals whose total can be built."""
    if counts.dim() != 1:
        raise err("expand", "type", a)
    if counts.numel() == 0:
        return
    if bool((counts < 0).any()):
        raise err("expand", "range", a)
    if int(counts.max()) > MAX_TENSOR or int(counts.sum()) > MAX_TENSOR:
        raise err("expand", "range", a)


def join(a, b):
    """a,b  Join
    Join lists, or strings, into one. An atom is attached to the front or end of a list; a
    dictionary takes a [key value] tuple (replacing any entry with that key, in place), and is
    otherwise attached like an atom; two atoms form a pair.
    Examples: [1 2],[3 4] --> [1 2 3 4]    1,[2 3] --> [1 2 3]    "ab",0cc --> "abc"    1,2 --> [1 2]"""
    if type(a) is Dict and _is_pair(b):
        return _dict_put(a, b, "join")
    if type(b) is Dict and _is_pair(a):
        return _dict_put(b, a, "join")
    # any other dictionary is attached like an atom: 3,:{[1 2]} --> [3 :{[1 2]}]
    return _JOINS[_join_kind(a), _join_kind(b)](a, b)


def _join_kind(v):
    """What v is to a join: "s" a string, "c" a character, "l" a list (or a tensor with an
    axis), "a" any other atom."""
    t = type(v)
    if t is Tensor:
        return "l" if v.dim() > 0 else "a"
    return _KINDS.get(t, "a")


_KINDS = {str: "s", Char: "c", list: "l"}


def _text(a, b):
    """Strings and characters join into a string (two characters too, as in kg)."""
    return a + b


def _pair(a, b):
    return mklist([a, b])


def _front(a, b):
    """Atom (or string) a in front of list b."""
    if type(b) is Tensor and b.dim() == 1 and joins(a, b):
        return _cat(_as_1d(a, b), b)
    return mklist([a] + items_of(b))


def _back(a, b):
    """Atom (or string) b behind list a."""
    if type(a) is Tensor and a.dim() == 1 and joins(b, a):
        return _cat(a, _as_1d(b, a))
    return mklist(items_of(a) + [b])


def _lists(a, b):
    ta, tb = type(a), type(b)
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


# a,b by what each side is (_join_kind): a table rather than an if-chain, so each pairing
# is one line. A string is one element beside a list, so _front and _back treat it as an
# atom (joins() is false for it: it never enters a tensor).
_JOINS = {
    ("s", "s"): _text, ("s", "c"): _text, ("c", "s"): _text, ("c", "c"): _text,
    ("s", "l"): _front, ("c", "l"): _front, ("a", "l"): _front,
    ("l", "s"): _back, ("l", "c"): _back, ("l", "a"): _back,
    ("l", "l"): _lists,
    ("s", "a"): _pair, ("a", "s"): _pair, ("c", "a"): _pair, ("a", "c"): _pair,
    ("a", "a"): _pair,
}


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
        a, b = _common_type(a, b)
    return _joint_bound(torch.cat((a, b)), a, b)


def _joint_bound(r, a, b):
    """r, the integers of a and b joined, bounded by the larger of their bounds (pervade)."""
    if not r.dtype.is_floating_point and hasattr(a, "_kb") and hasattr(b, "_kb"):
        with_bound(r, max(a._kb, b._kb))
    return r


def _common_type(a, b):
    """a and b of one dtype: integers become reals beside reals, and b takes a's real type."""
    a = a.to(ctx.real) if not a.dtype.is_floating_point else a
    b = b.to(ctx.real) if not b.dtype.is_floating_point else b
    if a.dtype != b.dtype:
        b = b.to(a.dtype)
    return a, b


def _is_pair(v):
    """A two-element list (not a string): what joins into a dictionary as an entry."""
    t = type(v)
    return (t is list and len(v) == 2) or (t is Tensor and v.dim() > 0 and v.shape[0] == 2)


def _dict_put(d, entry, name):
    if not (is_seq(entry) and len(items_of(entry)) == 2):
        raise err(name, "type", entry)
    k, v = items_of(entry)
    d[stored_key(k)] = v
    return d
