"""Lifting: an adverb over a lambda, run once on the whole tensor.

`{x*x}'v` calls the lambda once per element: a hundred thousand trips through the
interpreter, and on a GPU a hundred thousand kernel launches, for what torch does in one
`v*v`. When the lambda's body is made of parts that act on each element independently,
lifting evaluates the body once with x standing for *every* element at once, as JAX's vmap
or an APL compiler does, and the adverb returns that.

The batched value
    A lifted value (Lifted) is a tensor whose first `level` axes run over elements: level 1
    inside `{...}'v`, level 2 inside an each nested in it, and so on; the axes after them
    are one element's shape. Anything else (a constant, a global) is the same for every
    element and stays an ordinary Klong value. An operation meeting both views the plain
    value as repeated (torch's expand: no copy), so the primitives themselves do the work
    and keep Klong's rules: pairing by leading axes, overflow into exact integers, types.

Exactly the element loop's answer, or none
    The element loop computes on Python numbers where an element is a single number, and a
    few of their rules are not torch's: 1%0 is :undefined where a tensor gives inf, 2^-1 is
    a real where an integer tensor stays integer, 1|0.5 keeps the winner's type, and an int
    beyond 2^53 compares exactly with a real. A verb's guards (guards.py, named in its record
    in primitives.VERBS) check that no element meets such a case (only the elements a
    conditional selects count). Anything lifting cannot promise (a guard, a result that is
    not one tensor of one type, any error) raises Bail, and the adverb runs element by
    element instead. The body has no side effects (STATIC refuses assignments to globals,
    I/O and calls it cannot see through), so running it again is safe, and the loop then
    raises the error kg would, with its place. A real sum's order follows memory layout,
    so Lifted also tracks whether the loop's element would be row-major (dense).

Four approximations are documented rather than refused: a real ^ and the .exp family are
computed by torch's vector kernels, which can differ from C's pow and exp in the last bit;
a lifted :> takes one batched reverse pass where the loop may use dual numbers (the same
derivative, rounded in another order); and the nested-each product of reals is one matmul
(BLAS adds in its own order). Each differs from the loop in the last bit of one operation
(about 1e-15 relative); tests/test_lift.py compares them with a tolerance (1e-9 relative in
generated programs, whose later operations can magnify that bit; 1e-13 for the matrix
product) and everything else for equality.
"""
import math
import operator

import torch

from klongtorch.autograd.derivatives import MATH, _Depth
from klongtorch.engine.primitives import VERBS, Verb
from klongtorch.parse.parser import (Adverbed, Apply, Cond, Const, Define, Dyad, Lambda, Monad, Op,
                                     Var)
from klongtorch.value.errors import KlongError
from klongtorch.value.functions import Lambda as LambdaValue
from klongtorch.value.functions import Projection, SysFunc
from klongtorch.value.values import UNDEF, Tensor, carries_grad, ctx, truth
from klongtorch.verbs.folds import over
from klongtorch.verbs.pervade import LIMIT, bound, with_bound

ARGS = ("x", "y", "z")


# how often adverbs were lifted and how often lifting gave way (for tests and benchmarks)
counts = {"lifted": 0, "gave way": 0}


class Bail(Exception):
    """Lifting gives way: the adverb runs element by element."""


# what makes lifting give way: its own refusal, or a primitive's error or torch's (a shape
# that does not broadcast, say), which the element loop will then report in kg's words
GIVE_WAY = (Bail, KlongError, RuntimeError, TypeError, ValueError, IndexError,
            ZeroDivisionError, OverflowError)


class Lifted:
    """A tensor whose first `level` axes run over the elements of the adverbs being
    lifted; `py`: in the element loop each element would be a Python number (a 0-d
    element carrying no gradient), so Python's arithmetic rules are the ones to keep;
    `dense`: in the loop each element would be a row-major tensor (see Run.reduce);
    `src`: (c, k) when t is the strided plain tensor c behind k expanded axes, so that
    a row-major copy can stand in for it (see Run.rowmajor); else None."""
    __slots__ = ("t", "level", "py", "dense", "src")

    def __init__(self, t, level, py, dense=True, src=None):
        self.t, self.level, self.py, self.dense, self.src = t, level, py, dense, src

    @property
    def elem(self):
        return self.t.shape[self.level:]


