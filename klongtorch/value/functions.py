"""Function values: lambdas, projections and system functions (Python callables: convert.py).

Every callable thing answers `call(args)`, `call1(x)` and `call2(x, y)`; adverbs and the
compiled code use only these. Function values are also plain Python callables (`__call__`),
taking and returning tensors, so torch autograd can differentiate through them from Python.
"""
from klongtorch.runtime.interrupts import enter, leave
from klongtorch.value import pickling
from klongtorch.value.errors import KlongError, operand_text, err
from klongtorch.value.summary import summary
from klongtorch.value.text import show
from klongtorch.value.values import UNDEF, Tensor, items_of

ARITY_WORDS = ("nilad", "monad", "dyad", "triad")


class Function:
    """Base of all Klong function values."""
    __slots__ = ()
    arity = 0
    name = None
    takes_list_whole = False    # f@list: the list's elements are the arguments (kg)

    def call(self, args):
        raise NotImplementedError

    def call1(self, x):
        return self.call((x,))

    def call2(self, x, y):
        return self.call((x, y))

    def arity_error(self, got):
        """kg's `wrong arity: :monad`, then who was called with how many arguments."""
        kind = ARITY_WORDS[self.arity] if self.arity < 4 else f"{self.arity}-argument function"
        return KlongError(f"kg: error: wrong arity: :{kind}: {self.name or 'a function'} "
                          f"called with {got} argument{'s' if got != 1 else ''}")

    @property
    def klong_name(self):
        return ARITY_WORDS[self.arity] if self.arity < 4 else "function"

    def __copy__(self):                 # a function is a value: copies are itself (pickle
        return self                     # rebuilds one from its source, see __reduce__)

    def __deepcopy__(self, memo):
        return self

    def __call__(self, *args):
        interp = getattr(self, "interp", None)
        if interp is None:
            return self.call(args)
        return interp.call_function(self, args)


class Lambda(Function):
    """A function literal {...}: a compiled body, its arity and its dynamic locals.

    The body (see codegen.py) is a Python function of the Klong arguments. `run` takes
    exactly `arity` arguments; `call1`, `call2` and `run1` are set once the body is known,
    so that a call from an adverb or from generated code goes straight to the body when
    the function has no locals."""
    __slots__ = ("arity", "body", "locals", "interp", "source", "name", "run", "run1",
                 "call1", "call2", "node", "each_int")

    def __init__(self, arity, local_names, interp, source, node=None):
        self.arity = arity
        self.node = node          # the parse tree, for lifting (engine/lift.py); None: never
        self.locals = tuple(local_names)
        self.interp = interp
        self.source = source
        self.body = None          # set by the compiler, after .f can refer to this object
        self.name = None
        self.each_int = None      # each over a list of Python ints, if pure.py wrote one

    def set_body(self, body):
        self.body = body
        run = self._scoped if self.locals else body
        self.run = run
        arity = self.arity
        self.run1 = run if arity == 1 else self._arity1
        # a nilad driven by an adverb ignores the element: {w::w-g()}'!50 steps 50 times
        self.call1 = run if arity == 1 else (self._nilad1 if arity == 0 else self._arity1)
        self.call2 = run if arity == 2 else self._arity2

    def call(self, args):
        if len(args) != self.arity:
            raise self.arity_error(len(args))
        return self.run(*args)

    def _nilad1(self, x):
        return self.run()

    def _arity1(self, x):
        raise self.arity_error(1)

    def _arity2(self, x, y):
        raise self.arity_error(2)

    def _scoped(self, *args):
        # Dynamic scope by shallow binding: locals live in the globals table while the
        # function runs, and the outer values come back afterwards. Binding and restoring
        # are critical sections (interrupts.py), so an interrupt cannot split them; the
        # body between them stays interruptible.
        enter()                   # an interrupt here lands before anything is bound
        g = self.interp.globals
        names = self.locals
        saved = [g.get(n, _MISSING) for n in names]
        for n in names:
            g[n] = UNDEF
        try:
            leave()               # an interrupt that waited is raised here, inside the try
            return self.body(*args)
        finally:
            enter()               # an interrupt landing in enter() itself waits too
            for n, v in zip(names, saved):
                if v is _MISSING:
                    g.pop(n, None)
                else:
                    g[n] = v
            leave()

    def __repr__(self):
        return f"<klong {self.klong_name} {self.source}>"

    def __reduce__(self):               # pickled as its source text (pickling.py)
        return pickling.lambda_from, (self.source, pickling.kind_of(self))


_MISSING = object()


class Projection(Function):
    """f(a;) and the like: a function with some arguments fixed."""
    __slots__ = ("fn", "args", "arity", "interp", "name")

    def __init__(self, fn, args):
        want = fn.arity
        args = list(args) + [None] * max(0, want - len(args))
        if len(args) > want:
            raise err(fn.name or "projection", "arity", text=f"{len(args)} arguments for a "
                                                             f"{ARITY_WORDS[min(want, 3)]}")
        self.fn = fn
        self.args = args
        self.arity = args.count(None)
        self.interp = getattr(fn, "interp", None)
        self.name = fn.name

    def call(self, args):
        if len(args) != self.arity:
            raise self.arity_error(len(args))
        it = iter(args)
        return self.fn.call(tuple(next(it) if a is None else a for a in self.args))

    def __reduce__(self):
        return Projection, (self.fn, self.args[:len(self.args)])

    @property
    def source(self):
        inner = getattr(self.fn, "source", None) or self.fn.name or ""
        return inner + "(" + ";".join("" if a is None else show(a) for a in self.args) + ")"


class SysFunc(Function):
    """A built-in function bound to a name such as .p; its docstring is its help."""
    __slots__ = ("name", "arity", "fn", "interp", "doc")

    def __init__(self, name, arity, fn, interp=None):
        self.name = name
        self.arity = arity
        self.fn = fn
        self.interp = interp
        self.doc = fn.__doc__

    def call(self, args):
        if len(args) != self.arity:
            raise self.arity_error(len(args))
        return self.fn(*args)

    def call1(self, x):
        if self.arity != 1:
            raise self.arity_error(1)
        return self.fn(x)

    def __repr__(self):
        return f"<klong system function {self.name}>"

    def __reduce__(self):               # by name: the landing interpreter's own
        return pickling.system_function, (self.name, pickling.kind_of(self))


def is_function(v):
    return isinstance(v, Function)


def apply_list(f, b):
    """f@b: call f with b as its argument, or with the elements of list b as arguments."""
    if type(b) is list or (type(b) is Tensor and b.dim() > 0):
        args = items_of(b)
        if len(args) == f.arity:
            return f.call(tuple(args))
        if f.arity == 1 and f.takes_list_whole:
            return f.call1(b)       # a Python function takes the list whole, as Python would
        if f.arity == 1:
            # as kg: the list's elements are the arguments, so {x}@[1 2] is one too many
            raise KlongError(f"kg: error: apply: wrong number of arguments: {operand_text(b)}")
        raise f.arity_error(len(args))
    return f.call((b,))


def to_callable(v, where):
    """v as something with call1/call2, or a clear error."""
    if hasattr(v, "call1"):
        return v
    if v is UNDEF:
        raise err(where, "value", text="undefined function")
    raise err(where, "type", text=f"not a function: {brief(v)}")


def brief(v):
    # bounded (summary.py): the whole text of a big value would take seconds to write
    text = summary(v).split("\n", 1)[0]
    return text if len(text) < 40 else text[:37] + "..."
