"""The one value table: how every Klong value is held in Python.

| Klong            | Python                                                       |
|------------------|--------------------------------------------------------------|
| integer          | int (arbitrary precision), or a 0-d int64 tensor             |
| real             | float, or a 0-d floating tensor (this keeps autograd graphs) |
| character        | Char, a one-character str subclass                           |
| string           | str                                                          |
| symbol           | Symbol, interned                                             |
| uniform numbers  | torch.Tensor: int64, or the interpreter's real dtype         |
| any other list   | a Python list of values, never mutated in place              |
| dictionary       | Dict (a dict subclass keyed by `key_of(value)`)              |
| function         | see functions.py                                             |
| undefined        | UNDEF                                                        |

Everything here is small and hot: type tests use `type(v) is ...`, never isinstance chains,
because these run once or more per Klong operation.
"""
import threading
from array import array

import torch

from klongtorch.value.atoms import EOF, UNDEF, Char, Symbol, _Marker  # noqa: F401 (the value table)

INT = torch.int64


class Context(threading.local):
    """Where new tensors live and which dtype reals get.

    Verbs are plain module functions, so the interpreter that is running sets this before it
    evaluates anything (see Interpreter.active). It is per thread: two interpreters running
    in two threads, on two devices or dtypes, each see their own. (A thread starts with the
    class defaults below; reading one costs a thread-local lookup, some 70 ns more than a
    plain attribute.)"""
    device = torch.device("cpu")
    real = torch.float64
    lift = True              # run adverbs over liftable lambdas on whole tensors (lift.py)
    lift_min = 16            # ... from this many elements on: below, the loop is as fast
    klongpy = False          # the KlongPy dialect (klongtorch.verbs.dialect): broadcasting, a@-1
    key = None               # the interpreter settings above, as one tuple (interpreter._Active)


ctx = Context()


class Dict(dict):
    """A Klong dictionary. Keys are stored hashable (see key_of); values as they are."""
    __slots__ = ()


Tensor = torch.Tensor
def is_atom(v):
    """Klong's @: everything but non-empty lists and strings."""
    t = type(v)
    if t is list or t is str:
        return len(v) == 0
    if t is Tensor:
        return v.dim() == 0 or v.shape[0] == 0
    return True


def is_empty(v):
    t = type(v)
    if t is list or t is str:
        return len(v) == 0
    return t is Tensor and v.dim() > 0 and v.shape[0] == 0


def truth(v):
    """Klong truth: 0, [] and "" are false, everything else is true."""
    t = type(v)
    if t is int or t is float:
        return v != 0
    if t is list or t is str:
        return len(v) > 0
    if t is Tensor:
        if v.dim() == 0:
            return bool(v != 0)
        return v.shape[0] > 0
    # a value that is no plain truth (a dual number: the derivative's control flow) says
    # so itself, rather than count as an atom, which is true
    check = getattr(t, "klong_truth", None)
    return True if check is None else check(v)


# -- building lists ---------------------------------------------------------------------------



def int_tensor(items):
    """An int64 tensor from Python ints, through a typed buffer (5x faster than torch.tensor)."""
    t = torch.frombuffer(array("q", items), dtype=INT) if items else torch.zeros(0, dtype=INT)
    return t if ctx.device.type == "cpu" else t.to(ctx.device)


def real_tensor(items):
    t = torch.frombuffer(array("d", items), dtype=torch.float64) if items else torch.zeros(0)
    if t.dtype != ctx.real or ctx.device.type != "cpu":
        t = t.to(device=ctx.device, dtype=ctx.real)
    return t


def mklist(items):
    """The canonical Klong list for a Python list of values.

    Uniform numbers become one tensor (integers mixed with reals stay a list, as each keeps
    its type in Klong: [1 2.5]), characters a string, equal-shaped tensors of one kind one
    stacked tensor; anything else stays a Python list. This is the single place where lists are
    normalised, so every verb agrees on what `[1 2 3]` is. The first item's type picks the
    builder (_BUILDERS): no other list can become a tensor."""
    if not items:
        return []
    build = _BUILDERS.get(type(items[0]))
    return items if build is None else build(items)


def _from_ints(items):
    kinds = set(map(type, items))
    if kinds == {int}:
        try:
            return int_tensor(items)
        except OverflowError:            # bignums stay Python ints
            return items
    if Tensor in kinds and kinds <= {Tensor, int, float}:
        return _stack_mixed(items, kinds)
    return items                         # integers mixed with reals keep their own types


def _from_reals(items):
    kinds = set(map(type, items))
    if kinds == {float}:
        return real_tensor(items)
    if Tensor in kinds:
        return _stack_mixed(items, kinds)
    return items


def _from_tensors(items):
    kinds = set(map(type, items))
    if kinds == {Tensor}:
        return _stack_tensors(items)
    if kinds <= {Tensor, int, float}:
        return _stack_mixed(items, kinds)
    return items


