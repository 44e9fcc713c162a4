"""The code writer: a statement or a function body as the source of one Python function.

Its names, arities and verbs are resolved once, then written out as Python and exec'd (see
compiler.py, which drives it). For fib::{:[x<2;x;fib(x-1)+fib(x-2)]} the generated code
has this shape (slots such as _less hold the objects it refers to), after a first copy of
the body for an int x in which x<2, x-1 and x-2 need no tests (see build and enter_pure):

    def body(x):
      try:
        if type(x) is int:             # (first, the int copy; it starts by entering fib's
          ...                          # plain Python twin, pure.py, while g['fib'] is fib)
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

Evaluation order is Klong's: a dyad's right operand first, a function's arguments before
the function (a projection's function before its arguments). Fast paths cover only Python
int and float operands, whose results are what the primitives would return (ints stay
exact bignums); tensors, dual numbers and compile-time proxies take the primitive, so
autograd and capture see the same calls. The dyads that differentiate (:> ∂ ∇) are calls
of their derivatives.DyadForm.

Errors cost nothing until one happens: the handler maps the failing line of the generated
code to the node written there (_W: line -> (position, name, kind)) and locates the error,
or turns a stray Python exception into a Klong one (errors.python_error).
"""
import functools
import re

from klongtorch.engine import loops, pure
from klongtorch.engine.adverbs import Derived
from klongtorch.engine.primitives import VERBS, verb_name
from klongtorch.parse.parser import (Adverbed, Cond, Const, DictLit, Dyad, Lambda, Monad, Op,
                                     Var)
from klongtorch.value.errors import KlongError, KlongExit, err, python_error, undefined
from klongtorch.value.functions import Function
from klongtorch.value.functions import Lambda as LambdaValue
from klongtorch.value.functions import Projection, to_callable
from klongtorch.value.values import UNDEF, Dict, truth
from klongtorch.verbs.amend import amend, amend_one
from klongtorch.verbs.build import join as join_verb
from klongtorch.verbs.listargs import MAX_TENSOR

ARGS = ("x", "y", "z")


@functools.lru_cache(maxsize=4096)
def python_code(text, filename):
    """text compiled by CPython, once per text: CPython's compile took 80 µs of the 110 a
    small lambda's definition costs, and a program says the same things again and again
    (KlongPy's gen_fn.kg compiles 56,423 texts, 790 of them different: 8.9 s in a fresh
    process, 4.4 s with this). The code object holds no values: each build execs it into a
    namespace of its own, which the text's names (g, the _k slots) are read from."""
    return compile(text, filename, "exec")


PASS_THROUGH = (KeyboardInterrupt, RecursionError, MemoryError, KlongExit, GeneratorExit)


def _call(f, args, where):
    """A call of something that is not a lambda: a projection, a system function, an error
    (kg's words, `call: type error: [1]`, then which name held the value)."""
    if not hasattr(f, "call1") and f is not UNDEF:
        raise err("call", "type", operands=(f,), text=f"{where} is not a function")
    return to_callable(f, where).call(args)


