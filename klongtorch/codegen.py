"""Function bodies as generated Python: one Python function per Klong function literal.

The closure compiler (compiler.py) turns every node into a closure, so one Klong operation
costs several Python calls. A function body runs often (a loop, a recursion), so it is
compiled further: its names, arities and verbs are resolved once, then written out as the
source of one Python function and exec'd. For fib::{:[x<2;x;fib(x-1)+fib(x-2)]} the
generated code has this shape (slots such as _less hold the objects it refers to):

    def body(x):
      try:
        if type(x) is int:             # Python-number fast path of a comparison
          _c0 = x < 2
        else:
          _c0 = _truth(_less(x, 2))      # everything else: the primitive itself
        if _c0:
          return x
        if type(x) is int:
          _t1 = x - 2
        else:
          _t1 = _minus(x, 2)
        _t2 = g['fib']                 # dynamic scope: every free name is one dict lookup
        _t3 = _t2.run1(_t1) if type(_t2) is _Lambda else _call(_t2, (_t1,), 'fib')
        ...
        return _t7
      except BaseException as _e:
        raise _fail(_e, _W)

Evaluation order is the closure compiler's: a dyad's right operand first, a function's
arguments before the function. Fast paths cover only Python int and float operands, whose
results are what the primitives would return (ints stay exact bignums); tensors, dual
numbers and compile-time proxies take the primitive, so autograd and capture see the same
calls as before. Nodes with their own compile rules (the :> family, see autograd.py) stay
closures, called with the argument tuple `a`.

Errors cost nothing until one happens: the handler maps the failing line of the generated
code to the node written there (_W: line -> (position, name, kind)) and locates the error,
or turns a stray Python exception into a Klong one, as Compiler.guard does for closures.
"""
from .errors import KlongError, KlongExit
from .functions import Function, Lambda as LambdaValue, to_callable
from .lists import amend, amend_one, join as join_verb
from .parser import (Adverbed, Apply, Cond, Const, Define, DictLit, Dyad, Lambda, Monad, Op,
                     Var)
from .values import Dict, truth
from .verbs import PRIMITIVES, verb_name

ARGS = ("x", "y", "z")

# dyads whose Python-number result is the Python operator's: sym -> (operator, is comparison)
FAST_DYADS = {"+": ("+", False), "-": ("-", False), "*": ("*", False),
              "<": ("<", True), ">": (">", True), "=": ("==", True)}

PASS_THROUGH = (KeyboardInterrupt, RecursionError, MemoryError, KlongExit, GeneratorExit)


def _call(f, args, where):
    """A call of something that is not a lambda: a projection, a system function, an error."""
    return to_callable(f, where).call(args)


def _fail(e, where_by_line, source):
    """The exception to raise for e, which escaped the generated function at some line."""
    if isinstance(e, PASS_THROUGH):
        return e
    tb = e.__traceback__
    site = where_by_line.get(tb.tb_lineno) if tb is not None else None
    if site is None:
        return e
    pos, name, kind = site
    if isinstance(e, KlongError):
        return e.locate(pos, source)
    if kind == "var" and isinstance(e, KeyError):
        new = KlongError(f"kg: error: undefined: {name.split('`')[0]}", pos, source)
        new.__suppress_context__ = True
        return new
    if not isinstance(e, Exception):
        return e
    from .compiler import python_error
    new = python_error(e, name).locate(pos, source)
    new.__cause__ = e
    return new


def _literal(v):
    """Python source for a constant that can be written inline, or None."""
    if type(v) is int:
        return repr(v) if v >= 0 else f"({v!r})"
    if type(v) is float and v == v and v not in (float("inf"), float("-inf")):
        return repr(v) if v >= 0 else f"({v!r})"
    return None


