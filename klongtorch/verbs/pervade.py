"""Pervasion: how atomic verbs reach into lists.

An atomic verb is written once for atoms; these helpers carry it into lists the way the
reference describes (SEMANTICS : ARGUMENTS). A tensor goes through one vectorised torch call;
general lists recurse element by element. Klong pairs a shorter operand with the *leading*
axes of a longer one ([[a b] [c d]]+[1 2] adds 1 to the first row), the opposite of numpy's
broadcasting, so tensors are aligned here before torch sees them.

Integer tensors carry a cached bound on their magnitude (`_kb`), so that overflow is caught
without an extra pass over the data: `!n` knows its bound, `+` and `*` derive theirs. When an
int64 result could overflow, the verb falls back to exact Python integers.
"""
import math

import torch

from klongtorch.value.dual import Dual, NotScalar
from klongtorch.value.dual import dyad as dual_dyad
from klongtorch.value.dual import monad as dual_monad
from klongtorch.value.errors import err
from klongtorch.value.values import (Tensor, carries_grad, ctx, dispatch_modes, function_modes,
                                     items_of, mklist)
from klongtorch.verbs import dialect

INT = torch.int64
LIMIT = 2 ** 62           # bounds past this fall back to exact arithmetic


def bound(t):
    """An upper bound on |t| for an int64 tensor, computed once and cached on the tensor."""
    b = getattr(t, "_kb", None)
    if b is None:
        if t.numel() == 0:
            b = 0
        else:
            lo, hi = torch.aminmax(t)
            b = max(-int(lo), int(hi))
        try:
            t._kb = b
        except (AttributeError, RuntimeError):
            pass
    return b


def with_bound(t, b):
    try:
        t._kb = b
    except (AttributeError, RuntimeError):
        pass
    return t


def num_bound(v):
    """A bound on |v| for an int, an int tensor, or None for reals."""
    if type(v) is int:
        return abs(v)
    if type(v) is Tensor and not v.dtype.is_floating_point:
        return bound(v)
    return None


INT64_LIMIT = 1 << 63


def to_t(v):
    """A number as a tensor on the current device; tensors pass through."""
    if type(v) is Tensor:
        return v
    if type(v) is float:
        return torch.tensor(v, dtype=ctx.real, device=ctx.device)
    if type(v) is bool:
        v = int(v)
    if not -INT64_LIMIT <= v < INT64_LIMIT:
        raise OverflowError          # a bignum: the caller works in Python integers instead
    return torch.tensor(v, dtype=INT, device=ctx.device)


class Atomic:
    """What pervasion knows of one atomic dyad (its part of the verb's record, see
    engine.primitives.VERBS; arith defines one beside each verb):

    name         the dyad's name in errors ("plus")
    sym          its symbol, for the advice in a shape error
    tensor_op    (ta, tb) -> the result, on tensors already paired
    bound_op     (ba, bb) -> a bound on an int result's magnitude; None: cannot overflow
    scalar_op    a real tensor with a Python number: straight to torch, no tensor made of
                 the number (x^2 becomes a square, 16x faster, and a captured graph holds
                 pow(x, 2), which inductor turns into x*x)
    int_scalar_op  an int64 tensor with a Python int that cannot overflow: the int goes to
                 torch as a scalar (8% of 2*1+!1000000)
    commutative  1+v puts the scalar second: torch's CPU kernels are faster that way (1.7x
                 for int64 add, 1.2x for max, at 1M elements)
    strings_atomic  a string is one atom ("foo"="foo"), not a list of characters
    in_place     (t, n) -> t, with t overwritten: the op on a tensor and a Python number
                 (number second), for a tensor nothing else holds (with_number, fresh)"""
    __slots__ = ("name", "sym", "tensor_op", "bound_op", "scalar_op", "int_scalar_op",
                 "commutative", "strings_atomic", "in_place")

    def __init__(self, name, sym, tensor_op, bound_op=None, scalar_op=None,
                 int_scalar_op=None, commutative=False, strings_atomic=False, in_place=None):
        self.name, self.sym, self.tensor_op, self.bound_op = name, sym, tensor_op, bound_op
        self.scalar_op, self.int_scalar_op = scalar_op, int_scalar_op
        self.commutative, self.strings_atomic = commutative, strings_atomic
        self.in_place = in_place


