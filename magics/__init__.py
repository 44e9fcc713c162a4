"""klongtorch.magics: Klong in IPython.

    %load_ext klongtorch            (or %load_ext klongtorch.magics)

gives %klong (line), %%klong (cell), %klong_push, %klong_pull, %klong_reset and
%klong_tune (see magics/tune.py); `%klong?`
tells how they are used. One interpreter per IPython session keeps its state across cells;
`interpreter()` hands it to Python code.
"""
try:
    from .magic import KlongMagics
except ModuleNotFoundError as e:
    if (e.name or "").partition(".")[0] != "IPython":
        raise
    # the one thing to do about it, rather than a traceback into IPython's imports
    raise ModuleNotFoundError("klongtorch.magics needs IPython, which is not installed: "
                              "pip install 'klongtorch[kernel]' (or pip install ipython)",
                              name=e.name) from None

__all__ = ["KlongMagics", "interpreter", "load_ipython_extension"]


def load_ipython_extension(ipython):
    """Register the Klong magics; a second load (through the other name) keeps the
    session's interpreter rather than starting another."""
    if _magics(ipython) is None:
        ipython.register_magics(KlongMagics)
        # Tab and Shift+Tab in Klong code ask Klong, with this session's interpreter
        from . import completion, inspection, tune      # start-up: the help table, torch
        ipython.register_magics(tune.TuneMagics)        # %klong_tune
        completion.register(ipython, lambda: interpreter(ipython))
        inspection.register(ipython, lambda: interpreter(ipython))


def interpreter(ipython=None):
    """The klongtorch.Klong behind the magics of this IPython session (the running one if
    not given), for sharing its whole namespace: k.globals, k["name"], k["name"] = value."""
    if ipython is None:
        from IPython import get_ipython     # optional: only inside IPython
        ipython = get_ipython()
    magics = _magics(ipython) if ipython is not None else None
    if magics is None:
        raise RuntimeError("the Klong magics are not loaded: %load_ext klongtorch")
    return magics.interp


def _magics(ipython):
    return ipython.magics_manager.registry.get(KlongMagics.__name__)
