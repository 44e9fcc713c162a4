"""Benchmarks across fresh processes: klongtorch, kg, raw torch/Python and KlongPy.

One process can land in a fast or a slow allocator mode, or on a busy moment of a shared
machine, so one process per implementation proves little. Here every implementation runs
in several fresh processes, the processes of all implementations interleaved in rounds
(round 1: klongtorch, kg, raw, KlongPy; round 2: the same in a rotated order; ...). Each
process reports the median of its own repetitions; the table gives the median over the
processes with their spread (min-max of the per-process medians).

    PYTHONPATH=. python benchmarks/bench_processes.py                 # 5 rounds
    PYTHONPATH=. python benchmarks/bench_processes.py --rounds 3 --quick --json out.json
    PYTHONPATH=. python benchmarks/bench_processes.py --kernel        # + rows in a kernel

Columns:
- klongtorch: `python` with klongtorch, malloc thresholds pinned as the CLI pins them;
- kg: the reference interpreter (../shared/klong/build-kg, or $KG); its time per run is
  the wall time of a process running the program R times less that of one running it
  never, divided by R (kg has no wall clock of its own);
- raw: the same computation in torch (vectors) or plain Python (scalar loops), in a
  process with the thresholds pinned;
- KlongPy numpy / torch: through klongpy_runner.py in $KLONGPY_PYTHON or
  /work/klongpy-venv (skipped when absent); a KlongPy process takes minutes (fib(20)
  alone takes seconds), so it joins the first --klongpy-rounds rounds only.
`--kernel` adds rows measured inside real Klong Jupyter kernel processes (jupyter_client):
rounds of a kernel as shipped, a raw torch process and a kernel with glibc's default malloc,
each kernel timing itself and counting its page faults per run; and the kernel's
start-to-first-reply time against ipykernel's python3 kernel. `--rounds 0 --kernel` runs
the kernel rows alone.
Nothing here asserts on timings.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)
for _p in (_HERE, _ROOT):
    if _p not in sys.path:
        sys.path.insert(0, _p)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")     # see bench_language.py
# no warm spare (kernel/warm.py) after each kernel launch: its torch import would land on
# the processes timed next, which it is not part of (bench_startup.py times warm kernels)
os.environ.setdefault("KLONGTORCH_WARM", "0")

from timing import fmt_time  # noqa: E402

FIB = "fib::{:[x<2;x;fib(x-1)+fib(x-2)]}"
RAW_FIB = "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"

# name, Klong source, Klong setup, raw setup (Python), raw expression, kg repetitions
PROGRAMS = [
    ("fib(20)", "fib(20)", FIB, RAW_FIB, "fib(20)", 20),
    ("{x<100000}{x+1}:~0", "{x<100000}{x+1}:~0", "", "def w():\n    x = 0\n"
     "    while x < 100000:\n        x = x + 1\n    return x\n", "w()", 10),
    ("100000{x+1}:*0", "100000{x+1}:*0", "", "def it():\n    x = 0\n"
     "    for _ in range(100000):\n        x = x + 1\n    return x\n", "it()", 10),
    ("{x+y}/!100000", "{x+y}/!100000", "",
     "import functools, operator\n", "functools.reduce(operator.add, range(100000))", 10),
    ("amend loop", "{v::v:=x,x!100}'!10000", "v::!100",
     "def am():\n    v = torch.arange(100)\n    for i in range(10000):\n"
     "        v = v.clone(); v[i % 100] = i\n    return v\n", "am()", 4),
    ("{x*x}'!100000", "{x*x}'!100000", "", "", "torch.arange(100000) ** 2", 4),
    ("2*1+!1000000", "2*1+!1000000", "", "", "2 * (torch.arange(1000000) + 1)", 20),
    ("+/1+!10000000", "+/1+!10000000", "", "", "(torch.arange(10000000) + 1).sum()", 3),
]

# rows measured inside a Jupyter kernel (see kernel_rows), with the runs per process: about
# 0.3 s of each, as long as a worker process times each program, so that one busy moment of
# the machine cannot move a process's median
KERNEL_PROGRAMS = {"2*1+!1000000": 300, "+/1+!10000000": 20, "fib(20)": 100}


# ---------------------------------------------------------------- worker processes

def _samples(fn, target, least=5, most=2000):
    fn()                                  # warm-up
    out = []
    t_end = time.perf_counter() + target
    while len(out) < least or (time.perf_counter() < t_end and len(out) < most):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def worker(kind, target):
    """Run in a fresh process: each program's median time, as JSON on stdout."""
    from klongtorch.runtime import allocator
    allocator.tune()                      # as the CLI and the kernel do
    import torch
    out = {}
    if kind == "klongtorch":
        from klongtorch import Klong
        for name, src, setup, _, _, _ in PROGRAMS:
            k = Klong(device="cpu")
            if setup:
                k(setup)
            out[name] = statistics.median(_samples(lambda: k(src), target))
    else:
        sys.setrecursionlimit(10000)
        for name, _, _, rsetup, rexpr, _ in PROGRAMS:
            ns = {"torch": torch}
            exec(rsetup, ns)
            code = compile(rexpr, name, "eval")
            out[name] = statistics.median(_samples(lambda: eval(code, ns), target))
    json.dump(out, sys.stdout)