def align(a, b, name, sym="f"):
    """Klong's pairing of tensor shapes: the shorter shape must be a prefix of the longer.
    In the KlongPy dialect, NumPy's pairing first (klongtorch.verbs.dialect); equal shapes, the
    common case, never ask which."""
    sa, sb = a.shape, b.shape
    if sa == sb or a.dim() == 0 or b.dim() == 0:
        return a, b
    if ctx.klongpy and dialect.broadcastable(sa, sb):
        return a, b                 # torch's ops broadcast as NumPy does
    na, nb = a.dim(), b.dim()
    if na < nb:
        if sb[:na] != sa:
            raise _mismatch(name, sym, a, b)
        return a.reshape(sa + (1,) * (nb - na)), b
    if sa[:nb] != sb:
        raise _mismatch(name, sym, a, b)
    return a, b.reshape(sb + (1,) * (na - nb))


def _mismatch(name, verb, a, b):
    """Unequal shapes: kg's shape error with the operands, then the shapes. Where NumPy would
    broadcast them (matching their last axes), say how Klong writes that: Klong pairs
    elements from the first axis, so it takes an each."""
    sa, sb = a.shape, b.shape
    text = f"shapes [{' '.join(map(str, sa))}] and [{' '.join(map(str, sb))}] do not match"
    if ctx.klongpy or not dialect.broadcastable(sa, sb):
        return err(name, "shape", operands=(a, b), text=text)
    if len(sa) == len(sb):
        return err(name, "shape", operands=(a, b),
                   text=f"{text}; NumPy would broadcast them, and so does the KlongPy dialect "
                        f"({dialect.SWITCH})")
    big, small = ("a", "b") if len(sa) > len(sb) else ("b", "a")
    pair = f"x{verb}{small}" if small == "b" else f"{small}{verb}x"
    return err(name, "shape", operands=(a, b),
               text=f"{text}; Klong pairs arrays from their first axis, not their last as "
                    f"NumPy does: to combine {small} with each row of {big}, use each, "
                    f"{{{pair}}}'{big}, or the KlongPy dialect ({dialect.SWITCH})")


def floatish(a, b):
    """Promote int tensors to the real dtype when the other side is real."""
    fa = a.dtype.is_floating_point
    fb = b.dtype.is_floating_point
    if fa and not fb:
        b = b.to(a.dtype)
    elif fb and not fa:
        a = a.to(b.dtype)
    return a, b


def divide_scalar(a, b):
    """a%b for a real tensor and a Python number, either way round."""
    if type(a) is Tensor:
        return a / b
    # a number over a tensor: torch's reflected division multiplies by b's reciprocal, two
    # roundings, so 3%[0.3] would differ in the last bit from 3%0.3; a 0-d tensor divides
    return torch.div(torch.tensor(a, dtype=b.dtype, device=b.device), b)


SMALL_INT = 1 << 53           # integers a float64 holds exactly


def int_bound(bound_op, ba, bb):
    """The bound on an int64 result's magnitude, from its operands' bounds ba and bb; None
    when it is past LIMIT, where int64 could overflow and the verb must go exact. The
    overflow test of every atomic dyad (the two scalar paths below write it out)."""
    rb = bound_op(ba, bb)
    return None if rb > LIMIT else rb


def dyadic(verb, facts, a, b):
    """Carry the atomic dyad `verb` over lists and tensors, by its Atomic facts.

    The pair of operand types picks the path (_PATHS): numbers and tensors go to torch, with
    the commonest pairs (a tensor and a Python number: 1+!1000, x^2) first tried on a fast
    path; every other pair (lists, strings, duals) is carried element by element."""
    return _PATHS.get((type(a), type(b)), _structural)(verb, facts, a, b)


# -- numbers and tensors: one torch call ------------------------------------------------------

