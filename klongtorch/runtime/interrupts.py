"""Interrupts that cannot split a restore: the one interrupt mechanism of klongtorch.

Control-C (or Jupyter's Interrupt button) arrives as SIGINT, and Python turns it into a
KeyboardInterrupt between any two bytecodes, a `finally` block included. Code that puts
state back (a function's dynamic locals, a gradient's parameters, an optimizer's step) must
not be cut in half, or a global keeps a local's value. So such code runs as a critical
section, and the SIGINT handler installed here defers an interrupt that lands inside one:
it is raised the moment the outermost section ends, after the state is whole again.

    from klongtorch.runtime import interrupts
    with interrupts.installed():          # the session (session.py), while Klong runs
        ...
    interrupts.enter()                    # around setup and restore; a `with critical:`
    try:                                  # block does the same, a little slower
        ...
    finally:
        interrupts.leave()

Outside `installed()` the sections cost two attribute updates and change nothing: whatever
handler the process has runs as before. klongtorch.shell.session turns the KeyboardInterrupt that
comes out into `kg: error: interrupted`; the Jupyter kernel only ignores SIGINT between its
requests' Klong code and their replies (kernel/shield.py). Signals reach only the main
thread, so the depth and the pending flag are kept per thread; a worker thread's sections
never see a KeyboardInterrupt.

Python runs a signal handler only at a few points: a function's first instruction, a
backward jump, the return of a call into C. So `finally: enter()` has one such point
before the depth goes up, enter()'s own start, and the handler also defers an interrupt
that lands in a function registered with `guard` (enter, leave, the exits below); that
closes the gap between a `finally:` and its enter(). A guarded function must run no
other Python code before its enter(), and must reach a leave() (or end()).
"""
import signal
import threading

try:                        # the C module under `signal`: the same calls without its enum
    import _signal as _sig  # wrapping, some 30 times faster (k(...) swaps handlers per call)
except ImportError:         # pragma: no cover (not CPython)
    _sig = signal

_local = threading.local()
_guarded = set()            # code objects in which an interrupt always waits
_MAIN = threading.main_thread().ident
_SIGINT = int(signal.SIGINT)
_PYTHONS = signal.default_int_handler


def guard(fn):
    """Register fn: an interrupt landing in its own frame waits, as in a critical section."""
    _guarded.add(fn.__code__)
    return fn


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
    if _state() or (frame is not None and frame.f_code in _guarded):
        _local.pending = True
        return
    raise KeyboardInterrupt


def check():
    """Raise an interrupt that waited, when no critical section is running."""
    # getattr: a thread that never began a section (a worker calling Python API) has none
    if getattr(_local, "pending", False) and not _local.depth:
        _local.pending = False
        raise KeyboardInterrupt


_KEEP = object()             # begin()'s answer when ours stays installed after end()


def begin():
    """Install the handler for a stretch of Klong code (main thread; calls may nest).
    Returns what end() needs. A SIGINT that lands here waits: check() raises it.

    Where the process has Python's own handler (default_int_handler), ours replaces it for
    good: outside a critical section it does exactly what Python's does, raise
    KeyboardInterrupt, and swapping the two on every call cost two system calls a call
    (half the interpreter's fixed cost of k("1+!1000")). A handler of the user's own is
    swapped in and out per call, so that their code outside Klong sees theirs. (One thing
    can tell the two apart: asyncio.run installs its own Control-C handling only over
    Python's, so after Klong has run, Control-C in asyncio.run raises KeyboardInterrupt
    where the code is, as before Python 3.11.)"""
    try:
        n = _local.installs
    except AttributeError:
        _state()
        n = _local.installs = 0 if threading.get_ident() == _MAIN else -1
    if n:                           # nested (n > 0), or not the main thread (n < 0)
        if n > 0:
            _local.installs = n + 1
        return None
    saved = _sig.getsignal(_SIGINT)
    if saved is handler or saved is _PYTHONS:
        if saved is not handler:
            _sig.signal(_SIGINT, handler)
        _local.installs = 1
        return _KEEP
    # a process that ignores SIGINT (started in the background), or dies of it, keeps that
    if saved is None or saved in (_sig.SIG_IGN, _sig.SIG_DFL):
        return None
    _sig.signal(_SIGINT, handler)
    _local.installs = 1
    return saved


def end(saved):
    """Undo begin(saved). The outermost end puts back the handler that was there and
    forgets an interrupt that came too late to stop anything; an inner one raises it."""
    if saved is None:
        n = _local.installs
        if n > 1:
            _local.installs = n - 1
            if _local.pending and not _local.depth:
                _local.pending = False
                raise KeyboardInterrupt
        return
    if saved is not _KEEP:
        _sig.signal(_SIGINT, saved)
    _local.installs = 0
    _local.pending = False


for _fn in (enter, leave, _Critical.__enter__, _Critical.__exit__, check, begin, end):
    guard(_fn)


def pending():
    """True when an interrupt is waiting for a critical section to end."""
    _state()
    return _local.pending


def clear():
    """Forget a waiting interrupt (at the end of a request, when nothing is left to stop)."""
    _state()
    _local.pending = False


class installed:
    """`with installed():` SIGINT deferrable while the block runs (main thread only;
    elsewhere a no-op). A class rather than a generator: the session enters it for every
    cell, and the generator's machinery was a third of what the session adds to a cell of
    1+!1000000 run in a loop."""
    __slots__ = ("saved",)

    def __enter__(self):
        self.saved = begin()
        try:
            check()
        except BaseException:
            end(self.saved)
            raise

    def __exit__(self, *exc):
        end(self.saved)
        return False


for _fn in (installed.__enter__, installed.__exit__):
    guard(_fn)


__all__ = ["enter", "leave", "critical", "handler", "installed", "pending", "clear", "guard",
           "check", "begin", "end"]
