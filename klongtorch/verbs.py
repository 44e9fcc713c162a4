"""The primitive table: each operator symbol with its monad and its dyad.

This one table drives the compiler, the adverbs, ]h help, and the kernel's completion and
inspection. A primitive's help is the docstring of the function that implements it.
"""
from . import arith, lists

# symbol -> (monad, dyad); None where Klong defines no such form
PRIMITIVES = {
    "+": (lists.transpose, arith.plus),
    "-": (arith.negate, arith.minus),
    "*": (lists.first, arith.times),
    "%": (arith.reciprocal, arith.divide),
    "^": (lists.shape, arith.power),
    "!": (lists.enumerate_, arith.remainder),
    "&": (lists.where, arith.min_and),
    "|": (lists.reverse, arith.max_or),
    "<": (lists.grade_up, arith.less),
    ">": (lists.grade_down, arith.more),
    "=": (lists.group, arith.equal),
    "~": (arith.not_, lists.match),
    ",": (lists.enlist, lists.join),
    "#": (lists.size, lists.take),
    "_": (arith.floor, lists.drop),
    "?": (lists.range_, lists.find),
    "@": (lists.atom, lists.index),
    "$": (lists.format_, lists.format2),
    ":#": (arith.char, lists.split),
    ":_": (lists.undefined, lists.cut),
    ":^": (None, lists.reshape),
    ":+": (None, lists.rotate),
    ":=": (None, lists.amend),
    ":-": (None, lists.amend_depth),
    ":@": (None, lists.index_depth),
    ":%": (None, arith.int_divide),
    ":$": (None, lists.form),
}

# dyads that act element by element (each-pair and friends can vectorise these)
ATOMIC_DYADS = {"+", "-", "*", "%", "^", "!", "&", "|", "<", ">", "=", ":%"}


class Prim:
    """A primitive operator used as a verb (for adverbs): call1 is its monad, call2 its dyad."""
    __slots__ = ("sym", "monad", "dyad", "call1", "call2", "atomic", "name")

    def __init__(self, sym):
        from .errors import err
        self.sym = sym
        self.monad, self.dyad = PRIMITIVES[sym]
        self.atomic = sym in ATOMIC_DYADS
        self.name = sym

        def no_monad(a):
            raise err(sym, "arity", text=f"{sym} has no monadic form")

        def no_dyad(a, b):
            raise err(sym, "arity", text=f"{sym} has no dyadic form")
        self.call1 = self.monad or no_monad
        self.call2 = self.dyad or no_dyad

    def call(self, args):
        return self.call1(*args) if len(args) == 1 else self.call2(*args)


PRIMS = {sym: Prim(sym) for sym in PRIMITIVES}


def verb_name(fn):
    """The reference's name for a primitive function: 'Plus' for arith.plus."""
    doc = (fn.__doc__ or "").strip().split("\n")[0]
    return doc.split("  ", 1)[1].strip() if "  " in doc else fn.__name__
