"""What a cell shows besides its streams: its value, its figures and its error.

    value_bundle(v)       the execute_result data: text/plain in Klong form (bounded), and whatever
                          klongtorch.display.rich adds (an HTML table or summary for arrays, the
                          captured graph of a compiled function)
    figure_bundles(k)     one display_data bundle (image/png) per figure the cell made
    failure_content(f)    a session's Failure (klongtorch.shell.session) as ename, evalue and a
                          traceback of plain lines: the kg message (in red), the failing
                          source line and a caret under the failing spot
    error_content(...)    the same from an ename and a message

A cell's value is shown unless the code ends with ';' (after comments and blanks: the
session decides, klongtorch.parse.lexer.survey). Klong itself has no such rule, but it is the
notebook convention (IPython's), it costs nothing to learn, and a definition such as
f::{...} still shows what it defined (:monad), as kg does.
"""
import base64
import logging

log = logging.getLogger(__name__)

RED, RESET = "\x1b[0;31m", "\x1b[0m"


def value_bundle(value):
    """The data of an execute_result: plain text is always there, bounded for a large value
    (klongtorch.value.summary: head … tail and the shape), so that a notebook stays small. Only
    running out of memory, or an interrupt, can stop it."""
    from klongtorch.value.summary import summary  # start-up: torch, not at the kernel's start
    plain = {"text/plain": summary(value)}
    try:
        from klongtorch.display.rich import mime_bundle  # start-up (see summary above)
    except ImportError:
        return plain
    try:
        bundle = dict(mime_bundle(value))
    except Exception:       # a display bug must not lose the value
        log.exception("klongtorch.display.rich.mime_bundle failed")
        return plain
    bundle.setdefault("text/plain", plain["text/plain"])
    return bundle


def figure_bundles(interp):
    """display_data bundles for the figures made since the last call: by .plot and
    friends, and by matplotlib through Python interop (which are closed afterwards)."""
    try:
        from klongtorch.display import figures  # start-up: torch; optional: matplotlib
    except ImportError:
        return []
    bundles = []
    for fig in figures.take_figures(interp, include_pyplot=True):
        png = base64.b64encode(figures.png(fig)).decode("ascii")
        bundles.append({"image/png": png, "text/plain": repr(fig)})
    return bundles


def error_content(ename, message, context=""):
    """The fields shared by an error message and an error reply."""
    lines = [RED + message + RESET] + (context.split("\n") if context else [])
    return {"ename": ename, "evalue": message, "traceback": lines}


def failure_content(failure):
    """The error content of a Failure: its context, and its Python traceback when the
    session shows tracebacks (KLONGTORCH_TRACEBACK=1), below the message."""
    return error_content(failure.kind, failure.message, failure.details)


__all__ = ["value_bundle", "figure_bundles", "error_content", "failure_content"]
