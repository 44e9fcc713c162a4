"""Pure integer functions: a lambda written a second time as the Python a person would write.

A lambda with no locals whose body, given integer arguments, is made only of integers,
its own arguments, the verbs with a Python-number fast path (primitives.Verb.python:
+ - * < > =, exact on Python ints and unable to fail), negation (-3 is written so),
conditionals and calls of global names with integer arguments computes an integer from
integers and does nothing else: it assigns nothing, reads no variable but the names it
calls, and raises no error (a recursion too deep or an interrupt passes through, as from
the generated body). So while every name it calls holds the function itself, its value is
that of this plain Python function. For fib::{:[x<2;x;fib(x-1)+fib(x-2)]}:

    def _pure(x):
      return (x if (x < 2) else (_pure((x - 1)) + _pure((x - 2))))

The generated body (codegen.py) enters it when its arguments are ints and the called names
hold the lambda (one dict lookup each, on entry from outside; inside, nothing can rebind
them, except another thread: a Python thread that rebinds fib while fib(30) runs in this
one is seen by the next call from outside, not by the calls already under way). That drops, per call, the type tests of the arguments and of the results, the
lookup of the name and the attribute call: fib(20) goes from 3.2x the handwritten CPython
function to about 1.0x. Each over a list of ints (adverbs.each, when lifting does not take
it) runs the body inline in one list comprehension, with no call per element at all.

Evaluation order is Python's, not Klong's right-to-left: with nothing to fail and nothing
to assign, no program can tell them apart.
"""
from klongtorch.engine.primitives import VERBS
from klongtorch.parse.parser import Apply, Cond, Const, Dyad, Monad, Op, Var


class NotPure(Exception):
    """The body has a part outside the pure subset: it keeps the generated body only."""


class PureWriter:
    """Writes the Python source of a pure lambda's body, or raises NotPure. params are
    its argument names, less any that is a dynamic local of a function around it (then x
    is that variable, as in codegen's x_Var); resolve(name) is a global's name after module
    renaming."""

    def __init__(self, params, resolve, outer_locals=frozenset()):
        self.signature = params
        self.params = tuple(p for p in params if p not in outer_locals)
        self.arity = len(params)
        self.resolve = resolve
        self.called = set()                  # the global names the body calls

    def source(self, body):
        lines = [f"def _pure({', '.join(self.signature)}):"]
        lines += [f"  {self.expr(stmt)}" for stmt in body[:-1]]
        lines.append(f"  return {self.expr(body[-1])}")
        return "\n".join(lines) + "\n"

    def expr(self, node):
        write = _NODES.get(type(node))
        if write is None:
            raise NotPure
        return write(self, node)

    def test(self, node):
        """A Python truth of node: Klong's truth of an integer is its being non-zero."""
        if type(node) is Dyad:
            return self.dyad(node, as_test=True)
        return self.expr(node)

    def const(self, node):
        if type(node.value) is not int:
            raise NotPure
        return f"({node.value!r})"

    def var(self, node):
        if node.name not in self.params:
            raise NotPure                    # a global's value may be anything
        return node.name

    def dyad(self, node, as_test=False):
        verb = node.verb
        record = VERBS.get(verb.sym) if type(verb) is Op else None
        if record is None or record.python is None:
            raise NotPure
        value = f"({self.expr(node.left)} {record.python} {self.expr(node.right)})"
        # a comparison's Klong value is 1 or 0, an int, as the generated fast path gives
        return f"(1 if {value} else 0)" if record.compares and not as_test else value

    def monad(self, node):
        verb = node.verb
        if type(verb) is not Op or verb.sym != "-":
            raise NotPure
        return f"(-{self.expr(node.arg)})"

    def cond(self, node):
        text = self.expr(node.otherwise)
        for p, c in reversed(node.clauses):
            text = f"({self.expr(c)} if {self.test(p)} else {text})"
        return text

    def apply(self, node):
        fn = node.fn
        if type(fn) is not Var or fn.name in self.params or fn.name == ".f" or \
                len(node.args) != self.arity or any(a is None for a in node.args):
            raise NotPure                    # only full calls of a global name
        self.called.add(self.resolve(fn.name))
        return f"_pure({', '.join(self.expr(a) for a in node.args)})"


# the nodes of the pure subset and their writers; any other node is NotPure
_NODES = {Const: PureWriter.const, Var: PureWriter.var, Dyad: PureWriter.dyad,
          Monad: PureWriter.monad, Cond: PureWriter.cond, Apply: PureWriter.apply}


def write(node, params, resolve, outer_locals=frozenset()):
    """The twin of a lambda literal node, or None when it is not pure: (the source that
    defines _pure and, for a monad of one expression, _each_int; the condition, in the
    generated body's names, under which they may run). _each_int(items) is each over a list
    of Python ints, written as a list comprehension with the body inline ([(x + 1) for x
    in items] for {x+1}), or None when that condition fails."""
    if node.locals or not params or not node.body:
        return None
    w = PureWriter(params, resolve, outer_locals)
    try:
        text = w.source(node.body)
    except NotPure:
        return None
    guard = " and ".join(f"g.get({n!r}) is _self" for n in sorted(w.called)) or "True"
    if params == ("x",) and len(node.body) == 1:
        text += (f"def _each_int(items):\n"
                 f"  return [{w.expr(node.body[0])} for x in items] if {guard} else None\n")
    return text, guard
