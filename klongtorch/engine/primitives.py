"""The verbs: one record per primitive operator, where each of its facts is written once.

A Verb says what its symbol does monadically and dyadically (the functions that implement
it, whose docstrings are the help text of ]h, the kernel's inspector and completion), and
what the parts of the interpreter that treat verbs specially need to know:

    atomic        the dyad's pervade.Atomic facts (arith): pervasion reads them, and they
                  make the dyad atomic for each-pair and lifting; None: not atomic
    atomic_monad  the monad acts on each number alone (lifting)
    python        the dyad on two Python numbers is this Python operator (the compiler's
                  fast path), and compares: it gives a truth (1 if a<b else 0)
    arrays        the dyad where its operands are not two Python numbers: what the
                  compiler calls past that fast path, skipping the dyad's own test for
                  numbers (None: the dyad itself); with_number gives it with one operand
                  a literal number
    over, scan    a whole-tensor fast path for f/a and f\\a (adverbs)
    monoid        for an associative and commutative dyad, its torch reduction along an axis
                  (sum, prod, amax, amin): a/b may then reduce b first (over-neutral), and
                  lifting may reduce an element's axis
    guards        where its numbers and its tensors part ways (lift.py): the checks a
                  lifted call makes, (dyad on Python numbers, dyad on whole tensors,
                  monad on Python numbers, monad on whole tensors)

The compiler, the adverbs, pervasion, lifting, help and completion all read VERBS. A Verb
is also the callable an adverb gets for an operator (+/, -'): call1 is its monad, call2
its dyad. The dual-number derivatives (dual.py) are the one table kept apart: they are
keyed by the atomic name, which every record carries.
"""
import functools

import torch

from klongtorch.autograd import derivatives
from klongtorch.value.errors import err
from klongtorch.verbs import (amend, arith, build, folds, formats, guards, measure, pervade,
                              reorder, reshape, search, select)


def _no_form(sym, kind):
    def missing(*args):
        raise err(sym, "arity", text=f"{sym} has no {kind} form")
    return missing


class Verb:
    __slots__ = ("sym", "monad", "dyad", "atomic", "atomic_monad", "python", "compares",
                 "arrays", "over", "scan", "monoid", "guards", "call1", "call2", "name")

    def __init__(self, sym, monad, dyad, atomic=None, atomic_monad=False, python=None,
                 compares=False, arrays=None, over=None, scan=None, monoid=None,
                 guards=(None, None, None, None)):
        self.sym, self.monad, self.dyad = sym, monad, dyad
        self.atomic, self.atomic_monad = atomic, atomic_monad
        self.python, self.compares, self.arrays = python, compares, arrays
        self.over, self.scan, self.monoid = over, scan, monoid
        self.guards = guards
        self.name = sym
        self.call1 = monad or _no_form(sym, "monadic")
        self.call2 = dyad or _no_form(sym, "dyadic")

    def call(self, args):
        return self.call1(*args) if len(args) == 1 else self.call2(*args)

    def with_number(self, n, left, fresh=False):
        """For a verb with an arrays form: the dyad with the literal number n on its left
        (left) or right, as a function of the other operand (pervade.with_number; fresh:
        that operand is a temporary nothing else holds)."""
        return pervade.with_number(self.dyad, self.atomic, n, left, fresh)

    def into_fresh(self, fresh_left):
        """For a verb with an arrays form that can overwrite: the dyad of two values, one of
        them (the left if fresh_left) a temporary nothing else holds (pervade.into_fresh)."""
        return pervade.into_fresh(self.dyad, self.atomic, fresh_left)

    def __repr__(self):
        return f"<klong verb {self.sym}>"


def _arrays(dyad, facts):
    """The arith dyads that test for two Python numbers and else pervade (plus, minus,
    times), past that test: one Python call less (some 70 ns) on every array operation
    the compiler writes."""
    return functools.partial(pervade.dyadic, dyad, facts)


G = guards.GUARDS
VERBS = {v.sym: v for v in [
    Verb("+", reorder.transpose, arith.plus, arith.PLUS, python="+",
         arrays=_arrays(arith.plus, arith.PLUS), over=folds.sum_fold,
         scan=folds.cumsum, monoid=torch.sum, guards=(G.mixed_big, None, None, None)),
    Verb("-", arith.negate, arith.minus, arith.MINUS, atomic_monad=True, python="-",
         arrays=_arrays(arith.minus, arith.MINUS), over=folds.minus_fold,
         guards=(G.mixed_big, None, None, None)),
    Verb("*", select.first, arith.times, arith.TIMES, python="*",
         arrays=_arrays(arith.times, arith.TIMES), over=folds.prod_fold,
         scan=folds.cumprod, monoid=torch.prod, guards=(G.mixed_big, None, None, None)),
    Verb("%", arith.reciprocal, arith.divide, arith.DIVIDE, atomic_monad=True,
         guards=(G.divide, None, G.reciprocal, None)),
    Verb("^", measure.shape, arith.power, arith.POWER,
         guards=(G.power, G.negative_exponent, None, None)),
    Verb("!", build.enumerate_, arith.remainder, arith.REMAINDER),
    Verb("&", build.where, arith.min_and, arith.MIN, over=folds.min_fold,
         scan=folds.cummin, monoid=torch.amin, guards=(G.pick, None, None, None)),
    Verb("|", reorder.reverse, arith.max_or, arith.MAX, over=folds.max_fold,
         scan=folds.cummax, monoid=torch.amax, guards=(G.pick, None, None, None)),
    Verb("<", reorder.grade_up, arith.less, arith.LESS, python="<", compares=True,
         guards=(G.mixed_big, None, None, None)),
    Verb(">", reorder.grade_down, arith.more, arith.MORE, python=">", compares=True,
         guards=(G.mixed_big, None, None, None)),
    Verb("=", search.group, arith.equal, arith.EQUAL, python="==", compares=True,
         guards=(G.mixed_big, None, None, None)),
    Verb("~", arith.not_, search.match, atomic_monad=True),
    Verb(",", build.enlist, build.join, over=folds.join_fold),
    Verb("#", measure.size, select.take),
    Verb("_", arith.floor, select.drop, atomic_monad=True, guards=(None, None, G.floor, G.floor)),
    Verb("?", search.range_, search.find),
    Verb("@", measure.atom, select.index),
    Verb("$", formats.format_, formats.format2),
    Verb(":#", arith.char, reshape.split),
    Verb(":_", measure.undefined, reshape.cut),
    Verb(":^", None, reshape.reshape),
    Verb(":+", None, reorder.rotate),
    Verb(":=", None, amend.amend),
    Verb(":-", None, amend.amend_depth),
    Verb(":@", None, select.index_depth),
    Verb(":%", None, arith.int_divide, arith.INT_DIVIDE),
    Verb(":$", None, formats.form),
    # KlongPy's extensions; the compiler runs a dyadic ∇ itself (derivatives.DYADS), with the
    # nilad-and-variable rule: the dyad here is what an adverb gets, x∇'fs
    Verb("∇", derivatives.gradient_function, derivatives.numeric_gradient),
    Verb("˙", derivatives.track, None),
]}
del G


def verb_name(fn):
    """The reference's name for a primitive function: 'Plus' for arith.plus."""
    doc = (fn.__doc__ or "").strip().split("\n")[0]
    return doc.split("  ", 1)[1].strip() if "  " in doc else fn.__name__