def _python_process(kind, target):
    env = dict(os.environ, PYTHONPATH=_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", kind,
                        "--target", str(target)], capture_output=True, text=True, env=env,
                       timeout=1800)
    if r.returncode:
        raise RuntimeError(f"{kind} worker failed: {r.stderr.strip()[-300:]}")
    return json.loads(r.stdout)


# ---------------------------------------------------------------- kg

def kg_path():
    exe = os.environ.get("KG")
    if exe and os.path.exists(exe):
        return exe
    build = os.path.join(_ROOT, "..", "shared", "klong", "build-kg")
    if os.path.exists(build):
        try:
            return subprocess.run([build], capture_output=True, text=True,
                                  timeout=600).stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            return None
    return shutil.which("kg")


def _kg_wall(kg, lines):
    """Wall time of a kg process running a file of lines (-e has a length limit)."""
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".kg", delete=False) as f:
        f.write("\n".join(lines + [".p(1)", ""]))
    try:
        t0 = time.perf_counter()
        r = subprocess.run([kg, "-n", f.name], capture_output=True, text=True, timeout=600,
                           stdin=subprocess.DEVNULL)
        t = time.perf_counter() - t0
    finally:
        os.unlink(f.name)
    if "error" in r.stdout + r.stderr or r.returncode:
        raise RuntimeError((r.stdout + r.stderr).strip()[:200])
    return t


def kg_process_set(kg):
    """One round of kg: per program, (wall of R runs - wall of none) / R."""
    out = {}
    for name, src, setup, _, _, reps in PROGRAMS:
        pre = [setup] if setup else []
        try:
            base = _kg_wall(kg, pre)
            full = _kg_wall(kg, pre + [src] * reps)
        except RuntimeError as e:     # +/1+!10000000 exceeds kg's fixed memory pool
            print(f"[bench] kg {name}: {e}", file=sys.stderr)
            continue
        out[name] = max(full - base, 0.0) / reps
    return out


# ---------------------------------------------------------------- KlongPy

def klongpy_python():
    exe = os.environ.get("KLONGPY_PYTHON") or "/work/klongpy-venv/bin/python"
    return exe if os.path.exists(exe) else None


def klongpy_process(exe, quick):
    spec = {"quick": quick, "backends": ["numpy", "torch"],
            "programs": [{"name": n, "src": s, "setup": [st] if st else [], "globals": {}}
                         for n, s, st, _, _, _ in PROGRAMS]}
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    r = subprocess.run([exe, os.path.join(_HERE, "klongpy_runner.py")], input=json.dumps(spec),
                       capture_output=True, text=True, env=env, timeout=3600)
    if r.returncode:
        raise RuntimeError(r.stderr.strip()[-300:])
    res = json.loads(r.stdout)["results"]
    out = {}
    for b in ("numpy", "torch"):
        for name, cell in res.get(b, {}).items():
            if isinstance(cell, dict) and "median" in cell:
                out.setdefault(f"KlongPy {b}", {})[name] = cell["median"]
    return out


# ---------------------------------------------------------------- Jupyter kernels

def _start(name, env=None):
    from jupyter_client.manager import start_new_kernel
    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name=name, startup_timeout=300,
                              **({"env": env} if env else {}))
    return km, kc, time.perf_counter() - t0


