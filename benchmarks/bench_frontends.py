"""Every front end as fast as the API: the same vector work through the Python API, the
%klong magic (in an IPython session, and in ipykernel's python3 kernel as a notebook runs
it), a Jupyter kernel and the CLI, each in N fresh processes, against raw torch.

Each process times itself (a front end's own round trips are not counted: what is measured
is the work once Klong has it; the magic's %klong lines run inside a cell, as a notebook
runs them, IPython's dispatch of each line included), reports the median of each row, and
the table gives, per front end, the median over processes, the slowest process, and both
against the median of the raw torch processes, which are interleaved with the others so
that a busy moment of the machine falls on all alike.

    PYTHONPATH=. python benchmarks/bench_frontends.py                  # 10 processes each
    PYTHONPATH=. python benchmarks/bench_frontends.py --procs 3 --json out.json
    PYTHONPATH=. python benchmarks/bench_frontends.py --frontends notebook,raw   # some only

Nothing here asserts on timings.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)
# no warm spare (kernel/warm.py) after each kernel launch: its torch import would land on
# the processes timed next, which it is not part of (bench_startup.py times warm kernels)
os.environ.setdefault("KLONGTORCH_WARM", "0")
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from timing import machine  # noqa: E402

SETUP = "p::(7919*!100000)!100003;v::1.0*!1000000"
# name, Klong, raw torch (p and v as in SETUP), runs per process
ROWS = [
    ("1+!1000000", "1+!1000000", "torch.arange(1000000) + 1", 60),
    ("+/!1000000", "+/!1000000", "torch.arange(1000000).sum().item()", 60),
    ("<p, 100K", "<p", "torch.argsort(p, stable=True)", 40),
    ("gradient, 1M", "{+/x^2}:>v",
     "grad(v)", 40),
]
FRONTENDS = ("api", "magic", "notebook", "kernel", "cli", "raw")

# Klong that times each row in the process running it: a quarter of the runs warm up, then
# one time per run; prints (or returns) a dictionary of name -> list of seconds
_TIMER = 'pc::.pya(.py("time");"perf_counter");tm::{[t];t::pc();x();pc()-t}'


def klong_timing_program():
    lines = [SETUP, _TIMER]
    for name, src, _, runs in ROWS:
        lines.append(f"{{tm({{{src}}})}}'!{max(runs // 4, 1)}")
        lines.append(f"t{len(lines)}::{{tm({{{src}}})}}'!{runs}")
    return lines


def _median_rows(times):
    """Each row's median; "threads" (the fewest torch threads any timed call ran on, where
    the worker can see them) passes through."""
    return {name: ts if name == "threads" else statistics.median(ts)
            for name, ts in times.items()}


def _timed_calls(run, runs):
    """(seconds of each of runs calls of run, after a quarter as many untimed, the fewest
    torch threads any of them ran on): klongtorch gives torch fewer threads beside busy
    neighbours (klongtorch/runtime/cores.py), and a slow process says whether it did."""
    import torch
    for _ in range(max(runs // 4, 1)):
        run()
    ts, fewest = [], torch.get_num_threads()
    for _ in range(runs):
        t0 = time.perf_counter()
        run()
        ts.append(time.perf_counter() - t0)
        fewest = min(fewest, torch.get_num_threads())
    return ts, fewest


def api():
    from klongtorch import Klong
    k = Klong(device="cpu")
    k(SETUP)
    out, fewest = {}, []
    for name, src, _, runs in ROWS:
        out[name], n = _timed_calls(lambda src=src: k(src), runs)
        fewest.append(n)
    out["threads"] = min(fewest)
    return out


# The magic's timing loop, run as one IPython cell: a notebook runs %klong lines inside
# cells, where IPython's builtin trap is already set; called from outside a cell,
# run_line_magic sets and clears it around every line, a cost no notebook pays.
_MAGIC_CELL = """
import time as _time, torch as _torch
for _ in range({warm}):
    %klong {src}
_ts, _fewest = [], _torch.get_num_threads()
for _ in range({runs}):
    _t0 = _time.perf_counter()
    %klong {src}
    _ts.append(_time.perf_counter() - _t0)
    _fewest = min(_fewest, _torch.get_num_threads())
"""


def magic():
    from IPython.testing.globalipapp import start_ipython
    ip = start_ipython()
    ip.run_line_magic("load_ext", "klongtorch")
    ip.run_line_magic("klong", SETUP)
    out, fewest = {}, []
    for name, src, _, runs in ROWS:
        ran = ip.run_cell(_MAGIC_CELL.format(warm=max(runs // 4, 1), src=src, runs=runs))
        ran.raise_error()
        out[name] = ip.user_ns["_ts"]
        fewest.append(ip.user_ns["_fewest"])
    out["threads"] = min(fewest)
    return out


def notebook():
    """The magic as a notebook runs it: the same cells in ipykernel's own python3 kernel (a
    fresh kernel process), where the shell has a kernel to send progress and figures to."""
    import ast

    from jupyter_client.manager import start_new_kernel
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=300, env=_env())
    try:
        _execute(kc, f"%load_ext klongtorch\n%klong {SETUP}")
        out, fewest = {}, []
        for name, src, _, runs in ROWS:
            got = _execute(kc, _MAGIC_CELL.format(warm=max(runs // 4, 1), src=src, runs=runs),
                           {"ts": "_ts", "fewest": "_fewest"})
            out[name] = ast.literal_eval(got["ts"]["data"]["text/plain"])
            fewest.append(int(got["fewest"]["data"]["text/plain"]))
        out["threads"] = min(fewest)
        return out
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _execute(kc, code, expressions=None):
    """Run code in the kernel; its user_expressions' results (an error raises)."""
    msg = kc.execute(code, user_expressions=expressions or {})
    while True:
        reply = kc.get_shell_msg(timeout=600)
        if reply["parent_header"].get("msg_id") == msg:
            break
    content = reply["content"]
    if content["status"] != "ok":
        raise RuntimeError(f"{code[:60]!r}: {content.get('evalue')}")
    return content["user_expressions"]