def _stack_tensors(items):
    """Tensors of one shape and one kind (all integer or all real): one tensor, a row each."""
    shape = items[0].shape
    if not all(v.shape == shape for v in items):
        return items
    if shape and shape[0] == 0:
        return items                     # a list of empty lists is not an array
    floats = [v.dtype.is_floating_point for v in items]
    if all(floats) or not any(floats):
        return torch.stack(items)
    return items                         # integer rows beside real rows keep their types


# the first item's type -> the builder that may make the list one tensor; a list of
# characters (Char) is not among them: it is not a string (see mkstring)
_BUILDERS = {int: _from_ints, float: _from_reals, Tensor: _from_tensors}


def mkstring(items):
    """What a verb or adverb builds from a string's characters: a string when every item is
    a character, else mklist. (A list of characters that was written as a list, [0ca 0cb],
    stays a list, as in kg.)"""
    if items and all(type(v) is Char for v in items):
        return "".join(items)
    return mklist(items)


def _stack_mixed(items, kinds):
    """Python numbers mixed with 0-d tensors (as autograd produces): one tensor if possible."""
    if any(type(v) is Tensor and v.dim() != 0 for v in items):
        return items
    floating = float in kinds or any(type(v) is Tensor and v.dtype.is_floating_point for v in items)
    dtype = ctx.real if floating else INT
    dev = next(v.device for v in items if type(v) is Tensor)
    return torch.stack([v.to(dtype) if type(v) is Tensor else torch.tensor(v, dtype=dtype, device=dev)
                        for v in items])


_wrapped = torch._C._functorch.is_functorch_wrapped_tensor
# how many torch modes are running: function modes (torch.set_default_device's) and dispatch
# modes (make_fx's capture in .compile), whose record must see each torch call as the
# program wrote it; without torch's private counters, some may run: 1
function_modes = getattr(torch._C, "_len_torch_function_stack", lambda: 1)
dispatch_modes = getattr(torch._C, "_len_torch_dispatch_stack", lambda: 1)


def carries_grad(t):
    """True when a tensor takes part in differentiation: it requires grad (reverse mode), or
    a torch.func transform (.jvp's forward mode, vmap) has wrapped it. Such a tensor must stay
    a tensor: .item() or .tolist() would hand back a plain number and silently cut the
    derivative (under forward mode, requires_grad reads False, hence the second test)."""
    return t.requires_grad or _wrapped(t)


def scalar(t):
    """A 0-d tensor as a Python number, unless it carries a gradient (see carries_grad)."""
    if t.requires_grad or _wrapped(t):
        return t
    return t.item()


def items_of(v):
    """The elements of a list value as a Python list (a new list; never mutate the source)."""
    t = type(v)
    if t is list:
        return v
    if t is str:
        return [Char(c) for c in v]
    if t is Tensor:
        if v.dim() == 0:
            return [scalar(v)]
        if v.dim() == 1 and not (v.requires_grad or _wrapped(v)):
            return v.tolist()
        return list(v.unbind(0))
    return [v]


class RealKey(float):
    """A real as a key (key_of): never the same key as an integer, as in kg, though 1.0=1:
    :{[1 2]}?1.0 is :undefined, and =[1 1.0] is two groups."""
    __slots__ = ()

    def __eq__(self, other):
        return type(other) is RealKey and float(self) == float(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((RealKey, float(self)))


class CharKey(str):
    """A character as a key (key_of): never the same key as the one-character string, as in
    kg, where "a"~0ca is 0: =["a" 0ca] is two groups, and :{["a" 1]}?0ca is :undefined.
    (Char is a str, equal to the string of its one character.)"""
    __slots__ = ()

    def __eq__(self, other):
        return type(other) is CharKey and str.__eq__(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((CharKey, str(self)))


def key_of(v):
    """The hashable form of a value, used as a dictionary key."""
    t = type(v)
    if t is Tensor:
        if v.dim() > 1:                 # a matrix: a tuple of row tuples, hashable as a list's
            return tuple(key_of(r) for r in v)
        if v.dtype.is_floating_point:
            return tuple(map(RealKey, v.tolist())) if v.dim() else RealKey(v.item())
        return tuple(v.tolist()) if v.dim() else v.item()
    if t is list:
        return tuple(key_of(e) for e in v)
    if t is float:
        return RealKey(v)
    if t is Char:
        return CharKey(v)
    return v


def value_of_key(k):
    """The Klong value of a stored dictionary key."""
    if type(k) is tuple:
        return mklist([value_of_key(e) for e in k])
    if type(k) is RealKey:
        return float(k)
    if type(k) is CharKey:
        return Char(k)
    return k


def dict_items(d):
    """A dictionary's entries as Klong tuples [key value]."""
    return [[value_of_key(k), v] for k, v in d.items()]