def _tensor_int(verb, facts, a, b):
    """A tensor with a Python int: b goes to torch as a scalar where it safely can. The
    commonest integer case (!1000+1) is an int64 tensor and a small int, whose bound is one
    more sum or product of two numbers; a real tensor takes the int by scalar_op. An empty
    or 0-d tensor, or a result that could overflow, takes the general path."""
    if -SMALL_INT < b < SMALL_INT:
        if a.dtype is INT:
            op, bound_op, shape = facts.int_scalar_op, facts.bound_op, a.shape
            if op is not None and bound_op is not None and shape and shape[0]:
                rb = bound_op(bound(a), abs(b))     # int_bound, written out (hot path)
                if rb <= LIMIT:
                    return with_bound(op(a, b), rb)
        elif a.dtype.is_floating_point and facts.scalar_op is not None:
            return facts.scalar_op(a, b)
    return _numbers(verb, facts, a, b)


def _int_tensor(verb, facts, a, b):
    """A Python int with a tensor (1+!1000): _tensor_int's paths, the int on the left, where
    int_scalar_op takes it only for a commutative op (it puts the scalar second). Written
    out apart from _tensor_int, not shared through a flag: on this hot path one more
    function call (some 50 ns) is 1-2% of 1+!1000."""
    if -SMALL_INT < a < SMALL_INT:
        if b.dtype is INT:
            op, bound_op, shape = facts.int_scalar_op, facts.bound_op, b.shape
            if op is not None and bound_op is not None and facts.commutative and shape \
                    and shape[0]:
                rb = bound_op(abs(a), bound(b))     # int_bound, written out (hot path)
                if rb <= LIMIT:
                    return with_bound(op(b, a), rb)
        elif b.dtype.is_floating_point and facts.scalar_op is not None:
            return facts.scalar_op(a, b)
    return _numbers(verb, facts, a, b)


def _tensor_float(verb, facts, a, b):
    """A tensor with a Python float: a real tensor takes it as a scalar (scalar_op)."""
    if a.dtype.is_floating_point and facts.scalar_op is not None:
        return facts.scalar_op(a, b)
    return _numbers(verb, facts, a, b)


def _float_tensor(verb, facts, a, b):
    """A Python float with a tensor: _tensor_float, the float on the left."""
    if b.dtype.is_floating_point and facts.scalar_op is not None:
        return facts.scalar_op(a, b)
    return _numbers(verb, facts, a, b)


def with_number(verb, facts, n, left, fresh=False):
    """The dyad with a number the program wrote, n, on its left (left: n verb x) or its right
    (x verb n), as a function of x, the operand that is not a Python number: what the
    compiler calls for 1+!1000 and x*2.0. The literal's type and size pick the path once,
    here, where dyadic would pick it on every call by the pair of types, and the facts are
    read once (together some 500 ns of 1+!1000, against torch's 1.5 µs add). Each path is
    _int_tensor's or _tensor_float's; anything else takes dyadic.

    fresh: the compiler knows x is a temporary that nothing else holds (the !n of 1+!n, the
    1+!n of 2*1+!n), so a big tensor may take the result in place (in_place_form)."""
    def general(x):
        return dyadic(verb, facts, n, x) if left else dyadic(verb, facts, x, n)

    small_int = type(n) is int and -SMALL_INT < n < SMALL_INT
    real_op = facts.scalar_op if small_int or type(n) is float else None
    int_op, bound_op, size = facts.int_scalar_op, facts.bound_op, abs(n)
    if not small_int or bound_op is None or (left and not facts.commutative):
        int_op = None           # int_scalar_op puts the scalar second: commutative ops only
    if int_op is None and real_op is None:
        return general

    def number_form(x):
        if type(x) is Tensor:
            if x.dtype is INT:
                # numel: an empty tensor is kg's type error (1+[]), which dyadic gives
                if int_op is not None and x.numel():
                    b = getattr(x, "_kb", None)
                    rb = bound_op(bound(x) if b is None else b, size)
                    if rb <= LIMIT:
                        r = int_op(x, n)
                        try:
                            r._kb = rb              # with_bound, written out
                        except (AttributeError, RuntimeError):
                            pass
                        return r
            elif real_op is not None and x.dtype.is_floating_point:
                return real_op(n, x) if left else real_op(x, n)
        return general(x)
    if fresh and facts.in_place is not None and (not left or facts.commutative):
        return in_place_form(number_form, facts.in_place, n, int_op, real_op, bound_op)
    return number_form


IN_PLACE_MIN = 1 << 15      # elements: below, a new tensor costs about what the checks do


