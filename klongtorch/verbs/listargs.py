"""List arguments: how the structural verbs read their operands.

What the list modules (build, reorder, search, amend, reshape, formats) share: which values
are lists, integer and index arguments, the limits on what a verb may build, dictionary keys,
and whether a number fits a tensor's type.
"""
import torch

from klongtorch.value.errors import KlongError, operand_text, err
from klongtorch.value.values import Tensor, ctx, int_tensor, key_of, scalar
from klongtorch.verbs.pervade import INT


def is_seq(v):
    """True for lists, strings and non-scalar tensors."""
    t = type(v)
    return t is list or t is str or (t is Tensor and v.dim() > 0)


def empty_like(v):
    return "" if type(v) is str else []


def element(t, i):
    """Element i of a tensor as a Klong value: a number for a vector, a row otherwise."""
    r = t[i]
    return scalar(r) if r.dim() == 0 else r


def unbox(v):
    """A 0-d tensor as its Python number; anything else as it is."""
    return v.item() if type(v) is Tensor and v.dim() == 0 else v


def is_int(v):
    """Whether v is an integer argument: a Python int, or an integral 0-d tensor."""
    return type(v) is int or (type(v) is Tensor and v.dim() == 0 and not v.dtype.is_floating_point)


def int_arg(v, name):
    """An integer argument (a Python int, or an integral 0-d tensor)."""
    if type(v) is int:
        return v
    if is_int(v):
        return int(v)
    raise err(name, "type", v)


# The most elements a verb builds as a Python list, and as a tensor. Past these the answer
# could not fit in memory anyway, so the count is a range error at once, before minutes
# of building (kg fails the same way, later, on its memory limit).
MAX_LIST = 1 << 26
MAX_TENSOR = 1 << 40


def count(n, name, culprit, limit=MAX_LIST):
    """n, when a list of |n| elements can be built; else a range error naming culprit."""
    if not -limit <= n <= limit:
        raise err(name, "range", culprit)
    return n


def index_tensor(v, name):
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


def stored_key(k):
    """key_of(k), when k can be a key: a dictionary (or a list holding one) cannot, as in kg."""
    key = key_of(k)
    try:
        hash(key)
    except TypeError:
        raise KlongError(f"kg: error: bad dictionary key: {operand_text(k)}") from None
    return key


def is_number(v):
    t = type(v)
    return t is int or t is float or (t is Tensor and v.dim() == 0)


def joins(v, t):
    """Whether number v joins tensor t as one more element of the same type (a bignum, or an
    integer beside reals, makes a general list instead)."""
    if type(v) is Tensor:
        return v.dim() == 0
    return fits(v, t.dtype)


def fits(v, dtype):
    """Whether Python number v can be stored in a tensor of dtype as it is."""
    t = type(v)
    if t is int:
        return not dtype.is_floating_point and -(1 << 63) <= v < (1 << 63)
    return t is float and dtype.is_floating_point
