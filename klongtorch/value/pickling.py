"""Klong functions that can be pickled, so that multiprocessing can send them to a worker.

A lambda travels as its source text and is compiled again where it lands; Klong has no
closures (variables are dynamically scoped), so the text is the whole function. The
globals it uses are those of the interpreter it runs in there, as in KlongPy. A
projection travels as its function and arguments, a system function as its name, a
Python function as itself (pickle's rules apply to it). Each function value's __reduce__
names the rebuilder here (convert.PyFunc has its own).

Where a pickled function lands, it is rebuilt in the newest interpreter of that process
(a forked worker has its parent's), or in a new one if there is none. A pickle carries its
interpreter's class, by reference, so that this module can make one without importing the
interpreter, which sits layers above it; klongpy_compat.KGFnWrapper(klong, fn) compiles a
function again in klong.
"""
import weakref

import klongtorch

_home = None
_kind = None


def remember(interp):
    """interp is the newest interpreter of this process (called as each one is made)."""
    global _home, _kind
    _home, _kind = weakref.ref(interp), type(interp)


def new(**options):
    """A new interpreter of the kind last made in this process, or klongtorch.Klong in a
    process that has made none yet (klongpy_compat's KlongInterpreter(), a pickle that
    carries no kind). klongtorch.Klong is the package's public entry point, looked up by
    name when it is needed: this module sits layers below the interpreter."""
    return (_kind or klongtorch.Klong)(**options)


def home(kind=None):
    """The newest interpreter of this process, or, when there is none, a new one of kind
    (the class of the interpreter a function was pickled from)."""
    interp = _home() if _home is not None else None
    if interp is None:
        interp = kind() if kind is not None else new()     # remembers itself as it installs
    return interp


def kind_of(fn):
    """The class of fn's interpreter, for home() where fn lands; None when it has none."""
    interp = getattr(fn, "interp", None)
    return None if interp is None else type(interp)


def compiled(source, interp):
    """The function value of source, compiled in interp."""
    with interp.active():
        return interp.run(source)


def lambda_from(source, kind=None):
    return compiled(source, home(kind))


def system_function(name, kind=None):
    return home(kind).globals[name]
