"""The costs that do not scale away: a call's fixed cost, small vectors, gradients, and
what 10M elements cost, each row in fresh processes against raw torch.

Each row runs in N fresh processes. A process times klongtorch and raw torch doing the same
work alternately (so a busy moment of the machine falls on both) and reports the median of
each; the table gives the median over processes of their ratios, and the spread. Peak memory
is measured apart, in two more fresh processes per row (one klongtorch, one raw torch): the
growth of the process's resident set while the row runs once, as getrusage reports its
maximum.

    PYTHONPATH=. python benchmarks/bench_costs.py                    # 5 processes a row
    PYTHONPATH=. python benchmarks/bench_costs.py --procs 10 --json out.json
    PYTHONPATH=. python benchmarks/bench_costs.py --only 1+!1000 --only call

Nothing here asserts on timings.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from timing import machine, measure_samplers, timed  # noqa: E402

# name, Klong setup, Klong expression, raw torch setup, raw torch expression
ROWS = [
    ("a call: k(\"1\")", "", "1", "", "None"),
    ("1+!1000", "", "1+!1000", "", "torch.arange(1000) + 1"),
    ("+/x^2, 1K", "x::1.0*!1000", "+/x^2", "x = torch.arange(1000, dtype=torch.float64)",
     "(x ** 2).sum().item()"),
] + [
    (f"gradient, {label}", f"x::1.0*!{n}", "{+/x^2}:>x",
     f"x = torch.arange({n}, dtype=torch.float64)", "grad(x)")
    for n, label in ((10_000, "10K"), (100_000, "100K"), (1_000_000, "1M"),
                     (10_000_000, "10M"))
] + [
    ("1+!n, 10M", "", "1+!10000000", "", "torch.arange(10000000) + 1"),
    ("+/x^2, 10M", "x::1.0*!10000000", "+/x^2",
     "x = torch.arange(10000000, dtype=torch.float64)", "(x ** 2).sum().item()"),
]

GRAD = ("def grad(x):\n    leaf = x.detach().requires_grad_(True)\n"
        "    return torch.autograd.grad((leaf ** 2).sum(), [leaf])[0]\n")


def _both(row):
    """(klongtorch run, raw run) for a row, in this process."""
    from klongtorch import Klong
    import torch
    _, ksetup, kexpr, rsetup, rexpr = row
    k = Klong(device="cpu")
    if ksetup:
        k(ksetup)
    ns = {"torch": torch}
    exec(GRAD + rsetup, ns)
    code = compile(rexpr, "raw", "eval")
    return (lambda: k(kexpr)), (lambda: eval(code, ns))


def time_worker(i):
    klong, raw = _both(ROWS[i])
    # interleaved (timing.measure_samplers): a busy moment of the machine falls on both
    kl, rw = measure_samplers([timed(klong), timed(raw)], target_s=0.3, paired=True)
    return {"klong": kl["median"], "raw": rw["median"]}


def memory_worker(i, which):
    klong, raw = _both(ROWS[i])
    fn = klong if which == "klong" else raw
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fn()
    return {"grew_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before}


def _process(args):
    env = dict(os.environ, PYTHONPATH=_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, os.path.abspath(__file__), *args],
                          capture_output=True, text=True, timeout=900, env=env)
    if done.returncode:
        raise RuntimeError(done.stderr[-400:])
    return json.loads(done.stdout.splitlines()[-1])


def measure(procs, memory=True, only=None):
    out = []
    for i, row in enumerate(ROWS):
        if only and not any(o in row[0] for o in only):
            continue
        print(f"[bench] {row[0]}", file=sys.stderr)
        runs = [_process(["--time", str(i)]) for _ in range(procs)]
        ratios = [r["klong"] / r["raw"] for r in runs]
        cell = {"name": row[0], "klong": statistics.median(r["klong"] for r in runs),
                "raw": statistics.median(r["raw"] for r in runs),
                "ratio": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}
        if memory and row[0].startswith(("gradient", "1+!n", "+/x^2, 10M")):
            cell["klong_mb"] = _process(["--memory", str(i), "klong"])["grew_kb"] / 1024
            cell["raw_mb"] = _process(["--memory", str(i), "raw"])["grew_kb"] / 1024
        out.append(cell)
    return out


def _t(s):
    return f"{s * 1e6:.2f} µs" if s < 1e-3 else f"{s * 1e3:.3g} ms"


def render(rows):
    lines = ["| row | klongtorch | raw torch | ratio (spread) | peak memory, klongtorch / raw |",
             "|---|---|---|---|---|"]
    for r in rows:
        mem = f"{r['klong_mb']:.0f} / {r['raw_mb']:.0f} MB" if "klong_mb" in r else ""
        raw = "" if r["name"].startswith("a call") else _t(r["raw"])
        ratio = "" if not raw else f"**{r['ratio']:.2f}x** ({r['min']:.2f}-{r['max']:.2f})"
        lines.append(f"| `{r['name']}` | {_t(r['klong'])} | {raw} | {ratio} | {mem} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--time", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--memory", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--procs", type=int, default=5, help="fresh processes per row")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--only", action="append", metavar="TEXT",
                    help="only the rows whose name contains TEXT (repeatable)")
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    if a.time is not None:
        print(json.dumps(time_worker(a.time)))
        return
    if a.memory:
        print(json.dumps(memory_worker(int(a.memory[0]), a.memory[1])))
        return
    rows = measure(a.procs, not a.no_memory, a.only)
    print(f"{a.procs} fresh processes a row; {machine()}")
    print(render(rows))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
