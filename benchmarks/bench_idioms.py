"""Klong idioms (adverbs over lambdas) against raw torch doing the same work.

Each idiom runs in several fresh processes. A process times the Klong idiom and the raw
torch expression alternately in the same interpreter state (median of its own repetitions
of each), so both meet the same machine; the table gives, over the processes, the median
time of each and the median of the per-process ratios, with the ratios' spread. The
element-by-element time (Klong(lift=False), a few repetitions) shows what lifting saves.

    PYTHONPATH=. python benchmarks/bench_idioms.py                    # 5 processes
    PYTHONPATH=. python benchmarks/bench_idioms.py --processes 3 --quick --json out.json
    PYTHONPATH=. python benchmarks/bench_idioms.py --device cuda --n 10000000

Processes pin glibc malloc as the CLI and the kernel do (klongtorch.runtime.allocator), and so do
the raw torch timings, which share the process. Nothing here asserts on timings.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name, Klong setup, Klong idiom, raw torch setup (Python, sees k, torch, n), raw
# expression, target ratio (from the lifting issue)
IDIOMS = [
    ("each", "v::!N", "{x*x}'v", "v = k['v']", "v*v", 3),
    ("conditional each", "v::!N", "{:[x>5;x;0]}'v", "v = k['v']", "torch.where(v>5, v, 0)",
     5),
    ("each-2", "v::!N", "v{x*y}'v", "v = k['v']", "v*v", 3),
    ("projection each", "v::!N", "{x+y}(1;)'v", "v = k['v']", "v+1", 3),
    ("each-left", "v::!N", "1{x-y}:\\v", "v = k['v']", "1-v", 3),
    ("reals, two verbs", "u::0.5*!N", "{(x*x)+1}'u", "u = k['u']", "u*u+1", 3),
    (":> under each (1,000 points)", "w::1.0*!1000", "{{x^3}:>x}'w",
     "w = k['w']; g = torch.func.vmap(torch.func.grad(lambda x: x**3))", "g(w)", 3),
    ("nested-each dot 64x64", "A::[64 64]:^{.rn()}'!4096;B::[64 64]:^{.rn()}'!4096;"
     "dot::{[T];T::+y;{{+/x*y}(x;)'T}'x}", "dot(A;B)", "A = k['A']; B = k['B']", "A@B",
     10),
    ("row sums, each over a matrix", "M::[1000 100]:^1.0*!100000", "{+/x}'M",
     "M = k['M']", "M.sum(1)", 3),
]


def _median_time(fn, sync, reps, budget):
    import time
    fn()
    sync()
    times = []
    start = time.perf_counter()
    while len(times) < reps or (time.perf_counter() - start < budget and len(times) < 2000):
        t = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def worker(index, n, device, quick):
    """One fresh process: the idiom, raw torch and the element loop; prints JSON."""
    # klongtorch before torch: its thread policy reaches OpenMP only if torch loads after
    from klongtorch import Klong
    from klongtorch.runtime import allocator
    import torch
    allocator.tune()
    name, setup, idiom, raw_setup, raw, _ = IDIOMS[index]
    kind = torch.device(device).type        # cuda:1 and mps run behind Python too
    sync = (lambda: torch.cuda.synchronize(device)) if kind == "cuda" else \
        torch.mps.synchronize if kind == "mps" else (lambda: None)
    k = Klong(device=device)
    k(setup.replace("N", str(n)))
    scope = {"k": k, "torch": torch, "n": n}
    exec(raw_setup, scope)
    raw_fn = eval("lambda: " + raw, scope)
    budget = 0.15 if quick else 0.5
    kt, rt = [], []
    for _ in range(3):                  # alternate, so both meet the same moments
        kt.append(_median_time(lambda: k(idiom), sync, 5, budget / 3))
        rt.append(_median_time(raw_fn, sync, 5, budget / 3))
    loop = Klong(device=device, lift=False)
    loop(setup.replace("N", str(n)))
    for var in ("A", "B"):              # the same random matrices in both
        if var in k:
            loop[var] = k[var]
    lt = _median_time(lambda: loop(idiom), sync, 1 if quick else 3, 0)
    print(json.dumps({"klong": statistics.median(kt), "raw": statistics.median(rt),
                      "loop": lt}))


def fmt(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.0f} µs"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--processes", type=int, default=5)
    p.add_argument("--n", type=int, default=100000, help="vector length (default 100000)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--only", help="run only the idioms whose name contains this")
    p.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker is not None:
        return worker(args.worker, args.n, args.device, args.quick)
    env = dict(os.environ, PYTHONPATH=_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    rows = []
    print(f"idioms at n={args.n} on {args.device}, {args.processes} fresh processes each")
    print("| idiom | Klong | klongtorch | raw torch | raw expression | ratio (spread) "
          "| target | element loop |")
    print("|---|---|---|---|---|---|---|---|")
    for i, (name, _, idiom, _, raw, target) in enumerate(IDIOMS):
        if args.only and args.only not in name:
            continue
        runs = []
        for _ in range(args.processes):
            cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(i), "--n",
                   str(args.n), "--device", args.device] + (["--quick"] if args.quick else [])
            out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        ratios = sorted(r["klong"] / r["raw"] for r in runs)
        row = {"name": name, "idiom": idiom, "raw": raw, "target": target,
               "klong_s": statistics.median(r["klong"] for r in runs),
               "raw_s": statistics.median(r["raw"] for r in runs),
               "loop_s": statistics.median(r["loop"] for r in runs),
               "ratio": statistics.median(ratios), "ratio_min": ratios[0],
               "ratio_max": ratios[-1]}
        rows.append(row)
        print(f"| {name} | `{idiom}` | {fmt(row['klong_s'])} | {fmt(row['raw_s'])} | `{raw}` "
              f"| **{row['ratio']:.2f}x** ({row['ratio_min']:.2f}-{row['ratio_max']:.2f}) "
              f"| ≤{target}x | {fmt(row['loop_s'])} |", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"n": args.n, "device": args.device, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
