"""Thread policies, quiet and under load: which OpenMP settings klongtorch should start with.

torch runs an operation on a big enough tensor (32K elements and more) on its OpenMP threads.
How those threads wait between operations decides two things that pull apart:
- spinning (GNU OpenMP's default: a worker busy-waits up to GOMP_SPINCOUNT iterations, some
  hundreds of microseconds, before it sleeps) makes the next operation start at once on a
  quiet machine;
- on a machine shared with busy neighbours (a notebook server, a build) the spinning workers
  steal the cores the computing thread needs, and every operation waits for a scheduler
  tick: 10-100x slower.

Each policy below runs in fresh processes, with N busy neighbours (CPU-bound processes)
and without; each process times klongtorch and raw torch doing the same work, under the
same policy, so the ratio says what klongtorch adds and the times say what the policy does.

    PYTHONPATH=. python benchmarks/bench_threads.py                  # loads 0 and 2
    PYTHONPATH=. python benchmarks/bench_threads.py --load 0 --load 1 --load 2 --procs 5
    PYTHONPATH=. python benchmarks/bench_threads.py --policy klongtorch --json out.json
    PYTHONPATH=. python benchmarks/bench_threads.py --policy klongtorch --klongpy

With --klongpy, each round also runs the same Klong in a fresh KlongPy process with its
numpy back end (KlongPy's own virtualenv: $KLONGPY_PYTHON, or /work/klongpy-venv), beside
the same neighbours: the issue's "no slower than KlongPy with numpy" under load.

Nothing here asserts on timings.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from timing import measure_samplers, timed  # noqa: E402

# No torch in this module before a worker's `import klongtorch`: the policy klongtorch sets
# reaches OpenMP only when torch loads after it. (bench_language, which has klongpy_python,
# imports torch: it is imported where --klongpy asks for it.)

# name -> the environment a process starts with (over the caller's, with every variable
# named in any policy removed first, so that each policy is exactly itself)
POLICIES = {
    # OpenMP's own default. An empty environment would not do: `import klongtorch` adds its
    # POLICY where the user set none. KMP_BLOCKTIME is LLVM OpenMP's, which GNU's ignores,
    # so klongtorch sees a choice of the user's, adds nothing, and GNU OpenMP runs as it is
    "default": {"KMP_BLOCKTIME": "200"},
    "passive": {"OMP_WAIT_POLICY": "PASSIVE"},
    "spin 1K": {"GOMP_SPINCOUNT": "1000"},
    "spin 10K": {"GOMP_SPINCOUNT": "10000"},
    "spin 300K": {"GOMP_SPINCOUNT": "300000"},    # GNU OpenMP's own count, said outright
    "1 thread": {"OMP_NUM_THREADS": "1"},
    "klongtorch": None,         # what klongtorch.runtime.threads chooses (read at run time)
}

# name, Klong source, setup, raw torch expression (x: the setup's vector as a tensor)
OPS = [
    ("1+!100000", "1+!100000", "", "torch.arange(100000) + 1"),
    ("+/x^2, 100K", "+/x^2", "x::1.0*!100000", "(x ** 2).sum().item()"),
    ("1+!1000000", "1+!1000000", "", "torch.arange(1000000) + 1"),
    ("+/!1000000", "+/!1000000", "", "torch.arange(1000000).sum().item()"),
    ("<p, 100K", "<p", "p::{.rn()}'!100000", "torch.argsort(p, stable=True)"),
    ("gradient, 1M", "{+/x^2}:>x", "x::1.0*!1000000",
     "grad(x): autograd.grad of (leaf**2).sum()"),
]


def worker():
    """In a fresh process: per op, (klongtorch s, raw torch s), as JSON."""
    from klongtorch import Klong
    k = Klong(device="cpu")
    import torch
    out = {}
    for name, src, setup, raw in OPS:
        if setup:
            k(setup)
        ns = {"torch": torch}
        for var in ("x", "p"):
            if var in k:
                ns[var] = k[var]
        if name.startswith("gradient"):
            def grad(x=ns["x"]):
                leaf = x.detach().requires_grad_(True)
                return torch.autograd.grad((leaf ** 2).sum(), [leaf])
            rawfn = grad
        else:
            code = compile(raw, name, "eval")
            rawfn = lambda code=code: eval(code, ns)      # noqa: E731
        # interleaved (timing.measure_samplers): a busy moment falls on both
        kl, rw = measure_samplers([timed(lambda: k(src)), timed(rawfn)], target_s=0.5,
                                  paired=True)
        out[name] = (kl["median"], rw["median"])
    out["threads"] = torch.get_num_threads()
    json.dump(out, sys.stdout)


def klongpy_worker():
    """In a fresh KlongPy process (numpy back end): per op, its median seconds, as JSON. The
    gradient is left out (None): KlongPy's numpy back end differentiates numerically, one
    evaluation of the function per element, which at 1M elements does not finish."""
    from klongpy import KlongInterpreter
    k = KlongInterpreter()
    out = {}
    for name, src, setup, _ in OPS:
        if name.startswith("gradient"):
            out[name] = None
            continue
        if setup:
            k(setup)
        out[name] = measure_samplers([timed(lambda src=src: k(src))], target_s=0.5)[0]["median"]
    json.dump(out, sys.stdout)


def _klongpy_run(exe):
    """One fresh KlongPy process's timings (klongpy_worker)."""
    env = dict(os.environ, PYTHONPATH=_HERE)
    r = subprocess.run([exe, os.path.abspath(__file__), "--klongpy-worker"],
                       capture_output=True, text=True, env=env, timeout=900)
    if r.returncode:
        raise RuntimeError(f"KlongPy: {r.stderr.strip()[-400:]}")
    return json.loads(r.stdout)


