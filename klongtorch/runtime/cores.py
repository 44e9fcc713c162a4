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

No fixed count wins both ways, so klongtorch gives torch the cores that other processes
leave: all of them on a quiet machine, as torch's own default, and fewer as neighbours come.

Who is busy is sampled by a daemon thread, every SAMPLE_EVERY seconds: the runnable threads
on the machine (/proc/loadavg's fourth field, one read of a kept-open file), less those of
this process (/proc/self/task/*/stat: a torch worker still spinning after an operation is
ours, not a neighbour). A neighbour counts when it was runnable in each of the last WINDOW
samples, so that a process passing by is not taken for one. The samples are not taken when
Klong starts running: a notebook's cell starts when the Jupyter server has just routed its
request, and a look taken then saw the server as a busy neighbour half the time. The
sampler sleeps while no Klong has run for IDLE seconds.

As Klong is entered (interpreter.Klong.__call__ and active()), adapt() compares the
sampler's advice with the count it set last: one comparison, and a torch.set_num_threads
call when they differ. Only the main thread adapts: OpenMP's thread count is kept per
thread, and the main thread is where a notebook's and a script's computing happens.

A count the user chose wins: with OMP_NUM_THREADS set, or KLONGTORCH_THREADS=fixed, nothing
changes, and once torch.set_num_threads has been called by anyone else, adapting stops for
good. Off Linux there is no /proc, and nothing changes.
"""
import os
import threading
import time

import torch

SAMPLE_EVERY = 0.1          # seconds between two samples of the machine
WINDOW = 3                  # a neighbour counts when it was busy in this many samples in a row
IDLE = 5.0                  # seconds without Klong after which the sampler sleeps
_MAIN = threading.main_thread().ident


def idle_cores(cpus, running, ours):
    """The threads torch should use: the cpus not taken by runnable threads of other
    processes (running on the machine, ours of them this process's), and at least one."""
    return max(1, cpus - max(0, running - ours))


class _State:
    """The adapting: off (fd None) where it cannot or must not happen."""
    __slots__ = ("fd", "full", "cpus", "chosen", "advice", "entries", "asleep", "wake")

    def __init__(self):
        self.fd = None
        self.full = self.cpus = self.chosen = self.advice = 0
        self.entries = 0            # how often Klong was entered (a count: cheaper than a clock)
        self.asleep = False         # the sampler waits for wake
        self.wake = threading.Event()


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
    _S.full = _S.chosen = _S.advice = torch.get_num_threads()
    _S.cpus = cpus
    _S.fd = fd
    threading.Thread(target=_sample, name="klong-cores", daemon=True).start()
    return True


def adapt():
    """Give torch the cores the sampler found idle: one comparison when nothing changed.
    It runs before the interpreter is entered, so an interrupt landing here leaves nothing
    to undo (at worst a count set and not recorded, which the next call takes for the
    user's choice, and adapting stops)."""
    _S.entries += 1
    if _S.asleep:                   # the sampler slept: Klong runs again
        _S.asleep = False
        _S.wake.set()
    n = _S.advice
    if n == _S.chosen or _S.fd is None or threading.get_ident() != _MAIN:
        return
    if torch.get_num_threads() != _S.chosen:     # someone else chose: theirs stands
        stop()
        return
    torch.set_num_threads(n)
    _S.chosen = n


def stop():
    """Stop adapting; the thread count stays as it is."""
    fd, _S.fd = _S.fd, None
    _S.wake.set()                   # a sleeping sampler wakes, sees fd None, and ends
    if fd is not None:
        os.close(fd)


def _sample():
    """The sampler thread: advice from the last WINDOW looks, until stop()."""
    window = []
    seen, since = _S.entries, time.monotonic()
    while _S.fd is not None:
        if _S.entries != seen:
            seen, since = _S.entries, time.monotonic()
        elif time.monotonic() - since > IDLE:
            _S.wake.clear()         # no Klong for a while: sleep until adapt() wakes us
            _S.asleep = True
            if _S.entries == seen:  # (unless it ran meanwhile)
                _S.wake.wait()
            _S.asleep = False
            window.clear()
            seen, since = _S.entries, time.monotonic()
            continue
        others = _others()
        if others is None:
            stop()
            return
        window.append(others)
        del window[:-WINDOW]
        _S.advice = min(_S.full, idle_cores(_S.cpus, min(window), 0))
        time.sleep(SAMPLE_EVERY)


def _others():
    """Runnable threads on the machine now that are not this process's; None if /proc
    cannot be read."""
    running = _running()
    if running is None:
        return None
    if running <= 1:
        return 0
    # ours, counted on both sides of a second read: a torch worker that spins and sleeps
    # between operations may be runnable at one read and asleep at one count (one process
    # in three ran a 6-second loop of 1+!1000000 on one thread for 98 calls)
    before = _our_runnable()
    again = _running()
    if again is None:
        return None
    return max(0, min(running, again) - max(before, _our_runnable()))


def _running():
    """Runnable threads on the whole machine, this one included (the fourth field of
    /proc/loadavg, "3/120"); None if it cannot be read."""
    fd = _S.fd
    if fd is None:
        return 0
    try:
        return int(os.pread(fd, 128, 0).split()[3].split(b"/")[0])
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


__all__ = ["SAMPLE_EVERY", "WINDOW", "IDLE", "idle_cores", "start", "adapt", "stop"]