# -- which verbs lift: their records in primitives.VERBS --------------------------------------

def _atomic_dyad(sym):
    v = VERBS.get(sym)
    return v is not None and v.atomic is not None


def _atomic_monad(sym):
    v = VERBS.get(sym)
    return v is not None and v.atomic_monad


def _compares(sym):
    v = VERBS.get(sym)
    return v is not None and v.compares


def _reducer(sym):
    v = VERBS.get(sym)
    return v is not None and v.monoid is not None


# a comparison's Python operator (verbs' python): 7>x on a tensor x turns into x<7, which
# torch.gt(7, x) would not
COMPARE = {"<": operator.lt, ">": operator.gt, "==": operator.eq}
EACHES = {"'", ":\\", ":/"}


# -- the static check: only parts that act on each element alone --------------------------------

_checked = {}                   # id(node) -> (node, liftable): nodes have no room for a flag


def liftable(node):
    """Whether a lambda node's body is made only of liftable parts (cached)."""
    hit = _checked.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    ok = all(_static(s, node) for s in node.body)
    if len(_checked) > 4096:
        _checked.clear()
    _checked[id(node)] = (node, ok)
    return ok


def _static(n, fn):
    check = STATIC.get(type(n))
    return check is not None and check(n, fn)


def _static_dyad(n, fn):
    v = n.verb
    if type(v) is Op and v.sym == ":>":
        return type(n.left) in (Lambda, Var) and _static(n.left, fn) and _static(n.right, fn)
    return _static_verb(v, fn, 2) and _static(n.left, fn) and _static(n.right, fn)


# node type -> whether such a node, in the body of lambda fn, acts on each element alone
STATIC = {
    Const: lambda n, fn: True,
    Var: lambda n, fn: n.name != ".f",      # recursion never ends when both branches run
    Define: lambda n, fn: n.name in fn.locals and _static(n.expr, fn),     # locals only
    Cond: lambda n, fn: all(_static(p, fn) and _static(c, fn) for p, c in n.clauses)
    and _static(n.otherwise, fn),
    Lambda: lambda n, fn: liftable(n),
    Monad: lambda n, fn: _static_verb(n.verb, fn, 1) and _static(n.arg, fn),
    Dyad: _static_dyad,
    Apply: lambda n, fn: _static(n.fn, fn) and all(a is None or _static(a, fn) for a in n.args),
}


def _static_verb(v, fn, arity):
    t = type(v)
    if t is Op:
        return _atomic_monad(v.sym) if arity == 1 else _atomic_dyad(v.sym)
    if t is Adverbed:
        if v.adverb == "/" and arity == 1:
            return type(v.verb) is Op and _reducer(v.verb.sym)
        if v.adverb == "'" or (v.adverb in EACHES and arity == 2):
            return _static_callee(v.verb, fn)
    return False


def _static_callee(v, fn):
    t = type(v)
    if t is Op:
        return _atomic_dyad(v.sym) or _atomic_monad(v.sym)
    if t is Adverbed:
        return v.adverb == "/" and type(v.verb) is Op and _reducer(v.verb.sym)
    return t in (Lambda, Var, Apply) and _static(v, fn)


# -- callees: what a lifted call can call -----------------------------------------------------

class _Body:
    """A lambda: its node (checked liftable) and arity."""
    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node

    def call(self, run, args, adverb=False):
        arity = self.node.arity
        if arity == 0 and adverb and len(args) == 1:
            args = []               # a nilad under an adverb ignores the element, as call1
        elif len(args) != arity:
            raise Bail
        return run.body(self.node, args)


class _Projection:
    __slots__ = ("fn", "fixed")

    def __init__(self, fn, fixed):
        self.fn, self.fixed = fn, fixed

    def call(self, run, args, adverb=False):
        if self.fixed.count(None) != len(args):
            raise Bail
        it = iter(args)
        return self.fn.call(run, [next(it) if a is None else a for a in self.fixed])


