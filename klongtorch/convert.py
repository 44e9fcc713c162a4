"""Crossing the Python boundary: Python values in, Klong values out.

Tensors cross unchanged (no copy), numpy arrays come in through torch.from_numpy, Python
numbers, strings, lists and dicts become their Klong forms, and Python callables become Klong
functions of the right arity.
"""
import torch

from .values import UNDEF, Char, Dict, Symbol, Tensor, key_of, mklist


def from_python(v, interp=None):
    """A Python value as a Klong value."""
    t = type(v)
    if t in (int, float, str, Char, Symbol, Dict) or v is UNDEF:
        return v
    if t is Tensor:
        if v.dtype == torch.bool:
            return v.to(torch.int64)
        if v.dtype in (torch.int32, torch.int16, torch.int8, torch.uint8):
            return v.to(torch.int64)
        return v
    if t is bool:
        return int(v)
    if t is list or t is tuple:
        return mklist([from_python(e, interp) for e in v])
    if t is dict:
        return Dict({key_of(from_python(k, interp)): from_python(x, interp) for k, x in v.items()})
    if v is None:
        return []
    mod = t.__module__
    if mod == "numpy":
        import numpy as np
        if isinstance(v, np.ndarray):
            if v.dtype.kind in "US":
                return mklist([from_python(str(e)) for e in v.tolist()])
            if v.dtype.kind == "O":
                return mklist([from_python(e, interp) for e in v.tolist()])
            if v.dtype.kind == "b":
                v = v.astype("int64")
            elif not v.flags.writeable:     # a view of read-only memory: torch warns, so copy
                v = v.copy()
            return from_python(torch.from_numpy(v), interp)
        if isinstance(v, np.generic):
            return from_python(v.item(), interp)
    if callable(v) and not hasattr(v, "call1"):
        from .functions import PyFunc
        return PyFunc(v, interp=interp)
    if hasattr(v, "call1"):
        return v
    raise TypeError(f"cannot convert {t.__name__} to a Klong value")


def to_python(v):
    """A Klong value as plain Python data (lists, str, numbers, dicts); tensors stay tensors."""
    t = type(v)
    if t is list:
        return [to_python(e) for e in v]
    if t is Dict:
        from .values import value_of_key
        return {_hashable(to_python(value_of_key(k))): to_python(x) for k, x in v.items()}
    if t is Symbol:
        return v.name
    if t is Char:
        return str(v)
    return v


def _hashable(v):
    return tuple(v) if isinstance(v, list) else v



