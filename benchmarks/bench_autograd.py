"""Differentiation and compilation benchmarks: klongtorch vs raw torch vs KlongPy's torch back end.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_autograd.py            # ~0.5 s per cell
    PYTHONPATH=. python benchmarks/bench_autograd.py --quick    # ~0.1 s per cell
    PYTHONPATH=. python benchmarks/bench_autograd.py --json out.json

The three measurements issue 3 sets targets for:

1. the gradient of {+/x^2} at a 1,000,000-element vector, against raw
   ``torch.autograd.grad`` (target: within 2x);
2. 100 steps of scalar gradient descent, ``{w::w-(lr*loss:>w)}'!100``, against
   KlongPy's torch back end (target: at least 3x faster), with raw torch for scale;
3. a ``.compile``d elementwise polynomial on 1M elements, against ``torch.compile``
   of the same Python expression (target: within 1.5x).

Each row samples all implementations interleaved in time (see timing.py), so the
ratios come from one run under the same machine conditions. KlongPy runs in its own
virtualenv (``$KLONGPY_PYTHON``, default /work/klongpy-venv/bin/python) through
klongpy_runner.py; after timing, the runner reports the value KlongPy computed, so
a fast but wrong result shows as such. Nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)
for _p in (_HERE, _ROOT):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from bench_language import OMP_WAIT_POLICY, _median, start_klongpy  # noqa: E402  (sets OMP policy)

import torch  # noqa: E402

from timing import (fmt_ratio, fmt_time, measure_samplers, min_reps_for,  # noqa: E402
                    target_for, timed, tune_malloc)

N = 1_000_000
VECTOR = {"linspace": [-1.0, 1.0, N]}


def _vector() -> torch.Tensor:
    return torch.linspace(-1.0, 1.0, N, dtype=torch.float64)


def raw_gradient(v: torch.Tensor) -> Callable[[], object]:
    def run():
        x = v.detach().requires_grad_(True)
        return torch.autograd.grad((x ** 2).sum(), x)[0]
    return run


def raw_descent() -> object:
    w = torch.tensor(10.0, dtype=torch.float64)
    for _ in range(100):
        x = w.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(x ** 2, x)
        w = w - 0.1 * g
    return w


def raw_compiled(v: torch.Tensor) -> Callable[[], object]:
    poly = torch.compile(lambda x: x ** 3 + 2 * x ** 2 + x)
    return lambda: poly(v)


@dataclass
class Row:
    name: str
    src: str                                  # timed Klong (klongtorch and KlongPy)
    target: str                               # the target, in words
    raw: Callable[[torch.Tensor], Callable[[], object]]
    raw_label: str
    setup: List[str] = field(default_factory=list)
    klongpy_setup: Optional[List[str]] = None  # when KlongPy spells it differently
    globals: Dict[str, dict] = field(default_factory=dict)
    check: str = ""                           # Klong whose value shows the result


ROWS = [
    Row("gradient of {+/x^2} at 1M", "g:>v", "within 2x of torch.autograd.grad",
        raw_gradient, "torch.autograd.grad((x**2).sum(), x), x a 1M float64 leaf",
        setup=["g::{+/x^2}"], globals={"v": VECTOR}, check="+/g:>v"),
    Row("100 steps of scalar gradient descent", "w::10.0;{w::w-(lr*loss:>w)}'!100;w",
        "at least 3x faster than KlongPy torch",
        lambda v: raw_descent, "Python loop: torch.autograd.grad of w**2, w -= 0.1*g",
        setup=["loss::{w^2};lr::0.1"], check="w"),
    # KlongPy 0.7.1 cannot differentiate the specification's nilad loss (above), so the
    # comparison is also made on the form it can run: the loss takes w as its argument
    Row("the same, loss as a monad", "w::10.0;{w::w-(lr*loss:>w)}'!100;w",
        "at least 3x faster than KlongPy torch",
        lambda v: raw_descent, "Python loop: torch.autograd.grad of w**2, w -= 0.1*g",
        setup=["loss::{x^2};lr::0.1"], check="w"),
    Row(".compile'd polynomial on 1M", "cf(v)", "within 1.5x of torch.compile",
        raw_compiled, "torch.compile(lambda x: x**3 + 2*x**2 + x)(v)",
        setup=["f::{(x^3)+(2*x^2)+x}", "cf::.compile(f;v)"], globals={"v": VECTOR},
        check="+/cf(v)"),
    Row("the same polynomial, uncompiled", "f(v)", "(for scale)",
        lambda v: (lambda: v ** 3 + 2 * v ** 2 + v), "eager torch: v**3 + 2*v**2 + v",
        setup=["f::{(x^3)+(2*x^2)+x}"], globals={"v": VECTOR}),
]


def make_klong(row: Row):
    from klongtorch import Klong

    k = Klong(device="cpu")
    for name in row.globals:
        k[name] = _vector()
    for s in row.setup:
        k(s)
    return k


class _Prog:
    """What RemoteKlongPy.load expects of a program."""

    def __init__(self, row: Row):
        self.name, self.src = row.name, row.src
        self.setup = row.klongpy_setup if row.klongpy_setup is not None else row.setup
        self.globals = row.globals


def _show(value) -> str:
    from klongtorch.value.text import show
    return show(value)[:60]


def run_all(quick: bool = False, with_klongpy: bool = True, threads: Optional[int] = None):
    if threads:
        torch.set_num_threads(threads)
    malloc = tune_malloc()
    target, min_reps = target_for(quick), min_reps_for(quick)
    kp, kp_error = start_klongpy(threads) if with_klongpy else (None, "disabled (--no-klongpy)")
    v = _vector()
    rows = []
    try:
        for r in ROWS:
            k = make_klong(r)
            samplers = [timed(lambda: k(r.src)), timed(r.raw(v))]
            cols = ["klongtorch", "raw"]
            row = {"name": r.name, "src": r.src, "target": r.target, "raw_label": r.raw_label,
                   "klongpy_torch": None}
            if kp is not None:
                status = kp.load(_Prog(r))
                if status.get("torch"):
                    row["klongpy_torch"] = {"error": status["torch"]}
                else:
                    samplers.append(kp.sampler("torch"))
                    cols.append("klongpy_torch")
            for col, res in zip(cols, measure_samplers(samplers, target, min_reps)):
                row[col] = res
            if r.check:
                row["klongtorch_value"] = _show(k(r.check))
                if kp is not None and "klongpy_torch" in cols:
                    row["klongpy_value"] = kp.value("torch", r.check)
            rows.append(row)
            print(f"[bench] {r.name} done", file=sys.stderr)
    finally:
        if kp is not None:
            kp.close()
    return {"quick": quick, "torch_version": torch.__version__,
            "torch_threads": torch.get_num_threads(), "omp_wait_policy": OMP_WAIT_POLICY,
            "malloc": malloc, "cpus": os.cpu_count(),
            "klongpy_version": kp.version if kp is not None else None,
            "klongpy_error": kp_error, "rows": rows}


def render_markdown(results: dict) -> str:
    lines = ["| benchmark | klongtorch | raw torch | klongtorch / torch | KlongPy torch "
             "| KlongPy / klongtorch | target |", "|" + "---|" * 7]
    notes = []
    for i, row in enumerate(results["rows"], 1):
        kt, raw = _median(row["klongtorch"]), _median(row["raw"])
        kp_entry = row.get("klongpy_torch")
        kp = _median(kp_entry)
        kp_text = fmt_time(kp) if kp is not None else (
            "fails" if isinstance(kp_entry, dict) and "error" in kp_entry else "n/a")
        lines.append(f"| {row['name']} | {fmt_time(kt)} | {fmt_time(raw)} [{i}] "
                     f"| {fmt_ratio(kt, raw)} | {kp_text} | {fmt_ratio(kp, kt)} | {row['target']} |")
        notes.append(f"[{i}] raw: {row['raw_label']}. Klong: `{row['src']}`.")
        if "klongtorch_value" in row:
            notes.append(f"    result: klongtorch {row['klongtorch_value']}"
                         + (f"; KlongPy {row['klongpy_value']}" if "klongpy_value" in row else ""))
        if isinstance(kp_entry, dict) and "error" in kp_entry:
            notes.append(f"    KlongPy: {kp_entry['error'][:160]}")
    out = ["\n".join(lines), "", *notes, "",
           f"torch {results['torch_version']}, {results['torch_threads']} threads, "
           f"{results['cpus']} CPUs; KlongPy {results['klongpy_version'] or results['klongpy_error']}"]
    return "\n".join(out)


def main(argv: Optional[List[str]] = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="about 0.1 s per cell")
    ap.add_argument("--no-klongpy", action="store_true", help="skip KlongPy")
    ap.add_argument("--threads", type=int, help="torch intra-op threads")
    ap.add_argument("--json", help="also write the raw results here")
    args = ap.parse_args(argv)
    results = run_all(args.quick, not args.no_klongpy, args.threads)
    print(render_markdown(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == "__main__":
    main()