def _run(kc, code, expressions=None, timeout=600):
    msg_id = kc.execute(code, user_expressions=expressions)
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def _kernel_row(malloc_default):
    """One fresh Klong kernel process: the median time of each KERNEL_PROGRAMS row, timed
    by the kernel process itself (time.perf_counter through .pya)."""
    env = dict(os.environ, KLONGTORCH_MALLOC="default") if malloc_default else None
    km, kc, _ = _start("klong", env)
    try:
        row = {}
        for name, src, setup, _, _, _ in PROGRAMS:
            if name not in KERNEL_PROGRAMS:
                continue
            if setup:
                _run(kc, setup)
            runs = KERNEL_PROGRAMS[name]
            # the first runs grow the heap (page faults), so a quarter of the runs warm up;
            # then each run's time, and the page faults of the timed loop (a process in a
            # slow allocator mode faults on every run)
            loop = f"{{t::pc();{src};pc()-t}}'!"
            code = ('pc::.pya(.py("time");"perf_counter");ru::.pya(.py("resource");"getrusage");'
                    f'fl::{{.pya(ru(0);"ru_minflt")}};{loop}{max(runs // 4, 1)};f0::fl();'
                    f"ts::{loop}{runs};nf::fl()-f0")
            content = _run(kc, code, {"ts": "ts", "nf": "nf"})
            got = {k: v["data"]["text/plain"] for k, v in content["user_expressions"].items()}
            ts = [float(v) for v in got["ts"].strip("[]").split()]
            row[name] = statistics.median(ts)
            row[name + " faults"] = int(got["nf"]) / runs
        return row
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def kernel_rounds(processes, target):
    """`processes` rounds of: a Klong kernel as shipped, a raw torch process (tuned, as
    the raw column), a Klong kernel with glibc's default malloc. Interleaved, so that the
    machine's slow and quiet spells fall on all three alike."""
    from klongtorch.kernel.install import temporary_kernelspec
    out = {"tuned": [], "raw": [], "default malloc": []}
    with temporary_kernelspec():
        for r in range(processes):
            print(f"[bench] kernel round {r + 1}/{processes}", file=sys.stderr)
            out["tuned"].append(_kernel_row(False))
            raw = _python_process("raw", target)
            out["raw"].append({n: raw[n] for n in KERNEL_PROGRAMS if n in raw})
            out["default malloc"].append(_kernel_row(True))
    return out


def kernel_startup(times):
    """Start to first reply (kernel_info) of the Klong kernel and ipykernel's python3,
    interleaved; then the first execute reply of `1+1` in each."""
    from klongtorch.kernel.install import temporary_kernelspec
    res = {"klong": [], "python3": [], "klong first cell": [], "python3 first cell": []}
    with temporary_kernelspec():
        for _ in range(times):
            for name in ("klong", "python3"):
                t0 = time.perf_counter()
                km, kc, t = _start(name)
                _run(kc, "1+1")
                first = time.perf_counter() - t0
                kc.stop_channels()
                km.shutdown_kernel(now=True)
                res[name].append(t)
                res[name + " first cell"].append(first)
    return res


# ---------------------------------------------------------------- driver and report

