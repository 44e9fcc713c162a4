"""Scalar programs against the same function handwritten in CPython (issue 23's targets).

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_scalar.py            # 41 pairs per row
    PYTHONPATH=. python benchmarks/bench_scalar.py --pairs 101

Each row times klongtorch and the handwritten function alternately in one process, one
pair after another, on the thread's CPU clock (time.thread_time), and reports the median
of the per-pair ratios. A busy moment of a shared machine then slows both halves of a pair
alike, or shows up in a few pairs that the median ignores; wall-clock medians taken one
after the other moved by 2x from run to run on a machine shared with five other jobs.
Nothing here asserts on timings.
"""
import argparse
import statistics
import sys
import time

from klongtorch import Klong


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def count_while():
    x = 0
    while x < 100000:
        x = x + 1
    return x


def count_for():
    x = 0
    for _ in range(100000):
        x = x + 1
    return x


LIST = list(range(100000))

# label, Klong program, lifting on, the handwritten function
ROWS = [
    ("fib(20)", "fib(20)", True, lambda: fib(20)),
    ("while: {x<100000}{x+1}:~0", "{x<100000}{x+1}:~0", True, count_while),
    ("iterate: 100000{x+1}:*0", "100000{x+1}:*0", True, count_for),
    ("each: {x+1}'l, l::!100000", "{x+1}'l", True, lambda: [x + 1 for x in LIST]),
    ("each, element by element (lifting off)", "{x+1}'l", False,
     lambda: [x + 1 for x in LIST]),
]


def pair_ratio(klong, python, pairs):
    """(median klong seconds, median python seconds, median of the per-pair ratios)."""
    klong(), python()                       # warm-up
    a, b = [], []
    for _ in range(pairs):
        t0 = time.thread_time()
        klong()
        t1 = time.thread_time()
        python()
        t2 = time.thread_time()
        a.append(t1 - t0)
        b.append(t2 - t1)
    ratios = [x / y for x, y in zip(a, b) if y > 0]
    return statistics.median(a), statistics.median(b), statistics.median(ratios)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=41, help="timed pairs per row")
    args = ap.parse_args(argv)
    sys.setrecursionlimit(10000)
    print(f"| program | klongtorch | CPython | ratio (median of {args.pairs} pairs) |")
    print("|---|---|---|---|")
    for label, src, lift, python in ROWS:
        k = Klong(device="cpu", lift=lift)
        k("fib::{:[x<2;x;fib(x-1)+fib(x-2)]}")
        k("l::!100000")
        ka, pb, r = pair_ratio(lambda: k(src), python, args.pairs)
        print(f"| {label} | {ka * 1e3:.2f} ms | {pb * 1e3:.2f} ms | {r:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
