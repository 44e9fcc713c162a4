"""Interrupts: Jupyter's Interrupt button, or control-C in `jupyter console`.

The kernelspec asks for interrupt_mode "signal", so the frontend sends the kernel process
a SIGINT. ipykernel ignores SIGINT while idle, and would turn it into KeyboardInterrupt for
the whole of a request. The kernel narrows that to the Klong code itself: while Klong runs
(`interruptible`), SIGINT raises KeyboardInterrupt there, through klongtorch.interrupts'
handler, which waits while the interpreter puts state back (a function's dynamic locals,
a gradient's parameters: critical sections), so an interrupt never leaves a global with a
local's value; the rest of the request, which builds and sends the reply, is `shielded`,
so a late interrupt cannot leave a frontend waiting for a reply that never comes.
"""
import signal

from klongtorch import interrupts


def _ignore(signum, frame):
    """A SIGINT that comes between Klong code and its reply: too late to stop anything."""


def shield():
    """Ignore SIGINT; returns the handler it replaced (ipykernel's pre_handler_hook)."""
    return signal.signal(signal.SIGINT, _ignore)


def restore(handler):
    """Put back the handler shield replaced (ipykernel's post_handler_hook)."""
    if handler is not None:
        signal.signal(signal.SIGINT, handler)


def interruptible():
    """SIGINT raises KeyboardInterrupt in the code run inside, outside critical sections."""
    return interrupts.installed()


__all__ = ["interruptible", "shield", "restore"]
