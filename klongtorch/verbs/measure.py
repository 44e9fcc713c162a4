"""Measuring: the monads that say what kind and size a value is.

@a (Atom), #a (Size), ^a (Shape) and :_a (Undefined).
"""
from klongtorch.value.errors import err
from klongtorch.value.values import UNDEF, Char, Dict, Tensor, carries_grad, int_tensor, is_atom


def atom(a):
    """@a  Atom
    1 if a is an atom, else 0. Everything but non-empty lists and strings is an atom.
    Examples: @123 --> 1    @[] --> 1    @[1 2 3] --> 0    @"" --> 1"""
    return int(is_atom(a))


def undefined(a):
    """:_a  Undefined
    1 if a is the undefined value (e.g. 1%0, or a missing dictionary key), else 0.
    Examples: :_1%0 --> 1    :_:{[1 2]}?3 --> 1    :_1 --> 0"""
    return int(a is UNDEF)


def _tensor_size(a):
    """#a of a tensor: its length, or the magnitude of a number (a tensor, to keep its
    gradient)."""
    return a.shape[0] if a.dim() else (a.abs() if carries_grad(a) else abs(a.item()))


# #a by a's type: a table, as each kind has its own meaning of size
_SIZES = {list: len, str: len, Dict: len, Char: ord, int: abs, float: abs, Tensor: _tensor_size}


def size(a):
    """#a  Size
    The number of elements of a list or characters of a string; the magnitude of a number;
    the code of a character; the number of entries of a dictionary.
    Examples: #[1 2 3] --> 3    #"hello" --> 5    #-123 --> 123    #0cA --> 65"""
    f = _SIZES.get(type(a))
    if f is None:
        raise err("size", "type", a)
    return f(a)


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
        return int_tensor(_tensor_shape(a))
    return int_tensor(_shape(a))


def _tensor_shape(a):
    """A tensor's dimensions up to its first 1: a one-element list has shape [1], also
    inside (kg: ^[[[1 2]] [[3 4]]] is [2 1])."""
    dims = list(a.shape)
    return dims[:dims.index(1) + 1] if 1 in dims else dims


def _shape(a):
    t = type(a)
    if t is Tensor:
        return _tensor_shape(a) if a.dim() else []
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
        common = _common_prefix(common, _shape(e))
    return [len(a)] + common


def _common_prefix(xs, ys):
    """The longest list that both xs and ys start with."""
    n = 0
    while n < len(xs) and n < len(ys) and xs[n] == ys[n]:
        n += 1
    return xs[:n]