class _Prim:
    __slots__ = ("sym",)

    def __init__(self, sym):
        self.sym = sym

    def call(self, run, args, adverb=False):
        if len(args) == 1 and _atomic_monad(self.sym):
            return run.monad(self.sym, args[0])
        if len(args) == 2 and _atomic_dyad(self.sym):
            return run.dyad(self.sym, args[0], args[1])
        raise Bail


class _Unary:
    """A one-argument callee that is a method of Run with an operand fixed: a reduction
    (Run.reduce, the verb's symbol) or a built-in element-wise function such as .exp
    (Run.math, its torch function, derivatives.MATH)."""
    __slots__ = ("method", "operand")

    def __init__(self, method, operand):
        self.method, self.operand = method, operand

    def call(self, run, args, adverb=False):
        if len(args) != 1:
            raise Bail
        return self.method(run, self.operand, args[0])


def callee(v):
    """The lifted form of a function value, or None."""
    return _CALLEES.get(type(v), _other_callee)(v)


def _lambda_callee(v):
    node = v.node
    return _Body(node) if node is not None and liftable(node) else None


def _projection_callee(v):
    inner = callee(v.fn)
    return None if inner is None else _Projection(inner, list(v.args))


def _verb_callee(v):
    return _Prim(v.sym) if v.atomic is not None or v.atomic_monad else None


def reduction(verb):
    """The lifted form of verb/ (adverbs.Derived.klong_lifted): a reduction over an atomic verb
    with a monoid, such as +/; None for any other verb."""
    if type(verb) is Verb and verb.monoid is not None:
        return _Unary(Run.reduce, verb.sym)
    return None


def _sysfunc_callee(v):
    """A built-in element-wise function such as .exp."""
    if v.name in MATH and v.arity == 1:
        return _Unary(Run.math, MATH[v.name][0])
    return None


def _other_callee(v):
    """A function value defined above this module (adverbs.Derived) says how it lifts, by
    its method klong_lifted(); anything else does not lift."""
    lifted = getattr(v, "klong_lifted", None)
    return lifted() if callable(lifted) else None


# how each kind of function value lifts
_CALLEES = {LambdaValue: _lambda_callee, Projection: _projection_callee, Verb: _verb_callee,
            SysFunc: _sysfunc_callee}


# -- evaluation -------------------------------------------------------------------------------

class _Frame:
    """One lambda call being lifted: its arguments and its locals (dynamic scope: the
    locals of every frame below are visible, innermost first)."""
    __slots__ = ("args", "locals", "node")

    def __init__(self, node, args):
        self.node = node
        self.args = args
        self.locals = dict.fromkeys(node.locals, UNDEF)