def raw():
    from klongtorch.runtime import allocator, threads
    allocator.tune()                  # as klongtorch tunes itself: the same process setup
    threads.apply()
    import torch
    def grad(t):
        leaf = t.detach().requires_grad_(True)
        return torch.autograd.grad((leaf ** 2).sum(), [leaf])
    ns = {"torch": torch, "grad": grad, "p": (7919 * torch.arange(100000)) % 100003,
          "v": torch.arange(1000000, dtype=torch.float64)}
    out = {}
    for name, _, expr, runs in ROWS:
        code = compile(expr, name, "eval")
        out[name], _ = _timed_calls(lambda code=code: eval(code, ns), runs)
    return out


def _klong_times(text):
    """The per-row lists printed by the timing program, in ROWS order."""
    return {name: [float(v) for v in line.strip().strip("[]").split()]
            for (name, *_), line in zip(ROWS, text)}


def cli():
    lines = klong_timing_program()
    names = [ln.split("::")[0] for ln in lines if ln.startswith("t") and "::" in ln
             and ln.split("::")[0][1:].isdigit()]
    lines += [f".p({n})" for n in names]
    with tempfile.NamedTemporaryFile("w", suffix=".kg", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    try:
        done = subprocess.run([sys.executable, "-m", "klongtorch", f.name], capture_output=True,
                              text=True, timeout=600, env=_env())
    finally:
        os.unlink(f.name)
    if done.returncode:
        raise RuntimeError(done.stderr[-400:])
    return _klong_times(done.stdout.splitlines()[-len(ROWS):])


def kernel():
    from jupyter_client.manager import start_new_kernel

    from klongtorch.kernel.install import temporary_kernelspec
    with temporary_kernelspec():
        km, kc = start_new_kernel(kernel_name="klong", startup_timeout=300, env=_env())
    try:
        lines = klong_timing_program()
        names = [ln.split("::")[0] for ln in lines if ln.startswith("t") and "::" in ln
                 and ln.split("::")[0][1:].isdigit()]
        msg = kc.execute("\n".join(lines) + "\n1", user_expressions={n: n for n in names})
        while True:
            reply = kc.get_shell_msg(timeout=600)
            if reply["parent_header"].get("msg_id") == msg:
                break
        got = reply["content"]["user_expressions"]
        return _klong_times([got[n]["data"]["text/plain"] for n in names])
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = _ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def one_process(frontend):
    """Medians of one fresh process of a front end."""
    if frontend in ("cli", "kernel", "notebook"):
        return _median_rows(globals()[frontend]())        # they start processes of their own
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", frontend],
                          capture_output=True, text=True, timeout=900, env=_env())
    if done.returncode:
        raise RuntimeError(f"{frontend}: {done.stderr[-400:]}")
    return json.loads(done.stdout.splitlines()[-1])


def measure(procs, frontends=FRONTENDS):
    per = {f: [] for f in frontends}
    for r in range(procs):
        order = frontends[r % len(frontends):] + frontends[:r % len(frontends)]
        for f in order:
            print(f"[bench] process {r + 1}/{procs}: {f}", file=sys.stderr)
            per[f].append(one_process(f))
    return per


def render(per):
    raw = {name: statistics.median(p[name] for p in per["raw"]) for name, *_ in ROWS}
    fronts = [f for f in per if f != "raw"]
    lines = ["| operation | raw torch | " + " | ".join(
        f"{f} (ratio; slowest process)" for f in fronts) + " |", "|---" * (len(fronts) + 2) + "|"]
    for name, *_ in ROWS:
        cells = []
        for f in fronts:
            meds = [p[name] for p in per[f]]
            m = statistics.median(meds)
            cells.append(f"{m * 1e3:.3g} ms ({m / raw[name]:.2f}; {max(meds) / raw[name]:.2f})")
        lines.append(f"| `{name}` | {raw[name] * 1e3:.3g} ms | " + " | ".join(cells) + " |")
    for f in fronts:
        counts = [p["threads"] for p in per[f] if "threads" in p]
        if counts and min(counts) < max(counts):
            lines.append(f"\n{f}: {sum(c < max(counts) for c in counts)} of {len(counts)} "
                         f"processes ran some calls on {min(counts)} thread(s), not "
                         f"{max(counts)} (busy neighbours, klongtorch/runtime/cores.py)")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", choices=["api", "magic", "raw"], help=argparse.SUPPRESS)
    ap.add_argument("--procs", type=int, default=10, help="fresh processes per front end")
    ap.add_argument("--frontends", default=",".join(FRONTENDS),
                    help=f"which, comma separated (default {','.join(FRONTENDS)}; raw torch "
                         "is always measured, as every ratio needs it)")
    ap.add_argument("--json", help="write the per-process medians here too")
    a = ap.parse_args(argv)
    if a.worker:
        print(json.dumps(_median_rows(globals()[a.worker]())))
        return
    chosen = [f for f in a.frontends.split(",") if f]
    unknown = sorted(set(chosen) - set(FRONTENDS))
    if unknown:
        ap.error(f"no front end {', '.join(unknown)}: choose from {', '.join(FRONTENDS)}")
    per = measure(a.procs, tuple(f for f in FRONTENDS if f in chosen or f == "raw"))
    print(f"{a.procs} fresh processes per front end; {machine()}")
    print(render(per))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(per, f, indent=1)


if __name__ == "__main__":
    main()
