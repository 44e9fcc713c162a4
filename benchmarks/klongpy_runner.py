"""Time Klong programs with KlongPy (run inside the KlongPy virtualenv).

KlongPy lives in its own virtualenv (it may pin other numpy/torch versions), so
``bench_language.py`` drives this script through that venv's interpreter.  Two
modes:

``--serve`` (what ``bench_language.py`` uses)
    A line protocol on stdin/stdout, one JSON object per line, so that KlongPy
    samples can be interleaved with the klongtorch ones.  On start the runner
    prints ``{"version": ..., "backends": {"numpy": null | "error", ...},
    "malloc": ...}``.  Environment: KLONGPY_BENCH_THREADS=N sets torch's
    thread count, KLONGPY_BENCH_MALLOC_TUNE=1 applies ``timing.tune_malloc``.
    Requests and replies:

    ``{"cmd": "load", "program": P}`` -> ``{"numpy": null | "error", ...}``
        fresh interpreters for every working backend, with P's globals and
        setup applied (P as in batch mode below);
    ``{"cmd": "run", "backend": "numpy"}`` -> ``{"t": seconds}`` | ``{"error": msg}``
        one call of P's source, timed here with time.perf_counter;
    ``{"cmd": "quit"}``.

batch (default)
    Reads ``{"quick": bool, "threads": int|null, "backends": [...],
    "programs": [P, ...]}`` on stdin, where ``P = {"name", "src", "setup": [klong
    src, ...], "globals": {"v": {"randperm": 100000, "seed": 0}}}``, times each
    program on its own and prints ``{"klongpy_version": ..., "results":
    {backend: {name: {"median": s, ...} | {"error": msg}}}}``.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from timing import measure, min_reps_for, target_for, tune_malloc  # noqa: E402

BACKENDS = ("numpy", "torch")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("klongpy")
    except Exception:  # noqa: BLE001
        import klongpy

        return getattr(klongpy, "__version__", "unknown")


def _make_global(backend: str, spec: dict):
    """The benchmark's global in the backend's native array type."""
    if "randperm" in spec:
        n, seed = int(spec["randperm"]), int(spec.get("seed", 0))
        if backend == "torch":
            import torch

            return torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        import numpy as np

        return np.random.default_rng(seed).permutation(n)
    if "linspace" in spec:
        a, b, n = spec["linspace"]
        if backend == "torch":
            import torch

            return torch.linspace(a, b, int(n), dtype=torch.float64)
        import numpy as np

        return np.linspace(a, b, int(n))
    raise ValueError(f"unknown global spec {spec!r}")


def _interpreter(backend: str, prog: dict):
    from klongpy import KlongInterpreter

    k = KlongInterpreter(backend=backend)
    for gname, gspec in prog.get("globals", {}).items():
        k[gname] = _make_global(backend, gspec)
    for s in prog.get("setup", []):
        k(s)
    return k


def _set_threads(n) -> None:
    if n:
        import torch

        torch.set_num_threads(int(n))


def _backend_status() -> dict:
    from klongpy import KlongInterpreter

    status = {}
    for b in BACKENDS:
        try:
            KlongInterpreter(backend=b)
            status[b] = None
        except Exception as e:  # noqa: BLE001
            status[b] = f"{type(e).__name__}: {e}"
    return status


def serve() -> None:
    out = sys.stdout

    def reply(obj) -> None:
        out.write(json.dumps(obj) + "\n")
        out.flush()

    _set_threads(os.environ.get("KLONGPY_BENCH_THREADS"))
    malloc = tune_malloc() if os.environ.get("KLONGPY_BENCH_MALLOC_TUNE") == "1" else "default"
    status = _backend_status()
    reply({"version": _version(), "backends": status, "malloc": malloc})
    interps: dict = {}
    src = None
    pc = time.perf_counter
    for line in sys.stdin:
        req = json.loads(line)
        cmd = req.get("cmd")
        if cmd == "quit":
            break
        if cmd == "load":
            prog = req["program"]
            src, interps, res = prog["src"], {}, {}
            for b in BACKENDS:
                if status[b]:
                    res[b] = status[b]
                    continue
                try:
                    interps[b] = _interpreter(b, prog)
                    res[b] = None
                except Exception as e:  # noqa: BLE001
                    res[b] = f"{type(e).__name__}: {e}"
            reply(res)
        elif cmd == "run":
            k = interps.get(req["backend"])
            if k is None:
                reply({"error": "backend not loaded"})
                continue
            try:
                t0 = pc()
                k(src)
                reply({"t": pc() - t0})
            except Exception as e:  # noqa: BLE001
                reply({"error": f"{type(e).__name__}: {e}"})
        elif cmd == "eval":
            # the value of an expression after the runs, to report whether they were right
            k = interps.get(req["backend"])
            try:
                reply({"value": repr(k(req["src"]))[:200]})
            except Exception as e:  # noqa: BLE001
                reply({"error": f"{type(e).__name__}: {e}"})
        else:
            reply({"error": f"unknown command {cmd!r}"})


def batch() -> None:
    spec = json.load(sys.stdin)
    _set_threads(spec.get("threads"))
    quick = bool(spec.get("quick"))
    target, min_reps = target_for(quick), min_reps_for(quick)
    status = _backend_status()
    out = {"klongpy_version": _version(), "results": {}}
    for b in spec.get("backends", list(BACKENDS)):
        if status.get(b):
            out["results"][b] = {"error": status[b]}
            continue
        res = {}
        for prog in spec["programs"]:
            try:
                k = _interpreter(b, prog)
                res[prog["name"]] = measure(lambda: k(prog["src"]), target, min_reps)
            except Exception as e:  # noqa: BLE001
                res[prog["name"]] = {"error": f"{type(e).__name__}: {e}"}
        out["results"][b] = res
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


def main() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    if "--serve" in sys.argv[1:]:
        serve()
    else:
        batch()


if __name__ == "__main__":
    main()