class Run:
    """One lifted adverb call: the batch shape, the frames, the selected elements."""

    def __init__(self, interp_globals, batch):
        self.g = interp_globals
        self.batch = tuple(batch)      # the sizes of the element axes, outermost first
        self.level = len(self.batch)
        self.frames = []
        self.active = None             # bool tensor over the batch, in a conditional
        self.copies = {}               # id -> row-major copy of a strided plain tensor


    # -- values at the current level ----------------------------------------------------

    def up(self, v):
        """v at the current level: a Lifted from an outer level gains the inner element
        axes, a plain tensor gains all of them (views, no copies); numbers stay numbers."""
        level = self.level
        if type(v) is Lifted:
            if v.level == level:
                return v
            t = v.t
            extra = level - v.level
            t = t.reshape(t.shape[:v.level] + (1,) * extra + t.shape[v.level:])
            # the new axes go after v's element axes: they extend src's expanded ones only
            # when src has no element axis among v's (else src no longer describes t)
            src = v.src if v.src is not None and v.src[1] == v.level else None
            if src is not None:
                src = (src[0], level)
            return Lifted(t.expand(self.batch + t.shape[level:]), level, v.py, v.dense, src)
        if type(v) is Tensor and v.dim() > 0:
            t = v.reshape((1,) * level + v.shape).expand(self.batch + v.shape)
            dense = v.is_contiguous()
            return Lifted(t, level, False, dense, None if dense else (v, level))
        return v

    def rowmajor(self, v):
        """The tensor to compute with: for one expanded from a strided plain tensor (a
        transposed matrix), the same values laid out row-major. The loop's results from
        strided rows are fresh row-major vectors, and a later sum's order follows the
        layout; a matrix product (matrix_product) needs no copy, so it is made here."""
        if type(v) is not Lifted:
            return v
        if v.src is None:
            return v.t
        src, k = v.src
        hit = self.copies.get(id(src))
        if hit is None or hit[0] is not src:
            hit = self.copies[id(src)] = (src, src.contiguous())
        c = hit[1]
        return c.reshape((1,) * k + c.shape).expand(v.t.shape)

    def mask(self):
        a = self.active
        if a is None or a.dim() == self.level:
            return a
        return self.up(Lifted(a, a.dim(), False)).t

    def materialize(self, v):
        """v as a Lifted at the current level: what the element loop's list would hold."""
        v = self.up(v)
        if type(v) is Lifted:
            return v
        shape = self.batch
        if type(v) is int:
            if not -LIMIT < v < LIMIT:
                raise Bail
            return Lifted(torch.full(shape, v, dtype=torch.int64, device=ctx.device), self.level,
                          True)
        if type(v) is float:
            return Lifted(torch.full(shape, v, dtype=ctx.real, device=ctx.device), self.level,
                          True)
        if type(v) is Tensor:               # 0-d
            return Lifted(v.expand(shape), self.level, False)
        raise Bail                          # a string, a symbol, :undefined, a function...

    # -- nodes ---------------------------------------------------------------------------

    def ev(self, n):
        return self.NODES[type(n)](self, n)

    def const(self, n):
        v = n.value
        if type(v) is Tensor or type(v) is int or type(v) is float:
            return v
        raise Bail

    def var(self, n):
        name = n.name
        frame = self.frames[-1]
        if name in ARGS and name not in frame.node.locals:
            i = ARGS.index(name)
            if i >= len(frame.args):
                raise Bail
            return frame.args[i]
        for f in reversed(self.frames):
            if name in f.locals:
                v = f.locals[name]
                break
        else:
            v = self.g.get(name, UNDEF)
        if v is UNDEF:
            raise Bail
        return v

    def define(self, n):
        v = self.ev(n.expr)
        self.frames[-1].locals[n.name] = v
        return v

    def lam(self, n):
        return _Body(n)                     # only a callee: :> and calls take it

    def cond(self, n):
        return self._cond(n.clauses, n.otherwise)

    def _cond(self, clauses, otherwise):
        """:[p;c;...]: both branches on every element, then torch.where. A branch runs
        under `active`, the elements that take it, so that guards look only at those."""
        if not clauses:
            return self.ev(otherwise)
        (p, c), rest = clauses[0], clauses[1:]
        m = self.test(p)
        if type(m) is bool:                 # the same for every element
            return self.ev(c) if m else self._cond(rest, otherwise)
        outer = self.mask()
        yes = m if outer is None else m & outer
        no = ~m if outer is None else ~m & outer
        try:
            self.active = yes
            a = self.ev(c)
            self.active = no
            b = self._cond(rest, otherwise)
            self.active = outer
            return self.merge(m, a, b)
        except GIVE_WAY:
            # a branch that no element takes may fail, or have another type: the loop
            # never runs it (checked only now: most conditionals never need to)
            self.active = outer
            if not bool(yes.any()):
                return self._cond(rest, otherwise)
            if not bool(no.any()):
                return self.ev(c)
            raise
        finally:
            self.active = outer

    def test(self, p):
        """A conditional's test: a bool over the batch, or one bool for all elements."""
        if type(p) is Dyad and type(p.verb) is Op and _compares(p.verb.sym):
            y = self.ev(p.right)
            x = self.ev(p.left)
            m = self.compare(p.verb.sym, x, y)
            if m is not None:
                return m
            v = self.dyad(p.verb.sym, x, y)
        else:
            v = self.ev(p)
        if type(v) is not Lifted:
            if type(v) not in (int, float, Tensor):
                raise Bail
            return bool(truth(v))
        v = self.up(v)
        if v.elem:                          # a list is true when it is not empty: all alike
            return bool(v.elem[0])
        return v.t != 0

    def compare(self, sym, x, y):
        """x<y as a bool mask straight from torch, where the primitive's answer (0 or 1)
        would only be compared with 0 again: numbers of one kind, one per element."""
        x, y = self.up(x), self.up(y)
        kinds = []
        for v in (x, y):
            if type(v) is Lifted:
                if v.elem:
                    return None
                kinds.append(v.t.dtype)
            elif type(v) is int and -LIMIT < v < LIMIT:
                kinds.append(torch.int64)
            elif type(v) is float:
                kinds.append(ctx.real)
            else:
                return None
        if kinds[0] != kinds[1]:
            return None
        op = COMPARE[VERBS[sym].python]
        return op(x.t if type(x) is Lifted else x, y.t if type(y) is Lifted else y)

    def merge(self, m, a, b):
        """torch.where(m, a, b), when every element's result has one type and shape."""
        a, b = self.up(a), self.up(b)
        if type(a) is not Lifted and type(b) is not Lifted:
            a = self.materialize(a)
        la, lb = (a if type(a) is Lifted else None), (b if type(b) is Lifted else None)
        ref = la or lb
        if not _mergeable(a, b, la, lb, ref):
            raise Bail                      # a list of two types or shapes, or not numbers
        where = m.reshape(m.shape + (1,) * len(ref.elem))
        return Lifted(torch.where(where, a.t if la else a, b.t if lb else b), self.level,
                      _pythonic(a) and _pythonic(b), _dense(a) and _dense(b))

    def monad(self, sym, v):
        verb = VERBS[sym]
        if type(v) is not Lifted:
            return self.plain(verb.monad, v)
        try:
            r = verb.monad(self.rowmajor(v))
        except KlongError:
            raise Bail from None
        guard = verb.guards[2 if v.py else 3]
        if guard is not None and guard(v.t, r, self.mask()):
            raise Bail
        return self.result(r, v.py, v.dense)

    def dyad(self, sym, a, b):
        verb = VERBS[sym]
        if type(a) is not Lifted and type(b) is not Lifted:
            return self.plain(verb.dyad, a, b)
        a, b = self.up(a), self.up(b)
        x, y = self.rowmajor(a), self.rowmajor(b)
        if _mixed_reals(x, y):
            raise Bail                      # float32 beside float64: the loop keeps each
        if ctx.klongpy and type(a) is Lifted and type(b) is Lifted and x.dim() != y.dim():
            x, y = self.elements_right(x, y)
        py = _pythonic(a) and _pythonic(b)
        try:
            r = verb.dyad(x, y)
        except KlongError:
            raise Bail from None
        guard = verb.guards[0 if py else 1]
        if guard is not None and guard(x, y, r, self.mask()):
            raise Bail
        return self.result(r, py, _dense(a) and _dense(b))

    def elements_right(self, x, y):
        """The KlongPy dialect pairs two elements' shapes from their last axes (NumPy), and
        the batch axes come first: the smaller element gains its leading 1s after them, so
        that the pairing sees elements, not the batch (klongtorch.verbs.dialect)."""
        level = self.level
        if x.dim() < y.dim():
            return x.reshape(x.shape[:level] + (1,) * (y.dim() - x.dim()) + x.shape[level:]), y
        return x, y.reshape(y.shape[:level] + (1,) * (x.dim() - y.dim()) + y.shape[level:])

    def result(self, r, py, dense):
        """A primitive's answer on lifted operands: one tensor over the whole batch, or the
        element loop would have built something else (exact integers, mixed types). The
        loop's results are new tensors: a vector is row-major, a bigger element keeps the
        layout of its operands (torch's rule)."""
        if type(r) is not Tensor or r.shape[:self.level] != self.batch:
            raise Bail
        return Lifted(r, self.level, py and _numbers(r, self.level),
                      dense or r.dim() <= self.level + 1)

    def plain(self, fn, *args):
        """A verb on values that are the same for every element: once, as it is."""
        try:
            return fn(*args)
        except KlongError:
            raise Bail from None

    def reduce(self, sym, v):
        if type(v) is not Lifted:
            return self.plain(over, VERBS[sym], v)
        v = self.up(v)
        elem = v.elem
        if not elem:
            return v                        # over an atom is the atom
        n = elem[0]
        if n == 0:
            raise Bail
        if v.t.dtype.is_floating_point and sym in "+*" and n > 1 and \
                (not v.dense):
            # torch's order of adding reals follows the memory layout: a row that is a
            # strided view in the loop (of a transposed matrix) adds in another order than
            # the batch's row-major copy; integers and max/min are exact in any order
            raise Bail
        level = self.level
        r = v.t.select(level, 0) if n == 1 else self.fold(sym, v, n)
        return Lifted(r, level, _numbers(r, level))

    def fold(self, sym, v, n):
        """The reduction by sym of v's n > 1 elements, at once over the batch."""
        t = v.t
        if not t.dtype.is_floating_point and _overflows(sym, bound(t), n):
            raise Bail                      # the loop would fold in exact integers
        # the loop reduces each element's own fresh (row-major) tensor, and torch's sum
        # order follows the memory layout: a product of expanded operands need not be
        # row-major, so it is made so first
        if t.dtype.is_floating_point and sym in "+*":
            t = self.rowmajor(v).contiguous()
        return VERBS[sym].monoid(t, self.level)

    def math(self, fn, v):
        if type(v) is not Lifted:
            raise Bail      # the same for every element: not worth a path of its own
        t = v.t if v.t.dtype.is_floating_point else v.t.to(ctx.real)
        r = fn(t)
        return Lifted(r, self.level, v.py and not carries_grad(r),
                      v.dense or r.dim() <= self.level + 1)

    def each(self, f, args, adverb):
        """An adverb inside the body: the elements it runs over become a new level."""
        args = [self.up(a) for a in args]
        if adverb == ":/":                  # a f:/b is f(b1;a), f(b2;a)...
            args.reverse()
        # which arguments run over their elements: each's all, each-left's b, each-right's b
        over_ = {"'": range(len(args)), ":\\": [1], ":/": [0]}[adverb]
        lists = _lists(args, over_)
        if lists is None:
            return f.call(self, args, adverb=True)   # an atom: one call, as the loop
        n = min(args[i].elem[0] for i in lists)
        if n == 0:
            raise Bail
        level = self.level
        for i in lists:
            args[i] = _level_down(args[i], level, n)
        self.batch += (n,)
        self.level += 1
        saved = self.active
        try:
            r = self.materialize(f.call(self, args, adverb=True))
        finally:
            self.batch = self.batch[:-1]
            self.level -= 1
            self.active = saved
        if r.elem and r.elem[0] == 0:
            raise Bail                      # a list of empty lists is not an array
        return Lifted(r.t, level, False)

    def callee(self, n):
        """The lifted callee a verb or function node names."""
        t = type(n)
        if t is Lambda:
            return _Body(n)
        if t is Op:
            return _Prim(n.sym)
        if t is Adverbed:
            return _Unary(Run.reduce, n.verb.sym)
        if t is Apply and any(a is None for a in n.args):
            fn = self.callee(n.fn)
            fixed = [None if a is None else self.ev(a) for a in n.args]
            return _Projection(fn, fixed)
        v = self.ev(n)
        if type(v) in (_Body, _Projection):
            return v
        c = callee(v)
        if c is None:
            raise Bail
        return c

    def x_monad(self, n):
        verb = n.verb
        if type(verb) is Op:
            return self.monad(verb.sym, self.ev(n.arg))
        if verb.adverb == "/":
            arg = n.arg
            if verb.verb.sym == "+" and type(arg) is Dyad and type(arg.verb) is Op and \
                    arg.verb.sym == "*":
                b = self.ev(arg.right)
                a = self.ev(arg.left)
                r = self.matrix_product(a, b)
                if r is not None:
                    return r
                return self.reduce("+", self.dyad("*", a, b))
            return self.reduce(verb.verb.sym, self.ev(arg))
        arg = self.ev(n.arg)
        return self.each(self.callee(verb.verb), [arg], "'")

    def matrix_product(self, a, b):
        """+/x*y two eaches deep, where x varies with the outer element only and y with
        the inner one only ({{+/x*y}(x;)'T}'A): that is A mul T's transpose, one matmul.
        Reals only, and documented: BLAS adds the products in its own order, so the sums
        agree with the loop's to about 1e-15, not bit for bit. Anything else: None."""
        if self.level != 2:
            return None
        a, b = self.up(a), self.up(b)
        if type(a) is not Lifted or type(b) is not Lifted or len(a.elem) != 1 or \
                a.elem != b.elem or a.elem[0] < 2 or a.t.dtype != b.t.dtype or \
                not a.t.dtype.is_floating_point:
            return None
        x, y = a.t, b.t
        if x.stride(1) == 0 and y.stride(0) == 0:       # x[i,j] = X[i], y[i,j] = Y[j]
            r = x[:, 0, :] @ y[0, :, :].transpose(0, 1)
        elif x.stride(0) == 0 and y.stride(1) == 0:     # x[i,j] = X[j], y[i,j] = Y[i]
            r = y[:, 0, :] @ x[0, :, :].transpose(0, 1)
        else:
            return None
        return Lifted(r, 2, _numbers(r, 2))

    def x_dyad(self, n):
        verb = n.verb
        if type(verb) is Op:
            if verb.sym == ":>":
                f = self.callee(n.left)
                return self.grad(f, self.ev(n.right))
            b = self.ev(n.right)            # right to left, as the compiler does
            return self.dyad(verb.sym, self.ev(n.left), b)
        b = self.ev(n.right)
        f = self.callee(verb.verb)
        return self.each(f, [self.ev(n.left), b], verb.adverb)

    def x_apply(self, n):
        if any(a is None for a in n.args):
            return self.callee(n)
        args = [self.ev(a) for a in n.args]
        return self.callee(n.fn).call(self, args)

    def body(self, node, args):
        if len(self.frames) > 32 or any(f.node is node for f in self.frames):
            raise Bail                      # recursion: where would run both branches forever
        if not liftable(node):
            raise Bail
        self.frames.append(_Frame(node, args))
        try:
            v = None
            for stmt in node.body:
                v = self.ev(stmt)
            if v is None:
                raise Bail                  # {} is []
            return v
        finally:
            self.frames.pop()

    def grad(self, f, x):
        """f:>x for every element's x at once: one reverse pass over the sum, since each
        element's result depends on its own point alone."""
        depth = _Depth                     # autograd's count of differentiations running
        x = self.materialize(x)            # one point for all: the same gradient for each
        t = x.t if x.t.dtype.is_floating_point else x.t.to(ctx.real)
        nested = carries_grad(t) or depth.running > 0
        if not t.requires_grad:
            t = t.detach().requires_grad_(True)
        depth.running += 1
        try:
            with torch.enable_grad():
                y = self.materialize(f.call(self, [Lifted(t, self.level, False)]))
        finally:
            depth.running -= 1
        if y.elem:
            raise Bail                      # not a scalar function: the loop says so
        if not y.t.requires_grad:
            g = torch.zeros_like(t)
        else:
            yt = y.t if y.t.dtype.is_floating_point else y.t.to(ctx.real)
            g, = torch.autograd.grad(yt.sum(), t, create_graph=nested, allow_unused=True)
            if g is None:
                g = torch.zeros_like(t)
        if not nested and not bool(torch.isfinite(g).all()):
            raise Bail      # where() spreads an unselected branch's nan into the gradient
        if not nested:
            g = g.detach()
        return Lifted(g, self.level, not nested)

    NODES = {Const: const, Var: var, Define: define, Cond: cond, Lambda: lam,
             Monad: x_monad, Dyad: x_dyad, Apply: x_apply}