def overwritable(x):
    """Whether a temporary tensor may be overwritten: it is no view of another tensor's
    memory, it takes no part in differentiation (carries_grad: autograd, or a torch.func
    transform), and no torch mode (make_fx's capture for .compile, set_default_device) is
    watching, whose record must show each operation as the program wrote it."""
    return x._base is None and not carries_grad(x) and not dispatch_modes() and \
        not function_modes()


def in_place_form(number_form, in_place, n, int_op, real_op, bound_op):
    """number_form, for an x that nothing else holds: a big tensor takes the result in its
    own memory. One pass over the data where a new tensor takes two, and no new block:
    1+!1000000 0.30 ms against 0.48, at 10M 3.5 ms against 8.0. The same kernel computes
    it, so the result is the same to the bit."""
    size = abs(n)

    def number_form_in_place(x):
        if type(x) is Tensor and x.numel() >= IN_PLACE_MIN and overwritable(x):
            if x.dtype is INT:
                if int_op is not None:
                    rb = bound_op(bound(x), size)   # big tensors only: no need to inline
                    if rb <= LIMIT:
                        return with_bound(in_place(x, n), rb)
            elif real_op is not None and x.dtype.is_floating_point:
                return in_place(x, n)
        return number_form(x)
    return number_form_in_place


def into_fresh(verb, facts, fresh_left):
    """The dyad of two values where the compiler knows one, the left if fresh_left, is a
    temporary nothing else holds (the a*b of (a*b)+c, the 0.1*g of w-0.1*g): two real
    tensors of one shape, dtype and device put the result in that one's memory, by the
    same torch call dyadic makes for them (facts.tensor_op, with out=); anything else takes
    the verb itself (an int and a float, which the compiler's test for numbers lets by, are
    added by Python). Ints keep the verb's path, whose overflow bounds decide how."""
    op = facts.tensor_op

    def arrays_into(a, b):
        t, o = (a, b) if fresh_left else (b, a)
        if type(t) is Tensor and type(o) is Tensor and t.dtype.is_floating_point and \
                o.dtype is t.dtype and o.shape == t.shape and o.device == t.device and \
                t.numel() >= IN_PLACE_MIN and overwritable(t) and not carries_grad(o):
            return op(a, b, out=t)
        return verb(a, b)
    return arrays_into


def _numbers(verb, facts, a, b):
    """Any two of tensor, int and float, by one torch call. An integer result whose bound
    passes LIMIT is computed exactly instead; an empty operand is kg's type error (1+[])."""
    rb = None
    bound_op = facts.bound_op
    if bound_op is not None:
        ba, bb = num_bound(a), num_bound(b)
        if ba is not None and bb is not None:
            rb = int_bound(bound_op, ba, bb)
            if rb is None:
                return exact(verb, a, b, facts)
    r = _torch_call(facts, a, b, rb is not None)
    if r is None:                           # a bignum meets a tensor
        return exact(verb, a, b, facts)
    if 0 in r.shape:
        raise err(facts.name, "type", operands=(a, b))
    if rb is not None and not r.dtype.is_floating_point:
        with_bound(r, rb)
    return r


def _torch_call(facts, a, b, bounded):
    """_numbers' one torch call, or None where a number does not fit int64. An int that
    cannot overflow (bounded) goes in as a Python scalar; else both sides become tensors,
    paired by align."""
    if bounded and facts.int_scalar_op is not None:
        r = _int_scalar_call(facts, a, b)
        if r is not None:
            return r
    try:
        x, y = to_t(a), to_t(b)
    except (OverflowError, RuntimeError):
        return None
    x, y = floatish(*align(x, y, facts.name, facts.sym))
    if x.dim() == 0 and y.dim() and facts.commutative:
        x, y = y, x                         # the scalar second: see Atomic
    return facts.tensor_op(x, y)


def _int_scalar_call(facts, a, b):
    """An int64 tensor with a Python int: the int goes to torch as a scalar (int_scalar_op),
    on the left only for a commutative op; None for any other pair, and for a bignum (whose
    product with a tensor of zeros is bounded, but which torch cannot take)."""
    ta, tb = type(a), type(b)
    if tb is int and ta is Tensor and a.dtype is INT and _INT64_MIN <= b <= _INT64_MAX:
        return facts.int_scalar_op(a, b)
    if ta is int and tb is Tensor and b.dtype is INT and facts.commutative and \
            _INT64_MIN <= a <= _INT64_MAX:
        return facts.int_scalar_op(b, a)
    return None


