"""The compiler: AST nodes to Python closures.

Each node becomes a closure `ev(a)` where `a` is the tuple of the current function's
arguments (x, y, z). Names, arities, primitive verbs and adverb chains are resolved here,
once, so running a function is a chain of direct calls with no dispatch on node types.

Scoping follows the reference: x, y and z are the innermost function's arguments; every
other name is dynamically scoped. Dynamic scope is implemented by shallow binding (see
functions.Lambda): all variables live in one table, so a lookup is one dict access.
"""
from operator import itemgetter

from .adverbs import Derived
from .codegen import function_body
from .errors import KlongError, KlongExit, err
from .functions import Lambda as LambdaValue
from .functions import Function, Projection, to_callable
from .parser import (Adverbed, Apply, Cond, Const, Define, DictLit, Dyad, Lambda, Monad, Op,
                     Var)
from .values import Dict, truth
from .verbs import PRIMITIVES, PRIMS, verb_name

ARG = {"x": itemgetter(0), "y": itemgetter(1), "z": itemgetter(2)}


class Scope:
    """What the compiler knows about the function being compiled."""
    __slots__ = ("fn", "locals", "top")

    def __init__(self, fn=None, local_names=frozenset(), top=True):
        self.fn, self.locals, self.top = fn, local_names, top


class Compiler:
    def __init__(self, interp):
        self.interp = interp
        self.g = interp.globals
        self.source = ""
        self.special = {}        # extra dyads such as :> (see autograd.py): sym -> compile fn

    def compile(self, node, source):
        self.source = source
        return self.expr(node, Scope())

    # -- names ---------------------------------------------------------------------------

    def resolve(self, name, scope, defining=False):
        """A variable's name after module renaming (see SEMANTICS : MODULES)."""
        mod = self.interp.module
        if mod is None or name in scope.locals or name == "it":
            return name
        if defining:
            mod.names.add(name)
        if name in mod.names or name not in mod.existing:
            return name + "`" + mod.name
        return name

    # -- expressions ---------------------------------------------------------------------

    def expr(self, node, scope):
        return self.COMPILE[type(node)](self, node, scope)

    def const(self, node, scope):
        v = node.value
        return lambda a: v

    def dict_lit(self, node, scope):
        v = node.value
        return lambda a: Dict(v)      # a fresh dictionary each time: dictionaries mutate

    def var(self, node, scope):
        name = node.name
        if name in ARG and not scope.top and name not in scope.locals:
            return ARG[name]
        if name == ".f" and scope.fn is not None:
            fn = scope.fn
            return lambda a: fn
        name = self.resolve(name, scope)
        g = self.g
        pos, src = node.pos, self.source

        def ev(a):
            try:
                return g[name]
            except KeyError:
                raise KlongError(f"kg: error: undefined: {name.split('`')[0]}", pos, src) from None
        return ev

    def define(self, node, scope):
        name = self.resolve(node.name, scope, defining=True)
        value = self.expr(node.expr, scope)
        g = self.g
        plain = node.name
        alias = scope.top and name != plain          # module top level: also bind the name

        def ev(a):
            v = value(a)
            g[name] = v
            if alias:
                g[plain] = v
            if isinstance(v, Function) and v.name is None:
                v.name = plain                      # functions remember their first name
            return v
        return ev

    def cond(self, node, scope):
        clauses = [(self.expr(p, scope), self.expr(c, scope)) for p, c in node.clauses]
        otherwise = self.expr(node.otherwise, scope)
        if len(clauses) == 1:
            (p, c), = clauses

            def ev1(a):
                return c(a) if truth(p(a)) else otherwise(a)
            return ev1

        def ev(a):
            for p, c in clauses:
                if truth(p(a)):
                    return c(a)
            return otherwise(a)
        return ev

    def function(self, node, scope):
        names = frozenset(node.locals) | scope.locals
        # lifting reads the tree at run time, so it needs names as written: not in a module,
        # where the compiler renames them (resolve)
        fn = LambdaValue(node.arity, node.locals, self.interp, node.source,
                         node if self.interp.module is None else None)
        inner = Scope(fn, names, top=False)
        fn.set_body(function_body(self, node, fn, inner))   # generated Python: codegen.py
        return lambda a: fn

    def monad(self, node, scope):
        arg = self.expr(node.arg, scope)
        verb = node.verb
        if type(verb) is Op:
            fn = PRIMITIVES.get(verb.sym, (None, None))[0]
            if fn is None:
                raise KlongError(f"kg: error: syntax error: {verb.sym} has no monadic form",
                                 verb.pos, self.source)
            return self.guard(lambda a: fn(arg(a)), verb.pos, verb_name(fn))
        get = self.verb(verb, scope)
        return self.guard(lambda a: get(a).call1(arg(a)), verb.pos, "monad")

    def dyad(self, node, scope):
        verb = node.verb
        if type(verb) is Op and verb.sym in self.special:
            return self.special[verb.sym](self, node, scope)
        left = self.expr(node.left, scope)
        right = self.expr(node.right, scope)
        if type(verb) is Op:
            fn = PRIMITIVES.get(verb.sym, (None, None))[1]
            if fn is None:
                raise KlongError(f"kg: error: syntax error: {verb.sym} has no dyadic form",
                                 verb.pos, self.source)

            def ev(a):
                r = right(a)                 # right to left, as in APL
                return fn(left(a), r)
            return self.guard(ev, verb.pos, verb_name(fn))
        get = self.verb(verb, scope)

        def ev2(a):
            r = right(a)
            return get(a).call2(left(a), r)
        return self.guard(ev2, verb.pos, "dyad")

    def apply(self, node, scope):
        fn = self.expr(node.fn, scope)
        args = [None if e is None else self.expr(e, scope) for e in node.args]
        where = node.fn.name if type(node.fn) is Var else "function"
        if any(e is None for e in args):
            def project(a):
                f = to_callable(fn(a), where)
                return Projection(f, [None if e is None else e(a) for e in args])
            return self.guard(project, node.pos, where)
        if len(args) == 1:
            (x,) = args

            def call1(a):
                v = x(a)
                return to_callable(fn(a), where).call((v,))
            return self.guard(call1, node.pos, where)

        def call(a):
            vs = tuple(e(a) for e in args)
            return to_callable(fn(a), where).call(vs)
        return self.guard(call, node.pos, where)

    # -- verbs (callables used with adverbs or as dyads) ---------------------------------

    def verb(self, node, scope):
        """A closure giving the callable for a verb node; constant where it can be."""
        t = type(node)
        if t is Op:
            if node.sym not in PRIMS:
                raise KlongError(f"kg: error: syntax error: {node.sym} cannot take an adverb",
                                 node.pos, self.source)
            prim = PRIMS[node.sym]
            return lambda a: prim
        if t is Adverbed:
            inner = self.verb(node.verb, scope)
            adverb = node.adverb
            if type(node.verb) in (Op, Lambda) or (type(node.verb) is Adverbed and
                                                   _constant_verb(node.verb)):
                d = Derived(inner(()), adverb)
                return lambda a: d
            return lambda a: Derived(inner(a), adverb)
        get = self.expr(node, scope)
        where = node.name if t is Var else "verb"
        return lambda a: to_callable(get(a), where)

    # -- errors --------------------------------------------------------------------------

    def guard(self, ev, pos, name):
        """Attach the source position to errors, and turn stray Python errors into Klong's."""
        src = self.source

        def guarded(a):
            try:
                return ev(a)
            except KlongError as e:
                raise e.locate(pos, src)
            except (KeyboardInterrupt, RecursionError, MemoryError, KlongExit, GeneratorExit):
                raise
            except Exception as e:
                raise python_error(e, name).locate(pos, src) from e
        return guarded

    COMPILE = {Const: const, DictLit: dict_lit, Var: var, Define: define, Cond: cond,
               Lambda: function, Monad: monad, Dyad: dyad, Apply: apply}