def _mergeable(a, b, la, lb, ref):
    """Whether torch.where can merge a and b (la, lb: those that are Lifted; ref: one of
    them): a number of the tensor's kind goes to where() as it is, with no full() to build;
    two tensors need one type and one element shape."""
    for v in (a, b):
        if type(v) is not Lifted and (_kind(v) != ref.t.dtype or ref.elem):
            return False
    return la is None or lb is None or (la.t.dtype == lb.t.dtype and la.elem == lb.elem)


def _mixed_reals(x, y):
    """float32 beside float64 (or any two kinds of real)."""
    return type(x) is Tensor and type(y) is Tensor and x.dtype != y.dtype and \
        x.dtype.is_floating_point and y.dtype.is_floating_point


def _overflows(sym, b, n):
    """Whether the sum (+) or product (*) of n integers bounded by b may leave int64."""
    return sym == "+" and n * b > LIMIT or sym == "*" and b > 1 and n * math.log2(b) > 61


def _lists(args, over):
    """The indices in over of the arguments an adverb runs over, all lifted lists; None
    when one is an atom (then the loop makes one call); Bail for anything else."""
    lists = []
    for i in over:
        v = args[i]
        if type(v) is not Lifted:
            if type(v) in (int, float) or type(v) is Tensor and v.dim() == 0:
                return None
            raise Bail
        if not v.elem:
            return None
        lists.append(i)
    return lists


