"""Shared timing helpers for the klongtorch benchmarks.

Stdlib only: this module is imported both by ``bench_language.py`` (klongtorch
interpreter) and by ``klongpy_runner.py``, which runs inside a separate
KlongPy virtualenv.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from typing import Callable, Dict, List, Optional

#: Target wall time spent measuring one row (seconds).
FULL_TARGET_S = 0.5
QUICK_TARGET_S = 0.1

MIN_REPS = 5
QUICK_MIN_REPS = 3
MAX_REPS = 100_000


def target_for(quick: bool) -> float:
    return QUICK_TARGET_S if quick else FULL_TARGET_S


def min_reps_for(quick: bool) -> int:
    return QUICK_MIN_REPS if quick else MIN_REPS


def measure(
    fn: Callable[[], object],
    target_s: float = FULL_TARGET_S,
    min_reps: int = MIN_REPS,
    max_reps: int = MAX_REPS,
) -> Dict[str, float]:
    """Time ``fn`` with ``time.perf_counter``.

    One untimed warm-up call, then one timed calibration call that decides how
    many repetitions fit in ``target_s`` (clamped to ``[min_reps, max_reps]``);
    the calibration sample is kept.  Returns the median and a few other stats
    (seconds per call).
    """
    gc.collect()
    fn()  # warm-up
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    reps = int(math.ceil(target_s / first)) if first > 0 else max_reps
    reps = max(min_reps, min(max_reps, reps))
    samples: List[float] = [first]
    pc = time.perf_counter
    for _ in range(reps - 1):
        t0 = pc()
        fn()
        samples.append(pc() - t0)
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "reps": len(samples),
    }


def fmt_time(seconds: Optional[float]) -> str:
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


def fmt_ratio(num: Optional[float], den: Optional[float]) -> str:
    if num is None or den is None or den <= 0:
        return "n/a"
    return f"{num / den:.2f}x"


def ratio(num: Optional[float], den: Optional[float]) -> Optional[float]:
    if num is None or den is None or den <= 0:
        return None
    return num / den
