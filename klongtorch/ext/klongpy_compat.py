"""The part of KlongPy's Python API that its example helpers use, on klongtorch.

Python files written for KlongPy import `from klongpy import KlongInterpreter` and
`from klongpy.core import KGFnWrapper, KGSym, KGFn, KGCall, KGLambda`. While .py or .pyf
loads such a file, `klongpy` (and klongpy.core, klongpy.types, klongpy.autograd) name this
module, so the file runs unchanged on klongtorch; an installed KlongPy is put back in
sys.modules afterwards, and where none is installed this module stays importable as
`klongpy` (a multiprocessing worker that imports the helper again finds it).

    KlongInterpreter()          a klongtorch interpreter with KlongPy's method names
                                (call, _context, _backend); given an interpreter, a view of it
    KGFnWrapper(klong, fn)      a Klong function callable from Python (from any thread:
                                see klongtorch.ext.background)
    KGLambda(pyfn, args=[...])  a Python function as a Klong function of len(args) arguments
    KGSym(name)                 a global's name
    KGFn, KGCall                klongtorch's function values; KGCall(f, args, arity) a call
    multi_grad_of_fn(klong, loss, names)   the gradients of loss:>[names]
"""
import contextlib
import importlib.util
import sys

from klongtorch.autograd.derivatives import gradient
from klongtorch.ext.background import call_from_python
from klongtorch.value import pickling
from klongtorch.value.convert import PyFunc, from_python, python_arity, to_python
from klongtorch.value.functions import Function, Lambda, Projection
from klongtorch.value.values import Tensor

NAMES = ("klongpy", "klongpy.core", "klongpy.types", "klongpy.autograd")


class KGSym(str):
    """A global's name (KlongPy's symbol type); klongtorch's globals are keyed by str."""


KGFn = Function


class KGCall:
    """A call of the function (or the global named) a with args, for KlongInterpreter.call."""

    def __init__(self, a, args, arity):
        self.a, self.args, self.arity = a, list(args), arity


class KGLambda(PyFunc):
    """A Python function as a Klong function; args names its parameters (x, y, z)."""
    __slots__ = ()

    def __init__(self, fn, args=None, provide_klong=False):
        super().__init__(fn, arity=len(args) if args is not None else python_arity(fn))


class _Backend:
    """What KlongPy's helpers ask of its array back end: klongtorch's is torch."""
    name = "torch"

    @staticmethod
    def is_backend_array(x):
        return type(x) is Tensor

    @staticmethod
    def to_numpy(x):
        return x.detach().cpu().numpy()

    @staticmethod
    def supports_autograd():
        return True


class _Context:
    """KlongPy's klong._context: the globals, read by name, and (name, value) pairs."""

    def __init__(self, interp):
        self.interp = interp

    def __getitem__(self, name):
        return self.interp.globals[str(name)]

    def __setitem__(self, name, value):
        self.interp[str(name)] = value

    def __iter__(self):
        return iter(list(self.interp.globals.items()))


class KlongInterpreter:
    """A klongtorch interpreter with KlongPy's names. KlongInterpreter() makes a new one;
    KlongInterpreter(k) is a view of the interpreter k (what a Python function whose first
    parameter is named klong receives). Other attributes are the interpreter's own."""

    def __init__(self, interp=None, **options):
        if interp is None:
            interp = pickling.new(**{k: v for k, v in options.items() if k in ("device",)})
        self.__dict__["_k"] = interp
        self.__dict__["_context"] = _Context(interp)
        self.__dict__["_backend"] = _Backend()

    def __call__(self, source):
        return self._k(source)

    def __getitem__(self, name):
        """A global; a function comes as a KGFnWrapper, as in KlongPy."""
        value = self._k[str(name)]
        return KGFnWrapper(self._k, value) if isinstance(value, Function) else value

    def __setitem__(self, name, value):
        self._k[str(name)] = value

    def __contains__(self, name):
        return str(name) in self._k

    def __getattr__(self, name):
        return getattr(self._k, name)

    def __setattr__(self, name, value):
        setattr(self._k, name, value)

    def call(self, x):
        """Call a function (a nilad, or a KGCall with its arguments)."""
        if isinstance(x, KGCall):
            fn = self._k.globals[str(x.a)] if isinstance(x.a, str) else x.a
            return self._k.call_function(fn, x.args)
        return self._k.call_function(x, [])


def view(interp):
    """The KlongPy-style view of interp that a `klong` first parameter receives."""
    v = getattr(interp, "_klongpy_view", None)
    if v is None:
        v = interp._klongpy_view = KlongInterpreter(interp)
    return v


def rebind(fn, interp):
    """fn as it runs in interp: a lambda compiled there from its source, a projection whose
    function is; anything else as it is."""
    if type(fn) is Lambda and fn.interp is not interp and fn.source:
        return pickling.compiled(fn.source, interp)
    if type(fn) is Projection and fn.interp is not interp:
        return Projection(rebind(fn.fn, interp), fn.args)
    return fn


class KGFnWrapper:
    """A Klong function fn as a Python callable that runs it in the interpreter klong.
    A function that came from another process (pickled) is rebuilt there first."""

    def __init__(self, klong, fn, sym=None):
        self.interp = klong._k if isinstance(klong, KlongInterpreter) else klong
        self.fn = rebind(fn, self.interp)

    # still a Klong function where one is expected (klong.gradients(klong["loss"]; ...))
    arity = property(lambda self: self.fn.arity)
    call = property(lambda self: self.fn.call)
    call1 = property(lambda self: self.fn.call1)
    call2 = property(lambda self: self.fn.call2)

    def __call__(self, *args):
        """fn(*args). A Python dict argument is shared, as in KlongPy: what fn inserts into
        it in place (kg's d,[k v] changes d) is in the dict afterwards."""
        shared = [(a, from_python(a, self.interp)) for a in args if type(a) is dict]
        given = iter(d for _, d in shared)
        args = [next(given) if type(a) is dict else a for a in args]
        try:
            return call_from_python(self.interp, self.fn, args)
        finally:
            for original, seen in shared:
                original.clear()
                original.update(to_python(seen))


def multi_grad_of_fn(klong, fn, params):
    """The gradients of the loss fn with respect to the globals params (loss:>[w b])."""
    k = klong._k if isinstance(klong, KlongInterpreter) else klong
    return k.gradients(fn, [str(p) for p in params])[1]


def grad_of_fn(klong, fn, x):
    """The gradient of fn at x (fn:>x)."""
    k = klong._k if isinstance(klong, KlongInterpreter) else klong
    with k.active():
        return gradient(fn, x)


def _installed():
    """Whether a real KlongPy can be imported here (then it keeps its name outside .py)."""
    saved = {n: sys.modules.pop(n) for n in NAMES if sys.modules.get(n) is _this()}
    try:
        return importlib.util.find_spec("klongpy") is not None
    except (ImportError, ValueError):
        return False
    finally:
        sys.modules.update(saved)


def _this():
    return sys.modules[__name__]


@contextlib.contextmanager
def as_klongpy():
    """While a Python file for KlongPy loads: `import klongpy` gives this module."""
    saved = {n: sys.modules.get(n) for n in NAMES}
    keep = not _installed()
    sys.modules.update({n: _this() for n in NAMES})
    try:
        yield
    finally:
        for n, m in saved.items():
            if m is not None:
                sys.modules[n] = m
            elif not keep:
                sys.modules.pop(n, None)


__all__ = ["KlongInterpreter", "KGFnWrapper", "KGLambda", "KGSym", "KGFn", "KGCall",
           "multi_grad_of_fn", "grad_of_fn", "as_klongpy", "view"]