def _constant_verb(node):
    while type(node) is Adverbed:
        node = node.verb
    return type(node) in (Op, Lambda)


# how torch says an allocation failed: on the CPU, CUDA and MPS
_OOM_MARKS = ("can't allocate memory", "out of memory", "DefaultCPUAllocator")


def out_of_memory(msg):
    """Whether a torch RuntimeError's message is an allocation failure."""
    return any(m in msg for m in _OOM_MARKS)


def _wanted(msg):
    """' (asked for 74.5 GB)' from torch's 'tried to allocate N bytes', else ''."""
    import re
    m = re.search(r"allocate (\d+) bytes", msg)
    if not m:
        return ""
    n = float(m.group(1))
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 1024 or unit == "PB":
            break
        n /= 1024
    return f": asked for {n:.1f} {unit}" if unit != "bytes" else f": asked for {int(n)} bytes"


def python_error(e, name):
    """A KlongError for an exception raised inside a primitive (torch's checks, say)."""
    msg = str(e).strip().split("\n")[0]
    if isinstance(e, RuntimeError) and out_of_memory(msg):
        return KlongError(f"kg: error: out of memory in {name}{_wanted(msg)} "
                          "(a value grew without bound?)")
    if isinstance(e, UnicodeError):
        return err(name, "io", text="binary data, not UTF-8 text")
    if isinstance(e, OSError):          # a full disk, a broken pipe, a vanished file
        return err(name, "io", text=e.strerror or msg)
    # anything else is a path that should have raised a Klong error itself: say so without
    # Python's words (the exception is the KlongError's __cause__, which the CLI, the kernel
    # and the magic show under KLONGTORCH_TRACEBACK=1)
    return KlongError(f"kg: error: {name}: internal error")

