"""Crossing the Python boundary: Python values in, Klong values out, and Python callables
as Klong functions (PyFunc).

Tensors cross without a copy onto the interpreter's device (a copy there from another one:
a CPU tensor beside a CUDA one would fail in the first operation), numpy arrays come in
through torch.from_numpy, Python numbers, strings, lists and dicts become their Klong forms,
and Python callables become Klong functions of the right arity.
"""
import inspect
import warnings

import numpy as np
import torch

from klongtorch.value import pickling
from klongtorch.value.dual import Dual, NotScalar
from klongtorch.value.errors import KlongError, err
from klongtorch.value.functions import Function
from klongtorch.value.values import (UNDEF, Char, Dict, Symbol, Tensor, ctx, key_of, mklist,
                                     value_of_key)


def from_python(v, interp=None):
    """A Python value as a Klong value."""
    t = type(v)
    if t in _AS_IS or v is UNDEF:
        return v
    convert = _BY_TYPE.get(t)
    if convert is not None:
        return convert(v, interp)
    if v is None:
        return []
    if t.__module__ == "numpy":             # numpy's own kinds (numpy.matrix, scalars); a
        if isinstance(v, np.ndarray):       # masked array (numpy.ma) stays opaque: its mask
            return _ndarray(v, interp)      # has no Klong form
        if isinstance(v, np.generic):
            return from_python(v.item(), interp)
    if hasattr(v, "call1"):                 # a Klong function already
        return v
    if callable(v):
        return PyFunc(v, interp=interp)
    raise TypeError(f"cannot convert {t.__name__} to a Klong value")


def klong_value(v, interp):
    """A Python value as Klong, keeping objects with no Klong form opaque."""
    try:
        return from_python(v, interp)
    except TypeError:
        return v


_AS_IS = frozenset((int, float, str, Char, Symbol, Dict))

# Klong has no narrow integers and no booleans: they come in as int64 (a truth is 0 or 1)
_WIDENED = frozenset((torch.bool, torch.int32, torch.int16, torch.int8, torch.uint8))


def _tensor(v, interp):
    if v.dtype in _WIDENED:
        v = v.to(torch.int64)
    device = interp.device if interp is not None else ctx.device
    if v.device.type != device.type or device.index not in (None, v.device.index):
        # onto the interpreter's device (gradients flow through the copy); MPS takes no
        # float64, so reals become the interpreter's reals there
        real = v.dtype.is_floating_point and device.type == "mps"
        reals = interp.dtype if interp is not None else ctx.real
        v = v.to(device, dtype=reals if real else None)
    return v


def _sequence(v, interp):
    return mklist([from_python(e, interp) for e in v])


def _dict(v, interp):
    return Dict({key_of(from_python(k, interp)): from_python(x, interp) for k, x in v.items()})


def _ndarray(v, interp):
    kind = v.dtype.kind
    if kind in "US":
        return mklist([from_python(str(e)) for e in v.tolist()])
    if kind == "O":
        return mklist([from_python(e, interp) for e in v.tolist()])
    if kind == "b":
        v = v.astype("int64")
    elif not v.flags.writeable:         # a view of read-only memory: torch warns, so copy
        v = v.copy()
    return from_python(torch.from_numpy(v), interp)


_BY_TYPE = {Tensor: _tensor, bool: lambda v, interp: int(v), list: _sequence,
            tuple: _sequence, dict: _dict, np.ndarray: _ndarray}


def to_python(v):
    """A Klong value as plain Python data (lists, str, numbers, dicts); tensors stay tensors."""
    t = type(v)
    if t is list:
        return [to_python(e) for e in v]
    if t is Dict:
        return {_hashable(to_python(value_of_key(k))): to_python(x) for k, x in v.items()}
    if t is Symbol:
        return v.name
    if t is Char:
        return str(v)
    return v


def _hashable(v):
    return tuple(v) if isinstance(v, list) else v