def _project(f, args, where):
    """f(a;) and the like: f with the holes (None) left open."""
    return Projection(to_callable(f, where), args)


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
        new = undefined(name, pos, source)
        new.__suppress_context__ = True
        return new
    if not isinstance(e, Exception):
        return e
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
    """Writes the Python source of one statement or function body (see the module
    docstring); fn is the function being compiled, None for a top-level statement."""

    def __init__(self, compiler, fn, scope, arity):
        self.compiler = compiler
        self.fn = fn
        self.scope = scope
        self.params = ARGS[:arity]
        self.lines = []
        self.depth = 2                        # inside def and try
        self.ns = {"g": compiler.g, "type": type, "isinstance": isinstance,
                   "_Lambda": LambdaValue, "_Function": Function, "_Dict": Dict,
                   "_Derived": Derived, "_truth": truth, "_call": _call,
                   "_project": _project, "_to_callable": to_callable,
                   "_fail": _fail, "_src": compiler.source}
        self.where = {}
        self.count = 0
        self.temps = set()                    # the local temporaries (not the slots)
        self.rename = {}                      # x y z of a body written inline (loops.py)
        self.ints = set()                     # names known to hold Python ints here
        self.lambdas = {}                     # id(node) -> the function of a literal

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

    def source(self):
        head = f"def body({', '.join(self.params)}):"
        lines = [head, "  try:"] + self.lines
        lines += ["  except BaseException as _e:", "    raise _fail(_e, _W, _src)"]
        self.ns["_W"] = self.where
        return "\n".join(lines) + "\n"

    def build(self, body, node=None):
        """The generated Python function for a list of statement nodes (node: the lambda
        literal they are the body of). A function whose arguments meet the Python-number
        fast paths is written twice: first for integer arguments, where what is computed
        from them needs no test (fib's x<2, x-1, x-2), then for anything."""
        if not body:
            self.line("return []")
        else:
            if self.params and _fast_dyads(body):
                self.line("if " + " and ".join(f"type({p}) is int" for p in self.params) + ":")
                self.depth += 1
                if node is not None:
                    self.enter_pure(node)
                self.ints = set(self.params)
                self.statements(body)
                self.ints = set()
                self.depth -= 1
            self.statements(body)
        text = self.source()
        name = self.fn.source[:40] if self.fn is not None else "statement"
        exec(python_code(text, f"<klong {name}>"), self.ns)
        fn = self.ns["body"]
        fn.klong_source = text            # for reading what was generated
        return fn

    def enter_pure(self, node):
        """For integer arguments, the lambda's plain Python twin (pure.py), when it has one
        and the names it calls hold this lambda (a twin that calls nothing gains nothing
        over the int fast paths here, but gives each its loop: Lambda.each_int)."""
        twin = pure.write(node, self.params, lambda name: self.compiler.resolve(name, self.scope),
                          self.scope.locals)
        if twin is None:
            return
        text, guard = twin
        exec(python_code(text, f"<klong {self.fn.source[:40]} pure>"), self.ns)
        self.ns["_self"] = self.fn
        self.fn.each_int = self.ns.get("_each_int")
        if guard != "True":
            self.line(f"if {guard}:")
            self.line(f"  return _pure({', '.join(self.params)})")

    # -- statements ----------------------------------------------------------------------

    def statements(self, body):
        for stmt in body[:-1]:
            self.expr(stmt)
        self.ret(body[-1])

    def speculate(self, write):
        """Run write(); if it returns False, take back every line it wrote (and the
        places of their errors)."""
        mark, where = len(self.lines), dict(self.where)
        if write():
            return True
        del self.lines[mark:]
        self.where = where
        return False

    def is_int(self, v):
        """Whether the Python expression v is known to be an int: a name in self.ints, or
        an integer literal."""
        return v in self.ints or _INT_LITERAL.match(v) is not None

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
        if type(node) is Dyad and type(node.verb) is Op and node.verb.sym in VERBS:
            if VERBS[node.verb.sym].compares:
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
        # x, y and z are arguments inside a function (the parser gave it the arity to
        # have them), ordinary variables at the top level
        if name in self.rename and name not in self.scope.locals:
            return self.rename[name]
        if name in self.params and name not in self.scope.locals:
            return name
        if name == ".f" and self.fn is not None:
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
        if self.scope.top and name != node.name:
            self.line(f"g[{node.name!r}] = {v}")     # a module's top level: the plain name too
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
        return self.slot(self.function(node))

    def function(self, node):
        """The function of a lambda literal, compiled once however often it is written
        (build writes a body twice)."""
        fn = self.lambdas.get(id(node))
        if fn is None:
            fn = self.lambdas[id(node)] = self.compiler.function(node, self.scope)
        return fn

    def x_Monad(self, node):
        verb = node.verb
        if type(verb) is Op:
            fn = VERBS[verb.sym].monad if verb.sym in VERBS else None
            if fn is None:
                raise KlongError(f"kg: error: syntax error: {verb.sym} has no monadic form",
                                 verb.pos, self.compiler.source)
            arg = self.expr(node.arg)
            t = self.target(arg)
            self.line(f"{t} = {self.slot(fn, '_p')}({arg})", (verb.pos, verb_name(fn), "op"))
            return t
        looped = loops.write(self, node)
        if looped is not None:
            return looped
        get = self.verb(verb)
        arg = self.expr(node.arg)
        t = self.target(arg)
        self.line(f"{t} = {get}.call1({arg})", (verb.pos, "monad", "op"))
        return t

    def inline(self, lam, args, as_test=False):
        """The value of lambda literal lam's body, its arguments bound to the Python names
        args, written here (loops.py); as_test: its Klong truth as a Python bool."""
        saved = self.params, self.rename, self.scope
        self.params = ()
        self.rename = dict(zip(ARGS, args))
        scope = saved[2]
        self.scope = type(scope)(scope.fn, frozenset(lam.locals) | scope.locals, top=False)
        try:
            for stmt in lam.body[:-1]:
                self.expr(stmt)
            last = lam.body[-1]
            return self.test(last) if as_test else self.expr(last)
        finally:
            self.params, self.rename, self.scope = saved

    def x_Dyad(self, node):
        if type(node.verb) is Op and node.verb.sym in self.compiler.special:
            return self.special(node)
        return self.dyad(node, None)

    def special(self, node):
        """A dyad that differentiates (derivatives.DyadForm): its operand on the variable side,
        written as a global's name, goes in by name, and for a lazy form is not evaluated
        here at all (loss:>w with a nilad loss never reads w)."""
        form = self.compiler.special[node.verb.sym]
        var_node = node.right if form.var_side == "right" else node.left
        var = None
        if type(var_node) is Var and var_node.name not in self.params and var_node.name != ".f":
            var = self.compiler.resolve(var_node.name, self.scope)
        operands = {}
        for side in ("right", "left"):              # Klong's order: the right one first
            n = node.right if side == "right" else node.left
            operands[side] = "None" if n is var_node and var is not None and form.lazy \
                else self.expr(n)
        t = self.temp()
        site = self.slot(form.new_site(self.compiler.interp), "_s")
        interp = self.slot(self.compiler.interp, "_i")
        self.line(f"{t} = {self.slot(form.run, '_p')}({interp}, {operands['left']}, "
                  f"{operands['right']}, {var!r}, {site})", (node.verb.pos, node.verb.sym, "op"))
        return t

    def dyad(self, node, t, as_test=False):
        """t = left verb right, and t; t None: a target() of the operands. as_test: t is
        the Python truth of the result."""
        verb = node.verb
        if type(verb) is not Op:
            return self.derived_dyad(node, t)
        record = VERBS.get(verb.sym)
        fn = record.dyad if record is not None else None
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
        if record.python is None:
            self.line(f"{t} = {call}", site)
            return t
        return self.fast_dyad(record, node, left, r, t, call, site, as_test)

    def derived_dyad(self, node, t):
        """A dyad whose verb is no primitive: an adverb's loop written inline (loops.py), or
        a call of the verb's callable."""
        verb = node.verb
        looped = loops.write(self, node, left=True)
        if looped is not None:
            if t is not None:
                self.line(f"{t} = {looped}")
            return t or looped
        r = self.expr(node.right)
        get = self.verb(verb)
        left = self.expr(node.left)
        t = t or self.target(r, left)
        self.line(f"{t} = {get}.call2({left}, {r})", (verb.pos, "dyad", "op"))
        return t

    def fast_dyad(self, record, node, left, r, t, call, site, as_test):
        """t = the primitive call, with the fast path of its Python operator for Python
        numbers in front: ints first (loops count in them), then floats. A literal operand
        needs no test, nor a known int; with an operand that is never a number (!1000), the
        fast path is left out."""
        op = record.python
        fast_value = f"{left} {op} {r}"
        if record.compares and not as_test:
            fast_value = f"1 if {fast_value} else 0"
        tested = [v for v in (left, r) if v.isidentifier() and v not in self.ints]
        overflow = _overflow_call(record, left, r, call)
        if not tested:
            if not as_test and self.is_int(left) and self.is_int(r) and t not in self.ints:
                t = self.temp("_i")             # ints in, an int out: a name of its own,
                self.ints.add(t)                # which no later value reuses
            self.fast_line(t, fast_value, overflow, site)
            return t
        call = self.past_test(record, node, left, r, call, tested)
        indent = ""
        if not (_makes_array(node.left) or _makes_array(node.right)):
            self.number_test(tested, t, fast_value, overflow, site)
            indent = "  "
        self.line(f"{indent}{t} = {f'_truth({call})' if as_test else call}", site)
        return t

    def fast_line(self, t, fast_value, overflow_call=None, site=None):
        """t = fast_value; where an int meets a real (overflow_call given), in a try whose
        OverflowError makes the verb's call instead (free in CPython 3.11 until raised)."""
        if overflow_call is None:
            self.line(f"{t} = {fast_value}")
            return
        self.line("try:")
        self.line(f"  {t} = {fast_value}")
        self.line("except OverflowError:")
        self.line(f"  {t} = {overflow_call}", site)

    def number_test(self, tested, t, fast_value, overflow_call=None, site=None):
        """fast_dyad's test: t = fast_value where the tested names hold Python ints, or
        floats; the line after is its else's."""
        self.line("if " + " and ".join(f"type({v}) is int" for v in tested) + ":")
        self.depth += 1
        self.fast_line(t, fast_value, overflow_call, site)
        self.depth -= 1
        self.line("elif " + " and ".join(f"type({v}) is float" for v in tested) + ":")
        self.line(f"  {t} = {fast_value}")
        self.line("else:")

    def past_test(self, record, node, left, r, call, tested):
        """The call fast_dyad writes where its test for numbers failed: the verb's arrays
        form when one operand was tested, and is no number, so that the dyad's own test
        would fail too; where the other is a literal number (1+!1000, x*2.0), the form
        made for that number (Verb.with_number). With two tested, an int and a float get
        here too, and the dyad itself adds them; where one operand is fresh (_fresh), the
        form that may write into it (Verb.into_fresh), which hands such a pair to the dyad."""
        if record.arrays is None:
            return call
        if len(tested) != 1:
            fresh_left = _fresh(node.left)
            if record.atomic.in_place is None or not (fresh_left or _fresh(node.right)):
                return call
            # two values, one a temporary nothing else holds: it may take the result
            return f"{self.slot(record.into_fresh(fresh_left), '_p')}({left}, {r})"
        number, other = (node.left, node.right) if tested[0] == r else (node.right, node.left)
        if type(number) is Const and type(number.value) in (int, float):
            form = record.with_number(number.value, number is node.left, _fresh(other))
            return f"{self.slot(form, '_p')}({tested[0]})"
        return f"{self.slot(record.arrays, '_p')}({left}, {r})"

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
        where = node.fn.name if type(node.fn) is Var else "function"
        if any(e is None for e in node.args):       # a projection: f(a;)
            f = self.expr(node.fn)
            args = ", ".join("None" if e is None else self.expr(e) for e in node.args)
            t = self.temp()
            self.line(f"{t} = _project({f}, [{args}], {where!r})", (node.pos, where, "op"))
            return t
        args = [self.expr(e) for e in node.args]
        f = self.expr(node.fn)
        t = self.target(*args)
        site = (node.pos, where, "op")
        if len(args) == 1:
            # only a lambda has run1 (a generated body lets no AttributeError out: _fail
            # turns it into a Klong error), so asking is the cheapest test of what f is
            self.line("try:")
            self.line(f"  {t} = {f}.run1({args[0]})", site)
            self.line("except AttributeError:")
            self.line(f"  {t} = _call({f}, ({args[0]},), {where!r})", site)
        else:
            tup = "(" + "".join(a + ", " for a in args) + ")"
            self.line(f"{t} = {f}.call({tup}) if type({f}) is _Lambda else "
                      f"_call({f}, {tup}, {where!r})", site)
        return t

    # -- verbs used with a dyad or an adverb --------------------------------------------

    def verb(self, node):
        """A Python expression for the callable of a verb node."""
        t = type(node)
        if t is Op or t is Lambda or (t is Adverbed and _constant_verb(node)):
            return self.slot(self.constant_verb(node), "_v")
        if t is Adverbed:
            inner = self.verb(node.verb)
            c = self.temp()
            self.line(f"{c} = _Derived({inner}, {node.adverb!r})")
            return c
        where = node.name if t is Var else "verb"
        v = self.expr(node)
        c = self.temp()
        self.line(f"{c} = _to_callable({v}, {where!r})", (node.pos, where, "op"))
        return c

    def constant_verb(self, node):
        """The callable of a verb known now: an operator, a lambda, adverbs on those."""
        t = type(node)
        if t is Op:
            if node.sym not in VERBS:
                raise KlongError(f"kg: error: syntax error: {node.sym} cannot take an adverb",
                                 node.pos, self.compiler.source)
            return VERBS[node.sym]
        if t is Lambda:
            return self.function(node)
        return Derived(self.constant_verb(node.verb), node.adverb)