def _level_down(v, level, n):
    """Lifted v one level down: its first n elements become part of the batch."""
    t = v.t
    if t.shape[level] != n:
        t = t.narrow(level, 0, n)           # each-2 ignores the longer list's excess
    src = v.src if t.shape[level] == v.t.shape[level] else None
    return Lifted(t, level + 1, _numbers(t, level + 1), v.dense, src)


def _kind(v):
    """The dtype a number takes in a list of numbers, or None."""
    if type(v) is int:
        return torch.int64 if -LIMIT < v < LIMIT else None
    if type(v) is float:
        return ctx.real
    return v.dtype if type(v) is Tensor else None


def _numbers(t, level):
    """Whether the element loop would hold t's elements as Python numbers: elements with
    no axes of their own, carrying no gradient (values.scalar)."""
    return t.dim() == level and not carries_grad(t)


def _dense(v):
    return v.dense if type(v) is Lifted else True


def _pythonic(v):
    return v.py if type(v) is Lifted else (type(v) is int or type(v) is float)


# -- entry points: the adverbs call these first -----------------------------------------------

def _elements(v):
    """A tensor's elements as a level-1 Lifted, or None when lifting does not apply."""
    if type(v) is not Tensor or v.dim() == 0 or v.shape[0] < ctx.lift_min:
        return None
    if v.dtype.is_floating_point and v.dtype != ctx.real and not carries_grad(v):
        v = v.to(ctx.real)                  # the loop's Python floats come back as ctx.real
    elif v.dtype is torch.bool or v.is_complex():
        return None
    return v


