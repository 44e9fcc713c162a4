"""Language-level benchmarks: klongtorch vs raw torch vs KlongPy 0.7.1.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_language.py           # ~0.5 s per cell
    PYTHONPATH=. python benchmarks/bench_language.py --quick   # ~0.1 s per cell
    PYTHONPATH=. python benchmarks/bench_language.py --json results.json

KlongPy is timed in a separate interpreter (its own virtualenv, so it can pin
its own numpy/torch) through ``klongpy_runner.py``.  The interpreter is taken
from ``$KLONGPY_PYTHON``, defaulting to ``/work/klongpy-venv/bin/python`` if it
exists; without one the KlongPy columns read ``n/a``.

Every cell is the median of N repetitions (time.perf_counter) after one
warm-up call, with N chosen so that the cell takes about the target time.
All implementations of a row (klongtorch, raw baseline, KlongPy numpy,
KlongPy torch) are sampled interleaved in time, so they see the same machine
state and their ratios stay meaningful on a busy, shared host (OpenMP threads
are made to sleep when idle, OMP_WAIT_POLICY=PASSIVE, so neither process's
spinning workers slow the other; set OMP_WAIT_POLICY yourself to override).
``--threads N`` pins torch's intra-op thread count (here and in the KlongPy
runner); on a small shared machine ``--threads 1`` gives the steadiest numbers.
glibc malloc's thresholds are pinned in both processes (``timing.tune_malloc``;
``--no-malloc-tune`` to skip), since its adaptive defaults make the 1M-element
rows flip between ~2 ms and ~12 ms from one process to the next.
Nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import functools
import json
import operator
import os
import platform
import select
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)
for _p in (_HERE, _ROOT):
    if _p not in sys.path:
        sys.path.insert(0, _p)

# KlongPy runs in a second process whose samples are interleaved with ours.  With
# OpenMP's default wait policy the worker threads of whichever process just ran
# keep spinning for a while and steal CPU from the other one, which biases the
# first call after every switch.  PASSIVE (threads sleep when idle) removes that
# bias; it must be set before torch loads libgomp, and the runner inherits it.
# An explicit OMP_WAIT_POLICY in the environment wins.
if "torch" not in sys.modules:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
OMP_WAIT_POLICY = os.environ.get("OMP_WAIT_POLICY") if "torch" not in sys.modules else (
    "unknown (torch was imported before the benchmark module)")

import torch  # noqa: E402

from timing import (  # noqa: E402
    fmt_ratio, fmt_time, measure_samplers, min_reps_for, target_for, timed,
    tune_malloc)

DEFAULT_KLONGPY_PYTHON = "/work/klongpy-venv/bin/python"
GRADE_N = 100_000
GRADE_SEED = 0


def _perm() -> torch.Tensor:
    g = torch.Generator().manual_seed(GRADE_SEED)
    return torch.randperm(GRADE_N, generator=g)


# ---------------------------------------------------------------- raw baselines


def _fib(n: int) -> int:
    return n if n < 2 else _fib(n - 1) + _fib(n - 2)


def _count_loop() -> int:
    x = 0
    for _ in range(10000):
        x = x + 1
    return x


@dataclass
class Program:
    name: str  # short label shown in the table
    src: str  # Klong source that is timed
    kind: str  # "vector" or "overhead"
    raw: Callable[[dict], Callable[[], object]]  # ctx -> zero-arg callable
    raw_label: str  # what the raw baseline is
    setup: List[str] = field(default_factory=list)  # Klong run once, untimed
    globals: Dict[str, dict] = field(default_factory=dict)  # spec, see runner


PROGRAMS: List[Program] = [
    # ------------------------------------------------------- large vectors
    Program("1+!1000000", "1+!1000000", "vector",
            lambda c: lambda: torch.arange(1000000) + 1,
            "torch: arange(1000000)+1"),
    Program("2*1+!1000000", "2*1+!1000000", "vector",
            lambda c: lambda: 2 * (torch.arange(1000000) + 1),
            "torch: 2*(arange(1000000)+1)"),
    Program("+/!1000000", "+/!1000000", "vector",
            lambda c: lambda: torch.arange(1000000).sum(),
            "torch: arange(1000000).sum()"),
    Program("<v (grade-up, 100000 shuffled ints)", "<v", "vector",
            lambda c: (lambda v=c["v"]: torch.argsort(v, stable=True)),
            "torch: argsort(v, stable=True)",
            globals={"v": {"randperm": GRADE_N, "seed": GRADE_SEED}}),
    Program("!1000000", "!1000000", "vector",
            lambda c: lambda: torch.arange(1000000),
            "torch: arange(1000000)"),
    # ------------------------------------------------ interpreter overhead
    Program("{x*x}'!10000", "{x*x}'!10000", "overhead",
            lambda c: lambda: torch.arange(10000) ** 2,
            "torch (vectorised): arange(10000)**2"),
    Program("{x+y}/!10000", "{x+y}/!10000", "overhead",
            lambda c: lambda: functools.reduce(operator.add, range(10000)),
            "Python: functools.reduce(operator.add, range(10000))"),
    Program("10000{x+1}:*0", "10000{x+1}:*0", "overhead",
            lambda c: _count_loop,
            "Python: for-loop x=x+1, 10000 times"),
    Program("fib(16)", "fib(16)", "overhead",
            lambda c: lambda: _fib(16),
            "Python: recursive def fib, fib(16)",
            setup=["fib::{:[x<2;x;fib(x-1)+fib(x-2)]}"]),
    Program("#,/{$x}'!1000", "#,/{$x}'!1000", "overhead",
            lambda c: lambda: len("".join([str(i) for i in range(1000)])),
            "Python: len(''.join(str(i) for i in range(1000)))"),
]


def make_klong(prog: Program):
    """A fresh klongtorch interpreter with ``prog``'s globals and setup applied."""
    from klongtorch import Klong

    k = Klong()
    for gname, gspec in prog.globals.items():
        if "randperm" in gspec:
            g = torch.Generator().manual_seed(int(gspec.get("seed", 0)))
            k[gname] = torch.randperm(int(gspec["randperm"]), generator=g)
        else:
            raise ValueError(gspec)
    for s in prog.setup:
        k(s)
    return k


