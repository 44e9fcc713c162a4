"""Launch to first answer: a Klong kernel started cold, and one started warm (a spare that
had imported torch, kernel/warm.py), in alternating rounds.

Each launch is timed from KernelManager.start_kernel to the execute reply of
`+/1.0*!1000000`, a cell that needs torch. A round launches a warm kernel (the spare the
previous round left), shuts it down, launches a cold one (KLONGTORCH_WARM=0 in its
environment, so no spare serves it), shuts that down, and waits for the next spare to be
started and imported before the next round. The first round's "warm" launch has no spare
yet and is left out.

    PYTHONPATH=. python benchmarks/bench_startup.py              # 5 rounds
    PYTHONPATH=. python benchmarks/bench_startup.py --rounds 10 --json out.json

Nothing here asserts on timings.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

CELL = "+/1.0*!1000000"
SPARE_READY = 4.0       # seconds a spare takes to start and import torch, with a margin


def first_answer(env):
    """Seconds from launch to the reply of CELL, and the kernel's pid."""
    from jupyter_client import KernelManager
    t0 = time.perf_counter()
    km = KernelManager(kernel_name="klong")
    km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=300)
        msg_id = kc.execute(CELL)
        while True:
            reply = kc.get_shell_msg(timeout=300)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{CELL}: {reply['content']}")
        return time.perf_counter() - t0, km.provisioner.pid
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def measure(rounds):
    from klongtorch.kernel import warm
    from klongtorch.kernel.install import temporary_kernelspec
    warm.SPARE_AFTER = 0.5          # this process launches nothing else: no need to wait
    warm_env = dict(os.environ, KLONGTORCH_WARM="1")
    cold_env = dict(os.environ, KLONGTORCH_WARM="0")
    out = {"warm": [], "cold": []}
    with temporary_kernelspec():
        for r in range(rounds + 1):
            print(f"[bench] round {r + 1}/{rounds + 1}", file=sys.stderr)
            t, _ = first_answer(warm_env)
            if r:
                out["warm"].append(t)
            time.sleep(warm.SPARE_AFTER + SPARE_READY)
            if r < rounds:
                out["cold"].append(first_answer(cold_env)[0])
                time.sleep(1.0)
    with warm.SPARES.lock:          # the last round's spare: not needed any more
        spares, warm.SPARES.by_key = list(warm.SPARES.by_key.values()), {}
    for spare in spares:
        spare.discard()
    return out


def render(out):
    lines = ["| kernel | launch to first answer, median (min-max) | launches |", "|---|---|---|"]
    for name, ts in out.items():
        lines.append(f"| {name} | {statistics.median(ts):.2f} s ({min(ts):.2f}-{max(ts):.2f}) "
                     f"| {len(ts)} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", metavar="PATH")
    a = ap.parse_args(argv)
    out = measure(a.rounds)
    print(render(out))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