class PyFunc(Function):
    """A Python callable used from Klong. Tensors go in and come out unchanged, so autograd
    flows through it; other results are converted to Klong values. A function built into
    Python outside torch (math.fsum, sum, sorted) cannot use a tensor's methods and would
    walk it one 0-d tensor at a time, so it gets the array as NumPy's view of the same
    memory instead, which costs what the call costs from Python; so do NumPy's own
    functions (numpy.max), which would call a tensor's methods with NumPy's arguments."""
    __slots__ = ("fn", "arity", "most", "name", "interp", "plain")
    takes_list_whole = True     # f@list: the list is one argument, as Python would take it

    def __init__(self, fn, arity=None, name=None, interp=None):
        self.fn = fn
        self.arity = python_arity(fn) if arity is None else arity
        # optional parameters may be given too: SGDOptimizer(klong;["w"]) or (klong;["w"];opts)
        self.most = max(self.arity, _most_positional(fn))
        self.name = name or getattr(fn, "__name__", "python")
        self.interp = interp
        module = getattr(fn, "__module__", None) or ""
        # NumPy's functions too: given a tensor, numpy.max calls its max(axis=None), which
        # torch does not take
        self.plain = (inspect.isbuiltin(fn) and not module.startswith("torch")) or \
            module == "numpy" or module.startswith("numpy.")

    def call(self, args):
        if not self.arity <= len(args) <= self.most:
            raise self.arity_error(len(args))
        try:
            if any(type(a) is Tensor and a.requires_grad for a in args):
                if self.plain:      # C code outside torch cannot carry a gradient, ever
                    raise _cut(self.name)
                out = _keeping_graph(self.fn, args, self.name)
            elif self.plain:
                out = self.fn(*[_plain(a) for a in args])
            else:
                out = self.fn(*args)
        except KlongError:
            raise
        except (KeyboardInterrupt, RecursionError):
            raise
        except Exception as e:
            if any(type(a) is Dual for a in args):
                # :>'s dual-number fast path met Python code: let torch take it from here
                raise NotScalar("a Python function") from None
            raise err(self.name, "python", text=f"{type(e).__name__}: {e}") from e
        try:
            return from_python(out, self.interp)
        except TypeError:           # an object with no Klong form stays opaque
            return out

    def __reduce__(self):               # itself, by pickle's rules (pickling.py)
        return _python_function, (self.fn, self.arity, self.name, pickling.kind_of(self))

    @property
    def source(self):
        return f"<python {self.name}>"


def _python_function(fn, arity, name, kind=None):
    return PyFunc(fn, arity=arity, name=name, interp=pickling.home(kind))


def _plain(v):
    """A tensor as a built-in Python function can use it: a number, or a NumPy array
    sharing its memory (copied only from a GPU)."""
    if type(v) is not Tensor:
        return v
    if v.dim() == 0:
        return v.item()
    return v.numpy(force=v.device.type != "cpu")


def python_arity(fn):
    """How many arguments a Python callable takes (its required positionals), at most 3."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return _doc_arity(fn)
    n = 0
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            n += 1
        elif p.kind == p.VAR_POSITIONAL:
            return max(n, 1)
    return min(n, 3)


def _most_positional(fn):
    """How many positional arguments a Python callable accepts, optional ones included."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 0
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return 3
    return min(3, sum(p.kind in kinds for p in params))


def _keeping_graph(fn, args, name):
    """Call fn on tensors that carry a gradient; a function that turns one into a Python
    number (math.tanh, float()) would silently give a zero gradient, so it is an error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args)
    for w in caught:
        if "requires_grad=True to a scalar" in str(w.message):
            raise _cut(name)
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out


def _cut(name):
    return err(name, "gradient", text="this Python function turns a tensor into a number, "
                                      "which cuts the gradient; use a torch function")


def _doc_arity(fn):
    """The arity of a builtin without a signature (torch's functions) from the first line of
    its docstring, "tanh(input, *, out=None) -> Tensor"; 1 when there is none."""
    doc = getattr(fn, "__doc__", None)
    head = doc.strip().split("\n", 1)[0] if isinstance(doc, str) else ""
    name = getattr(fn, "__name__", None)
    if not name or not head.startswith(name + "("):
        return 1
    if head.startswith(name + "()"):      # time.perf_counter() -> float: a nilad
        return 0
    n = 0
    for p in head[len(name) + 1:].split(")", 1)[0].split(","):
        p = p.strip()
        if not p or p.startswith("*") or "=" in p:
            break
        n += 1
    return max(1, min(n, 3))
