"""Interrupts that cannot split a restore.

Control-C (or Jupyter's Interrupt button) arrives as SIGINT, and Python turns it into a
KeyboardInterrupt between any two bytecodes, a `finally` block included. Code that puts
state back (a function's dynamic locals, a gradient's parameters, an optimizer's step) must
not be cut in half, or a global keeps a local's value. So such code runs as a critical
section, and the SIGINT handler installed here defers an interrupt that lands inside one:
it is raised the moment the outermost section ends, after the state is whole again.

    from klongtorch import interrupts
    with interrupts.installed():          # the CLI, the kernel, the magic: while Klong runs
        ...
    interrupts.enter()                    # around setup and restore; a `with critical:`
    try:                                  # block does the same, a little slower
        ...
    finally:
        interrupts.leave()

Outside `installed()` the sections cost two attribute updates and change nothing: whatever
handler the process has runs as before. Signals reach only the main thread, so the depth
and the pending flag are kept per thread; a worker thread's sections never see a
KeyboardInterrupt.
"""
import signal
import threading
from contextlib import contextmanager

_local = threading.local()


def _state():
    try:
        return _local.depth
    except AttributeError:
        _local.depth = 0
        _local.pending = False
        return 0


def enter():
    """Begin a critical section: an interrupt from here on waits for the matching leave()."""
    try:
        _local.depth += 1
    except AttributeError:
        _state()
        _local.depth = 1


def leave():
    """End a critical section; at the outermost one, raise an interrupt that waited."""
    d = _local.depth - 1
    _local.depth = d
    if not d and _local.pending:
        _local.pending = False
        raise KeyboardInterrupt


class _Critical:
    """`with critical:` runs its block as one critical section."""
    __slots__ = ()

    def __enter__(self):
        enter()

    def __exit__(self, *exc):
        # an interrupt that waited is raised unless the block is failing already
        d = _local.depth - 1
        _local.depth = d
        if not d and _local.pending and exc[0] is None:
            _local.pending = False
            raise KeyboardInterrupt
        return False


critical = _Critical()


def handler(signum, frame):
    """SIGINT: KeyboardInterrupt now, or when the running critical section ends."""
    if _state():
        _local.pending = True
        return
    raise KeyboardInterrupt


def pending():
    """True when an interrupt is waiting for a critical section to end."""
    _state()
    return _local.pending


def clear():
    """Forget a waiting interrupt (at the end of a request, when nothing is left to stop)."""
    _state()
    _local.pending = False


@contextmanager
def installed():
    """Make SIGINT deferrable while the block runs (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, saved)
        clear()


__all__ = ["enter", "leave", "critical", "handler", "installed", "pending", "clear"]
