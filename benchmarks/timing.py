"""Shared timing helpers for the klongtorch benchmarks.

Stdlib only: this module is imported both by ``bench_language.py`` (klongtorch
interpreter) and by ``klongpy_runner.py``, which runs inside a separate
KlongPy virtualenv.

The unit of measurement is a *sampler*: a zero-argument callable that performs
one call of the code under test and returns how long that call took, in
seconds.  ``timed(fn)`` turns an ordinary callable into a sampler using
``time.perf_counter``; a sampler may also ask another process for one
self-timed call (see ``bench_language.RemoteKlongPy``), so the IPC round trip
is never counted.
"""

from __future__ import annotations

import gc
import math
import os
import statistics
import time
from typing import Callable, Dict, List, Sequence

#: Target wall time spent measuring one cell (seconds).
FULL_TARGET_S = 0.5
QUICK_TARGET_S = 0.1

MIN_REPS = 5
QUICK_MIN_REPS = 3
MAX_REPS = 100_000

Sampler = Callable[[], float]


def tune_malloc() -> str:
    """Pin glibc malloc's mmap/trim thresholds; returns a note for the report.

    By default glibc adapts both thresholds to the largest block freed so far,
    so a loop that allocates and frees a few 8 MB arrays (``1+!1000000``) ends
    up, depending on a few bytes of heap layout, either reusing the same pages
    or handing them back to the kernel and page-faulting ~4000 pages on every
    call (~10 ms in a VM).  Which mode a process lands in is a coin toss, and
    it hits klongtorch, raw torch and KlongPy alike.  Fixing them as
    klongtorch/runtime/allocator.py does for the CLI and the kernel (every block from
    the heap, 512 MiB trim) makes the large-vector rows reproducible.  It is
    repeated here, not imported, because this module also runs in KlongPy's
    virtualenv, which has no klongtorch.  No-op off glibc.
    """
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_MMAP_MAX = -1, -3, -4
        ok = libc.mallopt(M_MMAP_THRESHOLD, 32 << 20) and libc.mallopt(
            M_TRIM_THRESHOLD, 512 << 20) and libc.mallopt(M_MMAP_MAX, 0)
        return "heap only/trim 512MiB" if ok else "mallopt failed"
    except (OSError, AttributeError):
        return "not glibc"


def target_for(quick: bool) -> float:
    return QUICK_TARGET_S if quick else FULL_TARGET_S


def min_reps_for(quick: bool) -> int:
    return QUICK_MIN_REPS if quick else MIN_REPS


def timed(fn: Callable[[], object]) -> Sampler:
    """A sampler that calls ``fn`` once and returns the perf_counter time."""
    pc = time.perf_counter

    def sample() -> float:
        t0 = pc()
        fn()
        return pc() - t0

    return sample


def _stats(samples: List[float]) -> Dict[str, float]:
    return {"median": statistics.median(samples), "min": min(samples),
            "max": max(samples), "reps": len(samples)}


def measure_samplers(
    samplers: Sequence[Sampler],
    target_s: float = FULL_TARGET_S,
    min_reps: int = MIN_REPS,
    max_reps: int = MAX_REPS,
    paired: bool = False,
) -> List[Dict[str, object]]:
    """Measure several samplers *interleaved in time*.

    Each sampler gets one untimed warm-up call and one timed calibration call
    (kept as a sample).  From the calibration time it gets
    ``reps = clamp(ceil(target_s / t), min_reps, max_reps)`` samples in all,
    and those samples are spread evenly over a common sequence of rounds, so
    all samplers are measured under the same machine conditions (other load,
    CPU frequency, allocator state).  That keeps ratios between them meaningful
    on a busy, shared host.

    paired: every sampler gets the same number of samples (the fewest any of them asked
    for), taken in strict turn, the order reversed every other round. For a ratio of two
    ways to do the same work: with counts of their own, the slower one is sampled once
    every few calls of the faster, so it always runs after the other has pushed its code
    and data out of the caches, and the ratio grows (k("1+!1000") against raw torch read
    2.6x that way and 1.7x in turn).

    Returns one dict per sampler: median/min/max/reps in seconds, or
    ``{"error": msg}`` if that sampler raised.
    """
    gc.collect()
    n = len(samplers)
    samples: List[List[float]] = [[] for _ in range(n)]
    errors: List[str] = [""] * n
    reps = [0] * n
    for i, s in enumerate(samplers):
        try:
            s()  # warm-up
            first = s()
        except Exception as e:  # noqa: BLE001 - reported in the table
            errors[i] = f"{type(e).__name__}: {e}"
            continue
        samples[i].append(first)
        r = int(math.ceil(target_s / first)) if first > 0 else max_reps
        reps[i] = max(min_reps, min(max_reps, r))
    if paired:
        reps = [min(r for r in reps if r)] * n if any(reps) else reps
    rounds = max(reps) - 1 if any(reps) else 0
    order = list(range(n))
    for r in range(rounds):
        # paired: every other round in reverse, so that neither always runs first (going
        # first moved a 10M-element row by up to 6%: +/x^2 read 1.05x one way, 0.93x the other)
        for i in (order[::-1] if paired and r % 2 else order):
            s = samplers[i]
            if errors[i]:
                continue
            # samples due by the end of round r, spread evenly over all rounds
            due = ((r + 1) * (reps[i] - 1)) // rounds - (r * (reps[i] - 1)) // rounds
            for _ in range(due):
                try:
                    samples[i].append(s())
                except Exception as e:  # noqa: BLE001
                    errors[i] = f"{type(e).__name__}: {e}"
                    break
    return [{"error": errors[i]} if errors[i] else _stats(samples[i])
            for i in range(n)]


def measure(fn: Callable[[], object], target_s: float = FULL_TARGET_S,
            min_reps: int = MIN_REPS, max_reps: int = MAX_REPS) -> Dict[str, object]:
    """Median (and min/max/reps) of ``fn`` alone; see ``measure_samplers``."""
    return measure_samplers([timed(fn)], target_s, min_reps, max_reps)[0]


def machine() -> str:
    """The machine a table was measured on, for its heading: "2 CPUs, load 1.0/1.2/2.0"."""
    return f"{os.cpu_count()} CPUs, load " + "/".join(f"{x:.1f}" for x in os.getloadavg())


def fmt_time(seconds) -> str:
    """Human-readable duration (``n/a`` for ``None``)."""
    if seconds is None:
        return "n/a"
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


def fmt_ratio(num, den) -> str:
    if num is None or den is None or den <= 0:
        return "n/a"
    return f"{num / den:.2f}x"
