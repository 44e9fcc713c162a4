"""Shift+Tab on Klong in %%klong cells and %klong lines: the Klong kernel's help.

ipykernel answers an inspect_request with do_inspect(code, cursor_pos): it takes the
Python name at the cursor and asks the shell's inspector about that object, so Klong's +
or .p would find nothing (or the magic's own docstring). The shell's inspector never sees
the code, so the hook is one level up: the kernel's do_inspect, wrapped on this kernel,
answers from klongtorch.kernel.inspection when the cursor is in Klong and leaves Python
to ipykernel. Outside ipykernel (a terminal IPython) there is no inspect_request, and
nothing to wrap.
"""
from klongtorch.kernel import inspection as klong_inspection

from .cells import klong_at


def make_do_inspect(python_do_inspect, interp):
    """do_inspect that answers Klong itself and passes everything else on."""

    def do_inspect(code, cursor_pos, detail_level=0, omit_sections=()):
        if cursor_pos is None:
            cursor_pos = len(code)
        found = klong_at(code, cursor_pos)
        if found is None:
            return python_do_inspect(code, cursor_pos, detail_level, omit_sections)
        klong_code, cursor = found
        return klong_inspection.reply(klong_code, cursor, interp(), detail_level)

    do_inspect.python_do_inspect = python_do_inspect
    return do_inspect


def register(shell, interp):
    """Wrap the do_inspect of shell's kernel, once: a second load replaces the first."""
    kernel = getattr(shell, "kernel", None)
    if kernel is None or not hasattr(kernel, "do_inspect"):
        return
    python_do_inspect = getattr(kernel.do_inspect, "python_do_inspect", kernel.do_inspect)
    kernel.do_inspect = make_do_inspect(python_do_inspect, interp)


__all__ = ["make_do_inspect", "register"]