_INT64_MIN, _INT64_MAX = -2 ** 63, 2 ** 63 - 1


_PATHS = {
    (Tensor, int): _tensor_int, (int, Tensor): _int_tensor,
    (Tensor, float): _tensor_float, (float, Tensor): _float_tensor,
    (Tensor, Tensor): _numbers, (int, int): _numbers, (int, float): _numbers,
    (float, int): _numbers, (float, float): _numbers,
}


# -- everything else: element by element ------------------------------------------------------

def _structural(verb, facts, a, b):
    """A pair that is not two numbers or tensors: a list or a tensor is carried into, element
    by element; a dual number goes to dual.dyad; a string is a type error, except to the
    comparisons, for which it is one atom (strings_atomic)."""
    ta, tb = type(a), type(b)
    name = facts.name
    if not facts.strings_atomic and (ta is str or tb is str):
        # no arithmetic takes characters: a string operand is the type error right here, and
        # kg names it whole (["ab" 1], not [0ca 1])
        raise err(name, "type", operands=(a, b))
    la = ta is list or ta is Tensor
    lb = tb is list or tb is Tensor
    if ta is Dual or tb is Dual:
        if la or lb:
            raise NotScalar(name)           # a dual met an array: :> takes the torch path
        return dual_dyad(name, a, b)
    if (la and not len(a)) or (lb and not len(b)):  # an empty operand: kg's type error
        raise err(name, "type", operands=(a, b))
    return _CARRY[la, lb](verb, name, a, b)


def _carry_both(verb, name, a, b):
    xs, ys = items_of(a), items_of(b)
    if len(xs) != len(ys):
        raise err(name, "shape", operands=(a, b), text=f"{len(xs)} and {len(ys)} elements")
    return mklist([verb(x, y) for x, y in zip(xs, ys)])


def _carry_left(verb, name, a, b):
    return mklist([verb(x, b) for x in items_of(a)])


def _carry_right(verb, name, a, b):
    return mklist([verb(a, y) for y in items_of(b)])


def _atoms(verb, name, a, b):
    raise err(name, "type", operands=(a, b))        # two atoms no atomic dyad takes


# (a is a list, b is a list) -> how the verb reaches into them
_CARRY = {(True, True): _carry_both, (True, False): _carry_left,
          (False, True): _carry_right, (False, False): _atoms}


def exact(verb, a, b, facts):
    """Element by element in Python integers: the fallback when int64 could overflow.
    Two lists must pair as they would in torch (their first axes as long)."""
    la, lb = type(a) is Tensor and a.dim() > 0, type(b) is Tensor and b.dim() > 0
    if type(a) is Tensor and a.dim() == 0:
        a, la = a.item(), False
    if type(b) is Tensor and b.dim() == 0:
        b, lb = b.item(), False
    if la and lb:
        if a.shape[0] != b.shape[0]:
            raise _mismatch(facts.name, facts.sym, a, b)
        return mklist([verb(x, y) for x, y in zip(items_of(a), items_of(b))])
    if la:
        return mklist([verb(x, b) for x in items_of(a)])
    if lb:
        return mklist([verb(a, y) for y in items_of(b)])
    return verb(a, b)


def monadic(verb, name, v, tensor_op, empty=None):
    """Carry the atomic monad `verb` over lists; tensors take one torch call."""
    t = type(v)
    if t is Tensor:
        return tensor_op(v)
    if t is list:
        if not v:
            if empty is None:                  # as in kg: -[] is a type error
                raise err(name, "type", operands=(v,))
            return empty
        return mklist([verb(e) for e in v])
    if t is Dual:
        return dual_monad(name, v)
    # no atomic monad takes characters: a string is the type error itself, named whole
    raise err(name, "type", operands=(v,))


def add_bound(ba, bb):
    return ba + bb


def mul_bound(ba, bb):
    return ba * bb


def pow_bound(ba, bb):
    if ba <= 1:
        return 1
    return LIMIT + 1 if bb * math.log2(ba) > 61 else ba ** bb
