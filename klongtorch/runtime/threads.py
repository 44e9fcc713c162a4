"""The thread policy: how torch's OpenMP workers wait between operations.

torch runs an operation on 32K elements or more on its OpenMP threads. GNU OpenMP's
default lets an idle worker spin for some hundreds of microseconds before it sleeps. On a
quiet machine that saves a wake-up per operation; on a machine shared with busy neighbours
(a notebook server, a build) the spinning workers take the cores the computing thread
needs, and operations wait for the scheduler: measured with two busy neighbours on two
cores, `<p` on 100K took 384 ms instead of 3.5.

POLICY is what measurement chose (benchmarks/bench_threads.py; the README gives the
tables): a short spin, which keeps the quiet machine's speed where the next operation
follows at once, and stops spinning soon enough not to starve the computing thread.

OpenMP reads these variables once, when torch loads it, so they are set before torch is
imported: by the CLI and the kernel's launcher, in the kernel spec's environment, and by
`import klongtorch` when torch is not loaded yet (the API and the magic; where torch came
first, the README says to set them in the shell). A variable the user set always wins:
`OMP_WAIT_POLICY=ACTIVE`, `GOMP_SPINCOUNT=...` or `OMP_NUM_THREADS=...` override it.
"""
import os
import sys

POLICY = {"GOMP_SPINCOUNT": "10000"}

# the variables that already say how OpenMP waits: with any of them set, none is added
_USERS = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME")


def policy(environ=None):
    """The variables klongtorch would add to environ (os.environ by default): POLICY, unless
    the user chose a wait policy of their own."""
    environ = os.environ if environ is None else environ
    if any(n in environ for n in _USERS):
        return {}
    return dict(POLICY)


def apply(environ=None):
    """Add policy() to environ (os.environ by default). In this process it takes effect
    only if torch is not loaded yet; True when it did."""
    environ = os.environ if environ is None else environ
    environ.update(policy(environ))
    return "torch" not in sys.modules


__all__ = ["POLICY", "policy", "apply"]