def apply(f, values, plain_before=(), plain_after=()):
    """f over the elements of values (tensors of equal length), each call also given
    plain_before and plain_after: the lifted result, or None (run the loop). The adverbs
    call it only while lifting is on (ctx.lift)."""
    c = callee(f)
    if c is None:
        return None
    run = Run(_globals(f), [values[0].shape[0]])
    args = list(plain_before) + [Lifted(v, 1, _numbers(v, 1),
                                        v.dim() == 1 or v[0].is_contiguous())
                                 for v in values] + list(plain_after)
    try:
        r = run.materialize(c.call(run, args, adverb=True))
        if r.elem and r.elem[0] == 0:
            raise Bail                      # a list of empty lists is not an array
    except GIVE_WAY:
        counts["gave way"] += 1
        return None
    counts["lifted"] += 1
    t = r.t
    return t if t.is_contiguous() else t.contiguous()


def _globals(f):
    projection = Projection
    while type(f) is projection:
        f = f.fn
    interp = getattr(f, "interp", None)
    return interp.globals if interp is not None else {}


def each(f, a):
    v = _elements(a)
    return None if v is None else apply(f, [v])


def each2(f, a, b):
    va, vb = _elements(a), _elements(b)
    if va is None or vb is None:
        return None
    n = min(va.shape[0], vb.shape[0])
    return apply(f, [_first(va, n), _first(vb, n)])


def _first(v, n):
    """v's first n elements; v itself when that is all of them (keeping its cached bound)."""
    if v.shape[0] == n:
        return v
    b = getattr(v, "_kb", None)
    return v[:n] if b is None else with_bound(v[:n], b)


def each_left(f, a, b):
    v = _elements(b)
    return None if v is None else apply(f, [v], plain_before=(a,))


def each_right(f, a, b):
    v = _elements(b)
    return None if v is None else apply(f, [v], plain_after=(a,))


