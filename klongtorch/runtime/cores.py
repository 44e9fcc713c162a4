"""How many threads torch computes with: the cores nobody else is using.

torch starts one OpenMP thread per core and splits every operation of 32K elements or more
among them. An operation ends when its slowest thread does, so a thread that shares its
core with a busy neighbour (another kernel, a build) holds up the whole operation, by up to
a scheduler time slice. Measured on two cores (benchmarks/bench_threads.py, "1 thread"
against the two torch starts with):

    ms, two threads / one    <p, 100K     gradient, 1M    1+!1000000
    no busy neighbour        2.8 / 2.4    2.3 / 3.3       0.82 / 1.20    two win at 1M
    one                      2.5 / 2.5    3.6 / 3.3       1.22 / 1.18    one as fast or faster
    two                      7.0 / 2.6    7.5 / 3.5       1.19 / 1.22    one up to 2.7x faster

No fixed count wins both ways, so klongtorch counts, at most every CHECK_EVERY seconds as it
enters Klong (interpreter.Klong.__call__ and active()), the threads that are runnable on the
machine and are not its own, and gives torch the cores they leave: all of them on a quiet
machine, as torch's own default, and fewer as neighbours come (when two looks agree, so
within half a second). The count comes from /proc/loadavg
(runnable threads on the whole machine, one read of a kept-open file, about 1 µs); where
it says others may be running, /proc/self/task says which runnable threads are ours (a
torch worker still spinning after an operation is one), so that klongtorch never counts
itself as a neighbour.

A count the user chose wins: with OMP_NUM_THREADS set, or KLONGTORCH_THREADS=fixed, nothing
changes, and once torch.set_num_threads has been called by anyone else, adapting stops for
good. Only the main thread adapts: OpenMP's thread count is kept per thread, and the main
thread is where a notebook's and a script's computing happens. Off Linux there is no
/proc, and nothing changes.
"""
import os
import threading
import time

import torch

CHECK_EVERY = 0.25          # seconds between two looks at the machine
_MAIN = threading.main_thread().ident


def idle_cores(cpus, running, ours):
    """The threads torch should use: the cpus not taken by runnable threads of other
    processes (running on the machine, ours of them this process's), and at least one."""
    return max(1, cpus - max(0, running - ours))


class _State:
    """The adapting: off (None fd) where it cannot or must not happen."""
    __slots__ = ("fd", "next", "full", "cpus", "chosen", "seen")

    def __init__(self):
        self.fd = None
        self.next = 0.0
        self.full = self.cpus = self.chosen = self.seen = 0


_S = _State()


def start(environ=None):
    """Begin adapting in this process (the first interpreter calls it); False where the
    user chose a count, or this is no Linux."""
    environ = os.environ if environ is None else environ
    if _S.fd is not None:
        return True
    if "OMP_NUM_THREADS" in environ or environ.get("KLONGTORCH_THREADS") == "fixed":
        return False
    try:
        fd = os.open("/proc/loadavg", os.O_RDONLY)
        cpus = len(os.sched_getaffinity(0))
    except (OSError, AttributeError):
        return False
    _S.full = _S.chosen = torch.get_num_threads()
    _S.cpus = cpus
    _S.fd = fd
    return True


def adapt(now=time.monotonic):
    """Give torch the idle cores, when CHECK_EVERY has passed since the last look. Costs a
    clock read when it is not due. It runs before the interpreter is entered, so an
    interrupt landing here leaves nothing to undo (at worst a count set and not recorded,
    which the next look takes for the user's choice, and adapting stops)."""
    t = now()
    if t < _S.next or _S.fd is None:
        return
    _S.next = t + CHECK_EVERY
    if threading.get_ident() != _MAIN:
        return
    if torch.get_num_threads() != _S.chosen:     # someone else chose: theirs stands
        stop()
        return
    running = _running()
    if running is None:
        stop()
        return
    ours = _our_runnable() if running > 1 else 1
    n = min(_S.full, idle_cores(_S.cpus, running, ours))
    # a count is taken when two looks in a row agree: one look can catch a passing process,
    # or a worker of ours between the two reads, and one 1+!n in ten ran on one thread
    if n != _S.chosen and n == _S.seen:
        torch.set_num_threads(n)
        _S.chosen = n
    _S.seen = n


def stop():
    """Stop adapting; the thread count stays as it is."""
    if _S.fd is not None:
        os.close(_S.fd)
    _S.fd = None


def _running():
    """Runnable threads on the machine now (the fourth field of /proc/loadavg, "3/120"),
    this one included; None if it cannot be read."""
    try:
        return int(os.pread(_S.fd, 128, 0).split()[3].split(b"/")[0])
    except (OSError, IndexError, ValueError):
        return None


def _our_runnable():
    """This process's runnable threads (state R in /proc/self/task/*/stat); at least this
    one, which is running the count."""
    n = 0
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return 1
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue                # a thread that ended meanwhile
        if stat[stat.rfind(b")") + 2:][:1] == b"R":
            n += 1
    return max(n, 1)


__all__ = ["CHECK_EVERY", "idle_cores", "start", "adapt", "stop"]
