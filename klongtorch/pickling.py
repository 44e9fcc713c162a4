"""Klong functions that can be pickled, so that multiprocessing can send them to a worker.

A lambda travels as its source text and is compiled again where it lands; Klong has no
closures (variables are dynamically scoped), so the text is the whole function. The
globals it uses are those of the interpreter it runs in there, as in KlongPy. A
projection travels as its function and arguments, a system function as its name, a
Python function as itself (pickle's rules apply to it).

Where a pickled function lands, it is compiled in the newest interpreter of that process
(a forked worker has its parent's), or in a new one if there is none;
klongpy_compat.KGFnWrapper(klong, fn) compiles it again in klong.
"""
import weakref

_home = None


def remember(interp):
    """interp is the newest interpreter of this process (called as each one is made)."""
    global _home
    _home = weakref.ref(interp)


def home():
    interp = _home() if _home is not None else None
    if interp is None:
        from .interpreter import Klong
        interp = Klong()            # remembers itself as it installs
    return interp


def lambda_from(source):
    return _compile(source, home())


def _compile(source, interp):
    with interp.active():
        return interp.run(source)


def system_function(name):
    return home().globals[name]


def python_function(fn, arity, name):
    from .functions import PyFunc
    return PyFunc(fn, arity=arity, name=name, interp=home())


def rebind(fn, interp):
    """fn as it runs in interp: a lambda compiled there from its source, a projection whose
    function is; anything else as it is."""
    from .functions import Lambda, Projection
    if type(fn) is Lambda and fn.interp is not interp and fn.source:
        return _compile(fn.source, interp)
    if type(fn) is Projection and fn.interp is not interp:
        return Projection(rebind(fn.fn, interp), fn.args)
    return fn