def policy_env(policy):
    env = dict(os.environ)
    names = {n for p in POLICIES.values() if p for n in p} | {"OMP_WAIT_POLICY"}
    for n in names:
        env.pop(n, None)
    chosen = POLICIES[policy]
    if chosen is None:
        # what klongtorch sets where the user chose nothing: its POLICY, said outright. Not
        # threads.policy() of this process's environment, where `import klongtorch` has set
        # it already, so that policy() finds a choice and adds nothing.
        from klongtorch.runtime import threads
        chosen = dict(threads.POLICY)
    env.update(chosen)
    env["PYTHONPATH"] = _ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


class Neighbours:
    """n CPU-bound processes, for the life of the with block."""

    def __init__(self, n):
        self.n, self.procs = n, []

    def __enter__(self):
        self.procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                      for _ in range(self.n)]
        time.sleep(0.3 if self.n else 0)
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()


def measure(policies, loads, procs, klongpy=None):
    """{load: {policy: {op: (klong median, raw median, spread)}}}; processes interleaved.
    With klongpy (its Python), each load also has "KlongPy numpy": {op: median seconds}."""
    results = {}
    for load in loads:
        per = {p: [] for p in policies}
        kp_runs = []
        with Neighbours(load):
            for _ in range(procs):
                if klongpy:
                    kp_runs.append(_klongpy_run(klongpy))
                for p in policies:
                    r = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker"],
                                       capture_output=True, text=True, env=policy_env(p),
                                       timeout=900)
                    if r.returncode:
                        raise RuntimeError(f"{p}: {r.stderr.strip()[-400:]}")
                    per[p].append(json.loads(r.stdout))
        results[load] = {}
        for p, runs in per.items():
            row = {}
            for name, *_ in OPS:
                kl = statistics.median(r[name][0] for r in runs)
                raw = statistics.median(r[name][1] for r in runs)
                worst = max(r[name][0] / r[name][1] for r in runs)
                row[name] = (kl, raw, worst)
            results[load][p] = row
        if kp_runs:
            results[load]["KlongPy numpy"] = {
                name: None if kp_runs[0][name] is None else
                statistics.median(r[name] for r in kp_runs) for name, *_ in OPS}
    return results


def render(results):
    lines = []
    for load, table in results.items():
        lines.append(f"\n{load} busy neighbour(s): klongtorch ms / raw torch ms (ratio; worst process)")
        kp = table.get("KlongPy numpy")
        policies = [p for p in table if p != "KlongPy numpy"]
        heads = policies + (["KlongPy numpy ms (klongtorch / KlongPy)"] if kp else [])
        lines.append("| operation | " + " | ".join(heads) + " |")
        lines.append("|---" * (len(heads) + 1) + "|")
        for name, *_ in OPS:
            cells = []
            for p in policies:
                kl, raw, worst = table[p][name]
                cells.append(f"{kl * 1e3:.3g} / {raw * 1e3:.3g} ({kl / raw:.2f}; {worst:.2f})")
            if kp and kp[name] is None:
                cells.append("n/a (numeric gradient)")
            elif kp:
                ours = table[policies[-1]][name][0]     # the last policy: klongtorch's, if asked
                cells.append(f"{kp[name] * 1e3:.3g} ({ours / kp[name]:.2f})")
            lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--load", type=int, action="append",
                    help="busy neighbours (repeatable; default: 0 and 2)")
    ap.add_argument("--policy", action="append", choices=list(POLICIES),
                    help="policies to compare (repeatable; default: all)")
    ap.add_argument("--procs", type=int, default=3, help="fresh processes per cell")
    ap.add_argument("--json", help="write the results here too")
    ap.add_argument("--klongpy", action="store_true",
                    help="also KlongPy with numpy, in its own virtualenv, beside the same load")
    ap.add_argument("--klongpy-worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        return worker()
    if a.klongpy_worker:
        return klongpy_worker()
    if a.klongpy:
        from bench_language import klongpy_python      # imports torch (see the top)
    kp = klongpy_python() if a.klongpy else None
    if a.klongpy and kp is None:
        print("no KlongPy here (set KLONGPY_PYTHON): its column is left out", file=sys.stderr)
    results = measure(a.policy or list(POLICIES), a.load or [0, 2], a.procs, kp)
    print(render(results))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
