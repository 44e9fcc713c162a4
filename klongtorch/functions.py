"""Function values: lambdas, projections, system functions and wrapped Python callables.

Every callable thing answers `call(args)`, `call1(x)` and `call2(x, y)`; adverbs and the
compiled code use only these. Function values are also plain Python callables (`__call__`),
taking and returning tensors, so torch autograd can differentiate through them from Python.
"""
import inspect
import warnings

from .errors import KlongError, err
from .interrupts import enter, leave
from .values import UNDEF, Tensor, items_of

ARITY_WORDS = ("nilad", "monad", "dyad", "triad")


class Function:
    """Base of all Klong function values."""
    __slots__ = ()
    arity = 0
    name = None

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
        self.node = node          # the parse tree, for lifting (klongtorch.lift); None: never
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

    def __reduce__(self):               # pickled as its source text (klongtorch.pickling)
        from .pickling import lambda_from
        return lambda_from, (self.source,)


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
        from .display import show
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
        from .pickling import system_function
        return system_function, (self.name,)


class PyFunc(Function):
    """A Python callable used from Klong. Tensors go in and come out unchanged, so autograd
    flows through it; other results are converted to Klong values. A function built into
    Python outside torch (math.fsum, sum, sorted) cannot use a tensor's methods and would
    walk it one 0-d tensor at a time, so it gets the array as NumPy's view of the same
    memory instead, which costs what the call costs from Python; so do NumPy's own
    functions (numpy.max), which would call a tensor's methods with NumPy's arguments."""
    __slots__ = ("fn", "arity", "most", "name", "interp", "plain")

    def __init__(self, fn, arity=None, name=None, interp=None):
        self.fn = fn
        self.arity = python_arity(fn) if arity is None else arity
        # optional parameters may be given too: SGDOptimizer(klong;["w"]) or (klong;["w"];opts)
        self.most = max(self.arity, _most_positional(fn))
        self.name = name or getattr(fn, "__name__", "python")
        self.interp = interp
        module = getattr(fn, "__module__", None) or ""
        # NumPy's functions too: given a tensor, numpy.max calls its max(axis=None), which
        # torch does not take
        self.plain = (inspect.isbuiltin(fn) and not module.startswith("torch")) or \
            module == "numpy" or module.startswith("numpy.")

    def call(self, args):
        from .convert import from_python
        if not self.arity <= len(args) <= self.most:
            raise self.arity_error(len(args))
        try:
            if any(type(a) is Tensor and a.requires_grad for a in args):
                if self.plain:      # C code outside torch cannot carry a gradient, ever
                    raise _cut(self.name)
                out = _keeping_graph(self.fn, args, self.name)
            elif self.plain:
                out = self.fn(*[_plain(a) for a in args])
            else:
                out = self.fn(*args)
        except KlongError:
            raise
        except (KeyboardInterrupt, RecursionError):
            raise
        except Exception as e:
            from .dual import Dual, NotScalar
            if any(type(a) is Dual for a in args):
                # :>'s dual-number fast path met Python code: let torch take it from here
                raise NotScalar("a Python function") from None
            raise err(self.name, "python", text=f"{type(e).__name__}: {e}") from e
        try:
            return from_python(out, self.interp)
        except TypeError:           # an object with no Klong form stays opaque
            return out

    def __reduce__(self):               # without the interpreter (klongtorch.pickling)
        from .pickling import python_function
        return python_function, (self.fn, self.arity, self.name)

    @property
    def source(self):
        return f"<python {self.name}>"


def _plain(v):
    """A tensor as a built-in Python function can use it: a number, or a NumPy array
    sharing its memory (copied only from a GPU)."""
    if type(v) is not Tensor:
        return v
    if v.dim() == 0:
        return v.item()
    return v.numpy(force=v.device.type != "cpu")


def python_arity(fn):
    """How many arguments a Python callable takes (its required positionals), at most 3."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return _doc_arity(fn)
    n = 0
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            n += 1
        elif p.kind == p.VAR_POSITIONAL:
            return max(n, 1)
    return min(n, 3)


def _most_positional(fn):
    """How many positional arguments a Python callable accepts, optional ones included."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 0
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return 3
    return min(3, sum(p.kind in kinds for p in params))


def _keeping_graph(fn, args, name):
    """Call fn on tensors that carry a gradient; a function that turns one into a Python
    number (math.tanh, float()) would silently give a zero gradient, so it is an error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args)
    for w in caught:
        if "requires_grad=True to a scalar" in str(w.message):
            raise _cut(name)
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out


def _cut(name):
    return err(name, "gradient", text="this Python function turns a tensor into a number, "
                                      "which cuts the gradient; use a torch function")


def _doc_arity(fn):
    """The arity of a builtin without a signature (torch's functions) from the first line of
    its docstring, "tanh(input, *, out=None) -> Tensor"; 1 when there is none."""
    doc = getattr(fn, "__doc__", None)
    head = doc.strip().split("\n", 1)[0] if isinstance(doc, str) else ""
    name = getattr(fn, "__name__", None)
    if not name or not head.startswith(name + "("):
        return 1
    if head.startswith(name + "()"):      # time.perf_counter() -> float: a nilad
        return 0
    n = 0
    for p in head[len(name) + 1:].split(")", 1)[0].split(","):
        p = p.strip()
        if not p or p.startswith("*") or "=" in p:
            break
        n += 1
    return max(1, min(n, 3))


def is_function(v):
    return isinstance(v, Function)


def apply_list(f, b):
    """f@b: call f with b as its argument, or with the elements of list b as arguments."""
    if type(b) is list or (type(b) is Tensor and b.dim() > 0):
        args = items_of(b)
        if len(args) == f.arity:
            return f.call(tuple(args))
        if f.arity == 1 and type(f) is PyFunc:
            return f.call1(b)       # a Python function takes the list whole, as Python would
        if f.arity == 1:
            # as kg: the list's elements are the arguments, so {x}@[1 2] is one too many
            from .errors import _show
            raise KlongError(f"kg: error: apply: wrong number of arguments: {_show(b)}")
        raise f.arity_error(len(args))
    return f.call((b,))


def to_callable(v, where):
    """v as something with call1/call2, or a clear error."""
    if hasattr(v, "call1"):
        return v
    if v is UNDEF:
        raise err(where, "value", text="undefined function")
    raise err(where, "type", text=f"not a function: {_brief(v)}")


def _brief(v):
    # bounded (summary.py): the whole text of a big value would take seconds to write
    from .summary import summary
    text = summary(v).split("\n", 1)[0]
    return text if len(text) < 40 else text[:37] + "..."
