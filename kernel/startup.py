"""The kernel's interpreter, built in the background so that the kernel answers at once.

Importing torch takes seconds, most of a kernel's start. Jupyter waits for the first
kernel_info reply before it calls the kernel started, and kernel_info, is_complete and
history need no interpreter. So torch is imported and the Klong interpreter built in a
daemon thread, and only the requests that run or look at Klong (execute, complete, inspect)
wait for it. The thread begins once ipykernel has imported and bound its sockets (the
kernel's start()): begun earlier, it takes the GIL from ipykernel's own imports, which then
take 1.1 s instead of 0.7 s, and the first cell is ready no sooner (one import runs at a
time either way). Begun then, it imports torch while the client connects and asks for
kernel_info, time in which the main thread mostly waits: a cold kernel's first answer
came 0.1 s sooner than with the build begun after the first kernel_info reply, and that
reply no later. (torch's libraries are loaded on the other core before that, while
ipykernel imports: klongtorch/runtime/preload.py.)

    build = startup.prepare()   # at launch; later calls return the same Build
    build.begin()               # once the kernel's sockets are bound (again: no effect);
                                # any wait, and FALLBACK seconds without one, begin it too
    startup.start()             # prepare().begin(), for callers with no reply to wait for
    build.ready()               # True once built (or failed), without waiting
    k, problem = build.wait()   # the interpreter and its setting problem (make_interpreter);
                                # KeyboardInterrupt if SIGINT comes while waiting;
                                # StartFailed, with a kg message, if it could not be built

The wait is interruptible (Jupyter's Interrupt button): the cell gets `interrupted`, the
build goes on, and the next cell waits again. A failure (torch missing or broken) is kept
and raised by every wait, so each later cell gets the same clean error reply, and the
kernel itself stays up to say so.

A thread may import torch; what it must not do is install a signal handler, and building
an interpreter installs none off the main thread (klongtorch.runtime.interrupts.begin).
"""
import logging
import os
import threading

from klongtorch.runtime import collector, interrupts
from klongtorch.shell.session import attempt
from klongtorch.value.errors import KlongError

log = logging.getLogger(__name__)

POLL = 0.1      # seconds between looks while waiting: a SIGINT is handled within one
FALLBACK = 3.0  # seconds after prepare() that the build begins if the kernel never started


class StartFailed(KlongError):
    """The interpreter could not be built; .message is the kg error every cell gets (a
    Klong error: the session reports it as it reports any other)."""


def make_interpreter():
    """(interpreter, problem): a Klong interpreter as KLONGTORCH_DEVICE and KLONGTORCH_DTYPE
    ask, and None; or, when a setting cannot be honoured, one with the defaults (the best
    device available) and the message that says why. A bad setting is not fatal: the kernel
    must still start, and it says so once, in its log and its banner."""
    device = os.environ.get("KLONGTORCH_DEVICE") or None
    dtype = os.environ.get("KLONGTORCH_DTYPE") or None
    klongpy = os.environ.get("KLONGTORCH_KLONGPY", "") not in ("", "0")
    # imported here, off the main thread (start-up time): the interpreter imports torch
    from klongtorch.interpreter import Klong
    k, failure = attempt(Klong, device=device, dtype=dtype, klongpy=klongpy)
    if failure is None:
        return k, None
    k = Klong(klongpy=klongpy)
    problem = (f"{failure.message} (KLONGTORCH_DEVICE={device or ''} "
               f"KLONGTORCH_DTYPE={dtype or ''}); running on {k.device} instead")
    log.warning("%s", problem)
    return k, problem


def failure_message(error):
    """The kg message for an exception that stopped the build: the package that is
    missing, or where to look; never the exception's own text."""
    if isinstance(error, ModuleNotFoundError) and error.name:
        missing = error.name.partition(".")[0]
        return (f"kg: error: the interpreter cannot start: {missing} is not installed "
                "(restart the kernel once it is)")
    return ("kg: error: the interpreter cannot start: importing torch or building the "
            "interpreter failed (the kernel's log has the details; restart the kernel)")


class Build:
    """The interpreter being built in its thread, and then its result."""

    def __init__(self):
        self.done = threading.Event()
        self.result = None          # (interpreter, setting problem) once built
        self.failure = None         # or the StartFailed every wait raises
        self.thread = threading.Thread(target=self._build, name="klong-startup", daemon=True)
        self.begun = False
        self.lock = threading.Lock()

    def begin(self):
        """Start building, once."""
        with self.lock:
            if not self.begun:
                self.begun = True
                self.thread.start()

    def _build(self):
        try:
            # imported here, off the main thread (start-up time): it imports torch
            from klongtorch.interpreter import own_process
            own_process()           # the kernel's process is Klong's: its recursion limit
            self.result = make_interpreter()
        except BaseException as e:  # anything: a cell must get an error, not wait forever
            log.error("the Klong interpreter could not be built", exc_info=True)
            self.failure = StartFailed(failure_message(e))
        finally:
            collector.settle()      # start-up is over (the launcher paused the collector)
            self.done.set()

    def ready(self):
        return self.done.is_set()

    def wait(self):
        """(interpreter, problem) once built. On the main thread SIGINT interrupts the
        wait (KeyboardInterrupt), and the build carries on."""
        self.begin()
        if not self.done.is_set():
            if threading.current_thread() is threading.main_thread():
                with interrupts.installed():
                    while not self.done.wait(POLL):
                        pass
            else:
                self.done.wait()
        if self.failure is not None:
            raise self.failure
        return self.result


_build = None
_lock = threading.Lock()


def prepare(fallback=FALLBACK):
    """The process's Build, made on the first call; it begins after `fallback` seconds
    unless something begins it sooner."""
    global _build
    with _lock:
        if _build is None:
            _build = Build()
            if fallback is not None:
                timer = threading.Timer(fallback, _build.begin)
                timer.daemon = True
                timer.start()
        return _build


def start():
    """The process's Build, begun."""
    build = prepare()
    build.begin()
    return build


def settled():
    """Whether torch can be imported without waiting for the build: it succeeded, or was
    never started (the kernel's functions used outside a kernel)."""
    return _build is None or (_build.ready() and _build.failure is None)


__all__ = ["Build", "StartFailed", "prepare", "start", "settled", "failure_message",
           "make_interpreter"]