def raw_context() -> dict:
    return {"v": _perm()}


# ---------------------------------------------------------------- KlongPy


def klongpy_python() -> Optional[str]:
    exe = os.environ.get("KLONGPY_PYTHON")
    if exe:
        return exe
    return DEFAULT_KLONGPY_PYTHON if os.path.exists(DEFAULT_KLONGPY_PYTHON) else None


class RemoteKlongPy:
    """KlongPy in its own interpreter, driven through ``klongpy_runner.py --serve``.

    ``load(prog)`` sets a program up in both back ends; ``sampler(backend)``
    returns a sampler that has the runner execute one call and report the
    time it measured itself (the pipe round trip is not counted).
    """

    BACKENDS = ("numpy", "torch")

    def __init__(self, exe: str, threads: Optional[int] = None,
                 malloc_tune: bool = True, timeout_s: float = 300):
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)  # keep klongtorch's tree out of KlongPy's interpreter
        if threads:
            env["KLONGPY_BENCH_THREADS"] = str(threads)
        env["KLONGPY_BENCH_MALLOC_TUNE"] = "1" if malloc_tune else "0"
        self._err = tempfile.TemporaryFile(mode="w+")
        self.timeout_s = timeout_s
        self.proc = subprocess.Popen(
            [exe, os.path.join(_HERE, "klongpy_runner.py"), "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._err,
            text=True, bufsize=1, env=env)
        hello = self._read()
        self.version = hello.get("version")
        self.status = hello.get("backends", {})
        self.malloc = hello.get("malloc")

    def _read(self) -> dict:
        ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout_s)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.close()
            self._err.seek(0)
            tail = (self._err.read().strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"KlongPy runner failed: {tail}")
        return json.loads(line)

    def _ask(self, obj: dict) -> dict:
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def load(self, prog: Program) -> Dict[str, Optional[str]]:
        return self._ask({"cmd": "load", "program": {
            "name": prog.name, "src": prog.src, "setup": prog.setup,
            "globals": prog.globals}})

    def sampler(self, backend: str):
        req = {"cmd": "run", "backend": backend}

        def sample() -> float:
            r = self._ask(req)
            if "error" in r:
                raise RuntimeError(r["error"])
            return float(r["t"])

        return sample

    def value(self, backend: str, src: str) -> str:
        """What KlongPy computes for src (its repr, shortened), or its error message."""
        got = self._ask({"cmd": "eval", "backend": backend, "src": src})
        return got.get("value", got.get("error"))

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def start_klongpy(threads: Optional[int] = None, malloc_tune: bool = True):
    """(RemoteKlongPy or None, error message or None)."""
    exe = klongpy_python()
    if not exe:
        return None, ("no KlongPy interpreter (set KLONGPY_PYTHON or create "
                      f"{DEFAULT_KLONGPY_PYTHON})")
    try:
        return RemoteKlongPy(exe, threads, malloc_tune), None
    except (OSError, RuntimeError, ValueError) as e:
        return None, f"{type(e).__name__}: {e}"


def _median(entry) -> Optional[float]:
    if isinstance(entry, dict) and "median" in entry:
        return float(entry["median"])
    return None


# ---------------------------------------------------------------- main


