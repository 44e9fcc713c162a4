"""SIGINT shielded between requests: the kernel's side of klongtorch.runtime.interrupts.

The kernelspec asks for interrupt_mode "signal", so Jupyter's Interrupt button (or control-C
in `jupyter console`) sends the kernel process a SIGINT. There is one interrupt mechanism,
klongtorch.runtime.interrupts: while Klong code runs (the session installs it), SIGINT raises
KeyboardInterrupt there, outside critical sections, and the session turns it into
`kg: error: interrupted`. ipykernel would otherwise turn SIGINT into KeyboardInterrupt for
the whole of a request; these two hooks narrow that: the rest of the request, which builds
and sends the reply, ignores SIGINT, so a late interrupt cannot leave a frontend waiting
for a reply that never comes.
"""
import signal


def _ignore(signum, frame):
    """A SIGINT that comes between Klong code and its reply: too late to stop anything."""


def shield():
    """Ignore SIGINT; returns the handler it replaced (ipykernel's pre_handler_hook)."""
    return signal.signal(signal.SIGINT, _ignore)


def restore(handler):
    """Put back the handler shield replaced (ipykernel's post_handler_hook)."""
    if handler is not None:
        signal.signal(signal.SIGINT, handler)


__all__ = ["shield", "restore"]