def spread(values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def cell(s):
    if not s:
        return "n/a"
    return f"{fmt_time(s['median'])} ({fmt_time(s['min'])}–{fmt_time(s['max'])})"


def ratio(a, b):
    if not a or not b or b["median"] <= 0:
        return "n/a"
    return f"{a['median'] / b['median']:.2f}x"


def run(rounds, quick, with_klongpy=True, with_kernel=False, kernel_processes=10,
        klongpy_rounds=2):
    target = 0.1 if quick else 0.3
    kg = kg_path()
    kp = klongpy_python() if with_klongpy else None
    impls = ["klongtorch", "raw"] + (["kg"] if kg else []) + (["klongpy"] if kp else [])
    per = {}                                   # column -> program -> [per-process medians]
    for r in range(rounds):
        order = impls[r % len(impls):] + impls[:r % len(impls)]
        for impl in order:
            if impl == "klongpy" and r >= klongpy_rounds:
                continue                  # minutes per process: fib(20) alone takes seconds
            print(f"[bench] round {r + 1}/{rounds}: {impl}", file=sys.stderr)
            try:
                if impl in ("klongtorch", "raw"):
                    got = {impl: _python_process(impl, target)}
                elif impl == "kg":
                    got = {"kg": kg_process_set(kg)}
                else:
                    got = klongpy_process(kp, True)      # its quickest: 3 runs after warm-up
            except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                print(f"[bench] {impl}: {e}", file=sys.stderr)
                continue
            for col, values in got.items():
                for name, t in values.items():
                    per.setdefault(col, {}).setdefault(name, []).append(t)
    table = {col: {n: spread(v) for n, v in progs.items()} for col, progs in per.items()}
    results = {"rounds": rounds, "quick": quick, "kg": kg, "klongpy": kp, "table": table,
               "cpus": os.cpu_count(), "loadavg": os.getloadavg()}
    if with_kernel:
        results["kernel"] = kernel_rounds(kernel_processes, target)
        results["startup"] = {k: spread(v) for k, v in kernel_startup(5).items()}
    return results


def render(results):
    t = results["table"]
    cols = ["klongtorch", "kg", "raw", "KlongPy numpy", "KlongPy torch"]
    cols = [c for c in cols if c in t]
    lines = ["| program | " + " | ".join(cols) + " | klongtorch/kg | klongtorch/raw |",
             "|---|" + "---|" * (len(cols) + 2)]
    for name, *_ in PROGRAMS:
        kt = t.get("klongtorch", {}).get(name)
        lines.append(f"| `{name}` | " + " | ".join(cell(t[c].get(name)) for c in cols) +
                     f" | {ratio(kt, t.get('kg', {}).get(name))} | "
                     f"{ratio(kt, t.get('raw', {}).get(name))} |")
    out = ["\n".join(lines)]
    if "kernel" in results:
        out.append("")
        out.append("Inside fresh Klong kernel processes, interleaved with raw torch processes "
                   "(median per process; median and min–max over the processes):")
        out.append("| program | malloc pinned (as shipped) | glibc defaults | raw torch, tuned "
                   "| slowest shipped kernel / raw median | page faults per run, shipped "
                   "/ defaults |")
        out.append("|---|---|---|---|---|---|")
        kern = results["kernel"]
        for name in KERNEL_PROGRAMS:
            cells = {mode: spread([r[name] for r in rows if name in r])
                     for mode, rows in kern.items()}
            worst = (f"{cells['tuned']['max'] / cells['raw']['median']:.2f}x"
                     if cells["tuned"] and cells["raw"] else "n/a")
            faults = [spread([r[name + " faults"] for r in kern[mode] if name + " faults" in r])
                      for mode in ("tuned", "default malloc")]
            fcell = " / ".join(f"{f['median']:.0f} (max {f['max']:.0f})" if f else "n/a"
                               for f in faults)
            out.append(f"| `{name}` | {cell(cells['tuned'])} | {cell(cells['default malloc'])} "
                       f"| {cell(cells['raw'])} | {worst} | {fcell} |")
    if "startup" in results:
        s = results["startup"]
        out.append("")
        out.append("Kernel start to first reply (kernel_info), and to the first cell's reply:")
        for k in ("klong", "python3", "klong first cell", "python3 first cell"):
            out.append(f"- {k}: {cell(s.get(k))}")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="fresh processes per implementation")
    ap.add_argument("--quick", action="store_true", help="~0.1 s per program per process")
    ap.add_argument("--no-klongpy", action="store_true")
    ap.add_argument("--kernel", action="store_true",
                    help="also rows inside 10 fresh Jupyter kernels, and kernel start-up")
    ap.add_argument("--kernel-processes", type=int, default=10)
    ap.add_argument("--klongpy-rounds", type=int, default=2,
                    help="KlongPy takes part in the first N rounds only (it is slow)")
    ap.add_argument("--json", metavar="PATH")
    ap.add_argument("--worker", choices=["klongtorch", "raw"], help=argparse.SUPPRESS)
    ap.add_argument("--target", type=float, default=0.3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.target)
        return None
    results = run(args.rounds, args.quick, not args.no_klongpy, args.kernel,
                  args.kernel_processes, args.klongpy_rounds)
    print(f"{results['rounds']} fresh processes per implementation, interleaved; "
          f"{results['cpus']} CPUs, load {'/'.join(f'{x:.1f}' for x in results['loadavg'])}")
    print(render(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == "__main__":
    main()