class BodyWriter:
    """Writes the Python source of one function body (see the module docstring)."""

    def __init__(self, compiler, fn, scope, arity):
        self.compiler = compiler
        self.fn = fn
        self.scope = scope
        self.params = ARGS[:arity]
        self.lines = []
        self.depth = 2                        # inside def and try
        self.ns = {"g": compiler.g, "type": type, "isinstance": isinstance,
                   "_Lambda": LambdaValue, "_Function": Function, "_Dict": Dict,
                   "_truth": truth, "_call": _call, "_to_callable": to_callable,
                   "_fail": _fail, "_src": compiler.source}
        self.where = {}
        self.count = 0
        self.uses_a = False
        self.temps = set()                    # the local temporaries (not the slots)

    # -- output --------------------------------------------------------------------------

    def line(self, text, site=None):
        self.lines.append("  " * self.depth + text)
        if site is not None:
            self.where[len(self.lines) + 2] = site      # +2: the def and try lines

    def temp(self, prefix="_t"):
        self.count += 1
        name = f"{prefix}{self.count}"
        if prefix == "_t":
            self.temps.add(name)
        return name

    def target(self, *operands):
        """Where to put a result computed from operands: an operand's temporary, if one is
        (each value is used once, so it is dead once its user has run), or a new one.
        Rebinding drops the operand at once, as Python's own nested calls do: in 2*1+!n the
        array !n is freed before 2* makes its result, which then reuses !n's memory (still
        in cache) instead of a third buffer, 4-10% of the time at a million elements."""
        for v in operands:
            if v in self.temps:
                return v
        return self.temp()

    def slot(self, value, prefix="_k"):
        name = self.temp(prefix)
        self.ns[name] = value
        return name

    def closure(self, node):
        """A node compiled by the closure compiler, called with the argument tuple."""
        self.uses_a = True
        return self.slot(self.compiler.expr(node, self.scope), "_c") + "(a)"

    def source(self, body):
        head = f"def body({', '.join(self.params)}):"
        lines = [head, "  try:"]
        if self.uses_a:
            tup = "(" + "".join(p + ", " for p in self.params) + ")"
            lines.append(f"    a = {tup}")
            shift = 1
        else:
            shift = 0
        lines += self.lines
        lines += ["  except BaseException as _e:", "    raise _fail(_e, _W, _src)"]
        self.ns["_W"] = {k + shift: v for k, v in self.where.items()}
        return "\n".join(lines) + "\n"

    def build(self, body):
        """The generated Python function for a list of statement nodes."""
        if not body:
            self.line("return []")
        else:
            for stmt in body[:-1]:
                self.expr(stmt)
            self.ret(body[-1])
        text = self.source(body)
        exec(compile(text, f"<klong {self.fn.source[:40]}>", "exec"), self.ns)
        fn = self.ns["body"]
        fn.klong_source = text            # for reading what was generated
        return fn

    # -- statements ----------------------------------------------------------------------

    def ret(self, node):
        if type(node) is Cond:
            self.cond(node, self.ret)
        else:
            self.line(f"return {self.expr(node)}")

    def cond(self, node, finish):
        """:[p;c;...;e] as if/elif chains; finish(node) writes what a branch yields."""
        opened = 0
        for p, c in node.clauses:
            test = self.test(p)
            self.line(f"if {test}:")
            self.depth += 1
            finish(c)
            self.depth -= 1
            self.line("else:")
            self.depth += 1
            opened += 1
        finish(node.otherwise)
        self.depth -= opened

    def test(self, node):
        """A Python boolean expression for Klong truth of node."""
        if type(node) is Dyad and type(node.verb) is Op and node.verb.sym in FAST_DYADS \
                and node.verb.sym not in self.compiler.special:
            op, is_cmp = FAST_DYADS[node.verb.sym]
            if is_cmp:
                c = self.temp("_c")
                self.dyad(node, c, as_test=True)
                return c
        v = self.expr(node)
        return f"({v} if type({v}) is int else _truth({v}))"

    # -- expressions: each returns a Python expression (a name or a literal) --------------

    def expr(self, node):
        return getattr(self, "x_" + type(node).__name__)(node)

    def x_Const(self, node):
        lit = _literal(node.value)
        return lit if lit is not None else self.slot(node.value)

    def x_DictLit(self, node):
        t = self.temp()
        self.line(f"{t} = _Dict({self.slot(node.value)})")
        return t

    def x_Var(self, node):
        name = node.name
        if name in ARGS and name not in self.scope.locals:
            if name in self.params:
                return name
            return self.closure(node)         # an argument this arity lacks: as before
        if name == ".f":
            return self.slot(self.fn)
        return self.lookup(self.compiler.resolve(name, self.scope), node.pos)

    def lookup(self, name, pos):
        t = self.temp()
        self.line(f"{t} = g[{name!r}]", (pos, name, "var"))
        return t

    def x_Define(self, node):
        c = self.compiler
        name = c.resolve(node.name, self.scope, defining=True)
        v = self.expr(node.expr)
        self.line(f"g[{name!r}] = {v}")
        # functions remember their first name (v is a literal when the value is a constant)
        if type(node.expr) not in (Const, DictLit) and v.isidentifier():
            self.line(f"if isinstance({v}, _Function) and {v}.name is None:")
            self.line(f"  {v}.name = {node.name!r}")
        return v

    def x_Cond(self, node):
        t = self.temp()

        def assign(n):
            self.line(f"{t} = {self.expr(n)}")
        self.cond(node, assign)
        return t

    def x_Lambda(self, node):
        return self.slot(self.compiler.expr(node, self.scope)(()))

    def x_Monad(self, node):
        verb = node.verb
        if type(verb) is Op:
            fn = PRIMITIVES.get(verb.sym, (None, None))[0]
            if fn is None:
                raise KlongError(f"kg: error: syntax error: {verb.sym} has no monadic form",
                                 verb.pos, self.compiler.source)
            arg = self.expr(node.arg)
            t = self.target(arg)
            self.line(f"{t} = {self.slot(fn, '_p')}({arg})", (verb.pos, verb_name(fn), "op"))
            return t
        get = self.verb(verb)
        arg = self.expr(node.arg)
        t = self.target(arg)
        self.line(f"{t} = {get}.call1({arg})", (verb.pos, "monad", "op"))
        return t

    def x_Dyad(self, node):
        if type(node.verb) is Op and node.verb.sym in self.compiler.special:
            t = self.temp()
            self.line(f"{t} = {self.closure(node)}")
            return t
        return self.dyad(node, None)

    def dyad(self, node, t, as_test=False):
        """t = left verb right, and t; t None: a target() of the operands. as_test: t is
        the Python truth of the result."""
        verb = node.verb
        if type(verb) is not Op:
            r = self.expr(node.right)
            get = self.verb(verb)
            left = self.expr(node.left)
            t = t or self.target(r, left)
            self.line(f"{t} = {get}.call2({left}, {r})", (verb.pos, "dyad", "op"))
            return t
        fn = PRIMITIVES.get(verb.sym, (None, None))[1]
        if fn is None:
            raise KlongError(f"kg: error: syntax error: {verb.sym} has no dyadic form",
                             verb.pos, self.compiler.source)
        if verb.sym == ":=" and not as_test and _is_join(node.right):
            return self.amend_one(node, t)
        r = self.expr(node.right)
        left = self.expr(node.left)
        t = t or self.target(r, left)
        site = (verb.pos, verb_name(fn), "op")
        call = f"{self.slot(fn, '_p')}({left}, {r})"
        fast = FAST_DYADS.get(verb.sym)
        if fast is None:
            self.line(f"{t} = {call}", site)
            return t
        op, is_cmp = fast
        # a literal operand needs no test; ints first (loops count in them), then floats
        tested = [v for v in (left, r) if v.isidentifier()]
        if is_cmp:
            fast_value = f"{left} {op} {r}" if as_test else f"1 if {left} {op} {r} else 0"
        else:
            fast_value = f"{left} {op} {r}"
        slow_value = f"_truth({call})" if as_test else call
        if not tested:
            self.line(f"{t} = {fast_value}")
            return t
        self.line("if " + " and ".join(f"type({v}) is int" for v in tested) + ":")
        self.line(f"  {t} = {fast_value}")
        self.line("elif " + " and ".join(f"type({v}) is float" for v in tested) + ":")
        self.line(f"  {t} = {fast_value}")
        self.line("else:")
        self.line(f"  {t} = {slow_value}", site)
        return t

    def amend_one(self, node, t):
        """a:=v,i, the idiom of a loop of amends: for a number v and an int i, amend_one
        takes them as they are; anything else makes the list v,i and amends with it."""
        join = node.right
        i = self.expr(join.right)               # Klong's order: i, then v, then a
        v = self.expr(join.left)
        a = self.expr(node.left)
        t = t or self.target(a, v, i)
        site = (node.verb.pos, "amend", "op")
        self.line(f"if (type({v}) is int or type({v}) is float) and type({i}) is int:")
        self.line(f"  {t} = {self.slot(amend_one, '_p')}({a}, {v}, {i})", site)
        self.line("else:")
        self.line(f"  {t} = {self.slot(amend, '_p')}({a}, "
                  f"{self.slot(join_verb, '_p')}({v}, {i}))", site)
        return t

    def x_Apply(self, node):
        if any(e is None for e in node.args):
            t = self.temp()
            self.line(f"{t} = {self.closure(node)}")
            return t
        where = node.fn.name if type(node.fn) is Var else "function"
        args = [self.expr(e) for e in node.args]
        f = self.expr(node.fn)
        t = self.target(*args)
        site = (node.pos, where, "op")
        if len(args) == 1:
            self.line(f"{t} = {f}.run1({args[0]}) if type({f}) is _Lambda else "
                      f"_call({f}, ({args[0]},), {where!r})", site)
        else:
            tup = "(" + "".join(a + ", " for a in args) + ")"
            self.line(f"{t} = {f}.call({tup}) if type({f}) is _Lambda else "
                      f"_call({f}, {tup}, {where!r})", site)
        return t

    # -- verbs used with a dyad or an adverb --------------------------------------------

    def verb(self, node):
        """A Python expression for the callable of a verb node."""
        t = type(node)
        if t is Var and node.name not in ARGS and node.name != ".f":
            v = self.x_Var(node)
            c = self.temp()
            self.line(f"{c} = _to_callable({v}, {node.name!r})", (node.pos, node.name, "op"))
            return c
        get = self.compiler.verb(node, self.scope)
        if t is Op or t is Lambda or (t is Adverbed and _constant_verb(node)):
            return self.slot(get(()), "_v")
        self.uses_a = True
        c = self.temp()
        self.line(f"{c} = {self.slot(get, '_g')}(a)", (node.pos, "verb", "op"))
        return c


def _is_join(node):
    return type(node) is Dyad and type(node.verb) is Op and node.verb.sym == ","


def _constant_verb(node):
    while type(node) is Adverbed:
        node = node.verb
    return type(node) in (Op, Lambda)


def function_body(compiler, node, fn, scope):
    """The Python function that runs node's body, taking the function's arguments."""
    return BodyWriter(compiler, fn, scope, node.arity).build(node.body)