_INT_LITERAL = re.compile(r"^\(?-?\d+\)?$")
_REAL_LITERAL = re.compile(r"^\(?-?\d+(\.\d*)?(e[-+]?\d+)?\)?$")


def _overflow_call(record, left, r, call):
    """The verb's call for a fast path where an int meets a real literal (Python makes the
    int a float, which one past float64, 10^400, cannot be; the verb computes it exactly);
    None where no such meeting can be."""
    if record.compares or not (_is_real_literal(left) or _is_real_literal(r)):
        return None
    return call


def _is_real_literal(v):
    """Whether the Python expression v is a float literal (as _literal writes one)."""
    return _REAL_LITERAL.match(v) is not None and _INT_LITERAL.match(v) is None


def _fast_dyads(body):
    """Whether a body uses a verb with a Python-number fast path (outside nested lambdas,
    which are compiled on their own)."""
    stack = list(body)
    while stack:
        n = stack.pop()
        if type(n) is Dyad and type(n.verb) is Op and n.verb.sym in VERBS and \
                VERBS[n.verb.sym].python is not None:
            return True
        if type(n) is not Lambda:
            children = loops.CHILDREN.get(type(n))
            if children is not None:
                stack.extend(children(n))
    return False


def _makes_array(node):
    """Whether node's value is never a Python number: !n of a positive literal n (1+!1000
    needs no test for numbers)."""
    return type(node) is Monad and type(node.verb) is Op and node.verb.sym == "!" and \
        type(node.arg) is Const and type(node.arg.value) is int and \
        0 < node.arg.value <= MAX_TENSOR


def _fresh(node):
    """Whether node's value, when it is a tensor, is one that nothing else holds, used once
    by the dyad above it (each temporary is): !n's arange, and what + - * make (a new
    tensor, or a fresh operand overwritten: pervade.with_number, pervade.into_fresh). Not
    a name's value, nor a definition's (1+a::!n: a holds it), nor a call's, which may
    return its argument."""
    if type(node) is Monad:
        return type(node.verb) is Op and node.verb.sym == "!"
    return type(node) is Dyad and type(node.verb) is Op and node.verb.sym in _OVERWRITING


_OVERWRITING = ("+", "-", "*")      # the dyads whose forms past_test writes may overwrite


def _is_join(node):
    return type(node) is Dyad and type(node.verb) is Op and node.verb.sym == ","


def _constant_verb(node):
    while type(node) is Adverbed:
        node = node.verb
    return type(node) in (Op, Lambda)