def run_all(quick: bool = False, with_klongpy: bool = True,
            only: Optional[List[str]] = None,
            threads: Optional[int] = None, malloc_tune: bool = True) -> dict:
    """Measure every program; all implementations of a row are interleaved."""
    if threads:
        torch.set_num_threads(threads)
    malloc = tune_malloc() if malloc_tune else "default"
    target, min_reps = target_for(quick), min_reps_for(quick)
    programs = [p for p in PROGRAMS if not only or p.name in only or p.src in only]
    kp, kp_error = start_klongpy(threads, malloc_tune) if with_klongpy else (
        None, "disabled (--no-klongpy)")
    ctx = raw_context()
    rows = []
    try:
        for p in programs:
            k = make_klong(p)
            samplers = [timed(lambda: k(p.src)), timed(p.raw(ctx))]
            cols = ["klongtorch", "raw"]
            row = {"name": p.name, "src": p.src, "kind": p.kind,
                   "raw_label": p.raw_label,
                   "klongpy_numpy": None, "klongpy_torch": None}
            if kp is not None:
                for b, err in kp.load(p).items():
                    if err:
                        row[f"klongpy_{b}"] = {"error": err}
                    else:
                        samplers.append(kp.sampler(b))
                        cols.append(f"klongpy_{b}")
            for col, res in zip(cols, measure_samplers(samplers, target, min_reps)):
                row[col] = res
            rows.append(row)
            print(f"[bench] {p.name} done", file=sys.stderr)
    finally:
        if kp is not None:
            kp.close()
    return {
        "quick": quick,
        "target_s_per_cell": target,
        "torch_version": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "omp_wait_policy": OMP_WAIT_POLICY,
        "malloc": malloc,
        "klongpy_malloc": kp.malloc if kp is not None else None,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "loadavg_after": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "klongpy_version": kp.version if kp is not None else None,
        "klongpy_error": kp_error,
        "rows": rows,
    }


def render_markdown(results: dict) -> str:
    hdr = ("| program | klongtorch | raw torch | ratio klongtorch/torch "
           "| KlongPy numpy | KlongPy torch | speedup vs KlongPy numpy |")
    lines = [hdr, "|" + "---|" * 7]
    notes = []
    for i, row in enumerate(results["rows"], 1):
        kt = _median(row["klongtorch"])
        raw = _median(row["raw"])
        kpn = _median(row.get("klongpy_numpy"))
        kpt = _median(row.get("klongpy_torch"))
        mark = f"[{i}]"
        lines.append(
            f"| `{row['src']}`{' (100k shuffled)' if row['src'] == '<v' else ''} "
            f"| {fmt_time(kt)} | {fmt_time(raw)} {mark} | {fmt_ratio(kt, raw)} "
            f"| {fmt_time(kpn)} | {fmt_time(kpt)} | {fmt_ratio(kpn, kt)} |")
        notes.append(f"{mark} {row['raw_label']}")
    out = ["\n".join(lines), "", "Raw baselines (the 'raw torch' column):", *notes]
    for row in results["rows"]:
        for b in ("numpy", "torch"):
            e = row.get(f"klongpy_{b}")
            if isinstance(e, dict) and "error" in e:
                out.append(f"KlongPy {b} `{row['src']}`: {e['error']}")
    return "\n".join(out)


def per_element_line(results: dict) -> str:
    for row in results["rows"]:
        if row["src"] == "{x*x}'!10000":
            parts = [f"klongtorch {_median(row['klongtorch']) / 10000 * 1e6:.3f} µs/element"]
            for b in ("numpy", "torch"):
                m = _median(row.get(f"klongpy_{b}"))
                parts.append(f"KlongPy {b} " + (f"{m / 10000 * 1e6:.3f} µs/element"
                                                 if m is not None else "n/a"))
            return "Per-element time for `{x*x}'!10000`: " + "; ".join(parts)
    return ""


def _load(results: dict) -> str:
    la = results.get("loadavg_after")
    return "/".join(f"{x:.2f}" for x in la) if la else "n/a"


def main(argv: Optional[List[str]] = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="~0.1 s per cell instead of ~0.5 s")
    ap.add_argument("--json", metavar="PATH", help="also write results as JSON")
    ap.add_argument("--no-klongpy", action="store_true",
                    help="skip the KlongPy columns")
    ap.add_argument("--threads", type=int, metavar="N",
                    help="torch.set_num_threads(N) here and in the KlongPy runner")
    ap.add_argument("--no-malloc-tune", action="store_true",
                    help="leave glibc malloc's adaptive mmap/trim thresholds alone "
                         "(see timing.tune_malloc)")
    ap.add_argument("--only", action="append", metavar="PROGRAM",
                    help="run only this program (name or source); repeatable")
    args = ap.parse_args(argv)

    results = run_all(quick=args.quick, with_klongpy=not args.no_klongpy,
                      only=args.only, threads=args.threads,
                      malloc_tune=not args.no_malloc_tune)
    print(f"klongtorch language benchmarks ({'quick' if args.quick else 'full'}; "
          f"median of N reps, ~{results['target_s_per_cell']} s per cell; "
          f"torch {results['torch_version']}, {results['torch_threads']} threads, "
          f"OMP_WAIT_POLICY={results['omp_wait_policy']}, malloc {results['malloc']}; "
          f"{results['cpus']} CPUs, load after {_load(results)}; "
          f"KlongPy {results['klongpy_version'] or 'n/a'})")
    if results["klongpy_error"]:
        print(f"KlongPy unavailable: {results['klongpy_error']}")
    print()
    print(render_markdown(results))
    print()
    print(per_element_line(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
        print(f"\nwrote {args.json}")
    return results


if __name__ == "__main__":
    main()
